/** The rule catalogue in Markdown, generated from rule metadata (docs/posture.md embeds it between markers). */
import { ALL_RULES } from './rules/index.js';

export const CATALOGUE_BEGIN = '<!-- BEGIN RULE CATALOGUE (generated from rule metadata; do not edit) -->';
export const CATALOGUE_END = '<!-- END RULE CATALOGUE -->';

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
  }
  return `${out.join('\n')}\n`;
}

/** Replace the catalogue between the markers of `doc`. */
export function embedCatalogue(doc: string): string {
  const a = doc.indexOf(CATALOGUE_BEGIN);
  const b = doc.indexOf(CATALOGUE_END);
  if (a < 0 || b < a) return doc;
  return `${doc.slice(0, a + CATALOGUE_BEGIN.length)}\n\n${renderCatalogue()}\n${doc.slice(b)}`;
}
