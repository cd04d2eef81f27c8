import { describe, expect, it } from 'vitest';
import { ruleAttack } from './attack.js';

describe('ATT&CK from Suricata rule metadata', () => {
  it('reads the four ET Open keys (first of each), names with spaces', () => {
    expect(
      ruleAttack([
        'attack_target Client_Endpoint',
        'mitre_tactic_id TA0011',
        'mitre_tactic_name Command_And_Control',
        'mitre_technique_id T1568',
        'mitre_technique_name Dynamic_Resolution',
        'mitre_technique_id T1071',
      ]),
    ).toEqual({
      tacticId: 'TA0011',
      tactic: 'Command And Control',
      techniqueId: 'T1568',
      technique: 'Dynamic Resolution',
    });
  });

  it('is undefined without ATT&CK keys, keeps a partial reference, ignores empty values', () => {
    expect(ruleAttack(['created_at 2020_01_01', 'signature_severity Major'])).toBeUndefined();
    expect(ruleAttack([])).toBeUndefined();
    expect(ruleAttack(['mitre_technique_id t1496.001', 'mitre_tactic_name '])).toEqual({ techniqueId: 'T1496.001' });
  });
});
