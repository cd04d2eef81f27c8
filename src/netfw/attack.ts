/**
 * MITRE ATT&CK references a Suricata rule carries in its `metadata` option, as Emerging Threats writes them:
 * `mitre_tactic_id TA0011, mitre_tactic_name Command_And_Control, mitre_technique_id T1568,
 * mitre_technique_name Dynamic_Resolution`. Names keep ATT&CK's words with underscores turned into spaces; reports
 * map tactic names to ATT&CK's spelling.
 */
export interface RuleAttack {
  tacticId?: string;
  tactic?: string;
  techniqueId?: string;
  technique?: string;
}

const KEYS: Record<string, keyof RuleAttack> = {
  mitre_tactic_id: 'tacticId',
  mitre_tactic_name: 'tactic',
  mitre_technique_id: 'techniqueId',
  mitre_technique_name: 'technique',
};

/** The first of each ATT&CK metadata key (`metadata` holds the rule's `key value` parts), or undefined when none. */
export function ruleAttack(metadata: readonly string[]): RuleAttack | undefined {
  let out: RuleAttack | undefined;
  for (const part of metadata) {
    const sp = part.indexOf(' ');
    if (sp < 0) continue;
    const field = KEYS[part.slice(0, sp)];
    if (field === undefined) continue;
    const value = part.slice(sp + 1).trim();
    if (value === '') continue;
    out ??= {};
    out[field] ??= field === 'tactic' || field === 'technique' ? value.replaceAll('_', ' ') : value.toUpperCase();
  }
  return out;
}
