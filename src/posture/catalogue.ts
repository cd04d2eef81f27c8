/**
 * The rule catalogue in Markdown, generated from rule metadata: docs/rules.md (scripts/gen-rules-docs.ts;
 * test/posture/docs.test.ts checks it is current).
 */
import { PACKS } from './packs/index.js';
import { ALL_RULES } from './rules/index.js';

const esc = (s: string) => s.replaceAll('|', '\\|');

export function renderCatalogue(): string {
  const rules = [...ALL_RULES].sort((a, b) => a.meta.name.localeCompare(b.meta.name));
  const out: string[] = [];
  out.push(`${rules.length} rules.`, '');
  out.push('| Rule | Identifier | Resource types | Severity | Parameters (default) | Frameworks |');
  out.push('|---|---|---|---|---|---|');
  for (const { meta: m } of rules) {
    const params =
      m.parameters.length === 0
        ? '–'
        : m.parameters
            .map((p) => `${p.required ? '*' : ''}${p.name}${p.default !== undefined ? `=${p.default}` : ''}`)
            .join('; ');
    out.push(
      `| [${m.name}](#${m.name}) | \`${m.identifier}\` | ${m.resourceTypes.length > 4 ? `${m.resourceTypes.length} types` : m.resourceTypes.map((t) => t.replace('AWS::', '')).join(', ')} | ${m.severity} | ${esc(params)} | ${m.frameworks.join(', ') || '–'} |`,
    );
  }
  for (const { meta: m } of rules) {
    out.push('', `### ${m.name}`, '');
    out.push(`${esc(m.title)}. ${m.description}`, '');
    out.push(`- Identifier: \`${m.identifier}\`; trigger: ${m.triggers.join(' + ')}; severity ${m.severity}`);
    out.push(`- Resource types: ${m.resourceTypes.join(', ')}`);
    for (const p of m.parameters)
      out.push(
        `- Parameter \`${p.name}\` (${p.type}${p.required ? ', required' : ''}${p.default !== undefined ? `, default ${p.default}` : ''}): ${p.description}`,
      );
    out.push(`- Risk: ${m.risk}`);
    out.push(`- Remediation: ${m.remediation}${m.runbook ? ` (runbook \`${m.runbook}\`)` : ''}`);
    if (m.frameworks.length > 0) out.push(`- Frameworks: ${m.frameworks.join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}

/** Which pack controls use each rule (by managed-rule name), from the pack data. */
function packUses(): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  for (const pack of Object.values(PACKS))
    for (const c of pack.controls)
      for (const ref of c.rules) {
        const list = uses.get(ref.rule) ?? [];
        list.push(`${pack.id} ${c.id}`);
        uses.set(ref.rule, list);
      }
  return uses;
}

/** The whole of docs/rules.md. */
export function renderRulesDoc(): string {
  const uses = packUses();
  const packs = Object.values(PACKS)
    .map((p) => {
      const automated = p.controls.filter((c) => c.automated).length;
      const mapped = p.controls.filter((c) => c.rules.length > 0).length;
      return `| \`${p.id}\` | ${esc(p.title)} | ${p.controls.length} | ${automated} | ${mapped} |`;
    })
    .join('\n');
  const usedBy = [...ALL_RULES]
    .sort((a, b) => a.meta.name.localeCompare(b.meta.name))
    .filter((r) => uses.has(r.meta.name) || uses.has(r.meta.identifier))
    .map(
      (r) =>
        `| ${r.meta.name} | ${[...(uses.get(r.meta.name) ?? []), ...(uses.get(r.meta.identifier) ?? [])].join(', ')} |`,
    )
    .join('\n');
  return [
    '# Posture rules',
    '',
    '<!-- Generated from rule and pack metadata by scripts/gen-rules-docs.ts (npm run docs:rules); do not edit. -->',
    '',
    'Equivalents of AWS Config managed rules: same names, identifiers (`SourceIdentifier`), resource types, parameters',
    'and defaults. Run them with `vigil audit` (see [posture.md](posture.md)); `vigil posture rules -f json` prints the',
    'same metadata as data.',
    '',
    '## Packs',
    '',
    '| Pack | Title | Controls | Automated | Mapped to rules |',
    '|---|---|---|---|---|',
    packs,
    '',
    usedBy ? `| Rule | Used by pack controls |\n|---|---|\n${usedBy}` : 'No rule is used by a pack.',
    '',
    '## Rules',
    '',
    renderCatalogue(),
  ].join('\n');
}
