/**
 * ATT&CK in the OCSF and ASFF exports for findings outside the detector catalogue: Sigma findings carry their rule's
 * `attack.*` tags (service.additionalInfo.sigma.tags) and the exporters map those, instead of TTPs/Unknown.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDetection } from '../../src/detect/run.js';
import type { Finding } from '../../src/detect/types.js';
import { attackRefs, toAsff, toOcsf } from '../../src/report/findings.js';
import { CORPORA } from '../helpers/corpus.js';

const RULES = join(CORPORA, 'sigma/rules-aws');
const STRATUS = join(CORPORA, 'cloudtrail/stratus');

async function sigmaFinding(file: string, title: string): Promise<Finding> {
  const run = await runDetection([join(STRATUS, file)], { sigma: [RULES], builtin: false });
  const f = run.result.findings.find((x) => x.title === title);
  if (!f) throw new Error(`no Sigma finding "${title}" for ${file}`);
  return f;
}

describe('ATT&CK of Sigma findings in exports', () => {
  it('tactic and technique tags (aws_cloudtrail_disable_logging.yml: attack.defense-impairment, attack.t1685.002)', async () => {
    const f = await sigmaFinding('aws.defense-evasion.cloudtrail-stop.json', 'AWS CloudTrail Important Change');
    expect((f.service.additionalInfo.sigma as { tags: string[] }).tags).toEqual([
      'attack.defense-impairment',
      'attack.t1685.002',
    ]);
    expect(attackRefs(f)).toEqual([{ tactic: 'Defense Impairment', technique: 'T1685.002' }]);
    const fi = toOcsf(f).finding_info as Record<string, unknown>;
    expect(fi.attacks).toEqual([{ tactic: { name: 'Defense Impairment' }, technique: { uid: 'T1685.002' } }]);
    const a = toAsff(f);
    expect(a.Types).toEqual([`TTPs/Defense Impairment/${f.type.replaceAll('/', '-')}`]);
    expect((a.ProductFields as Record<string, string>)['vigil/mitre']).toBe('T1685.002');
  });

  it('a tactic tag without a technique (aws_cloudtrail_vpc_flow_logs_deleted: attack.stealth)', async () => {
    const f = await sigmaFinding('aws.defense-evasion.vpc-remove-flow-logs.json', 'AWS VPC Flow Logs Deleted');
    expect(attackRefs(f)).toEqual([{ tactic: 'Stealth' }]);
    expect((toOcsf(f).finding_info as Record<string, unknown>).attacks).toEqual([{ tactic: { name: 'Stealth' } }]);
    const a = toAsff(f);
    expect(a.Types).toEqual([`TTPs/Stealth/${f.type.replaceAll('/', '-')}`]);
    expect(a.ProductFields).not.toHaveProperty('vigil/mitre');
  });

  it('several tactics, a technique without tactic, and no tags', () => {
    const base = { type: 'Sigma:aws.cloudtrail/X', service: { additionalInfo: {} } } as unknown as Finding;
    const withTags = (tags: unknown) =>
      ({ ...base, service: { additionalInfo: { sigma: { tags } } } }) as unknown as Finding;
    expect(
      attackRefs(withTags(['attack.persistence', 'attack.privilege-escalation', 'attack.t1098', 'cve.2021-1'])),
    ).toEqual([
      { tactic: 'Persistence', technique: 'T1098' },
      { tactic: 'Privilege Escalation', technique: 'T1098' },
    ]);
    expect(attackRefs(withTags(['attack.t1078.004']))).toEqual([{ tactic: 'Unknown', technique: 'T1078.004' }]);
    expect(attackRefs(withTags(undefined))).toEqual([]);
    expect(attackRefs(base)).toEqual([]);
  });

  it('built-in types keep the catalogue entry', () => {
    const f = { type: 'UnauthorizedAccess:EC2/SSHBruteForce', service: { additionalInfo: {} } } as unknown as Finding;
    expect(attackRefs(f)).toEqual([{ tactic: 'Credential Access', technique: 'T1110', name: 'Brute Force' }]);
  });
});
