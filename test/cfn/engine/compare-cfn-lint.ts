/**
 * Compares the engine's located template issues with cfn-lint's on the template corpus, per family of problem
 * (syntax, structure, references, intrinsic shapes, conditions, schema, parameters, outputs). Not a test: run
 *   npx tsx test/cfn/engine/compare-cfn-lint.ts [cfn-lint-parseable-output.txt]
 * Without an argument it runs `cfn-lint --format parseable` itself (in batches; minutes). The output recorded in
 * docs/cfn-engine.md comes from this script.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { resolveTemplateText } from '../../../src/cfn/index.js';
import { CORPORA } from '../../helpers/corpus.js';

const ROOT = join(CORPORA, 'cfn/templates');
const EXT = /\.(ya?ml|json|template)$/;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (EXT.test(name)) out.push(p);
  }
  return out;
}

/** cfn-lint rule → family. */
function lintFamily(rule: string): string | undefined {
  if (rule === 'E0000') return 'syntax';
  if (rule === 'E1001') return 'structure';
  if (['E1010', 'E1012', 'E1020', 'E3005', 'E6101'].includes(rule)) return 'references';
  if (['E1011', 'E1015', 'E1017', 'E1018', 'E1019', 'E1021', 'E1022', 'E1024', 'E1028', 'E1032'].includes(rule)) {
    return 'intrinsics';
  }
  if (rule.startsWith('E8')) return 'conditions';
  if (rule.startsWith('E20')) return 'parameters'; // E25xx are Lambda value checks (deprecated runtimes …)
  if (rule.startsWith('E6')) return 'outputs';
  if (rule.startsWith('E3')) return 'schema';
  return undefined;
}

const OUR_FAMILY: Record<string, string> = {
  'yaml-syntax': 'syntax',
  'json-syntax': 'syntax',
  'duplicate-key': 'syntax',
  'null-key': 'syntax',
  'multiple-documents': 'syntax',
  'unknown-tag': 'syntax',
  'missing-resources': 'structure',
  'not-a-template': 'structure',
  'bad-section': 'structure',
  'unresolved-ref': 'references',
  'bad-intrinsic': 'intrinsics',
  'bad-findinmap': 'intrinsics',
  'bad-condition': 'conditions',
  'undefined-condition': 'conditions',
  'condition-cycle': 'conditions',
  'bad-parameter': 'parameters',
  'bad-output': 'outputs',
  'unknown-resource-attribute': 'schema',
  'bad-resource': 'schema',
  'bad-logical-id': 'schema',
  'unknown-property': 'schema',
  'missing-required-property': 'schema',
  'unknown-resource-type': 'schema',
  'bad-property-type': 'schema',
  'bad-getatt': 'references',
};

function runCfnLint(files: string[]): { text: string; ms: number } {
  const t0 = performance.now();
  let text = '';
  for (let i = 0; i < files.length; i += 40) {
    const batch = files.slice(i, i + 40).map((f) => relative(ROOT, f));
    const r = spawnSync('cfn-lint', ['--format', 'parseable', '--', ...batch], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (r.error) throw new Error(`cfn-lint not runnable: ${r.error.message}`);
    if (r.stderr.includes('Traceback')) {
      // One crashing file loses the whole batch's output: redo it file by file.
      for (const f of batch)
        text += spawnSync('cfn-lint', ['--format', 'parseable', '--', f], { cwd: ROOT, encoding: 'utf8' }).stdout;
    } else text += r.stdout;
  }
  return { text, ms: performance.now() - t0 };
}

type Hits = Map<string, Map<string, Set<number>>>; // family → file → lines

function add(h: Hits, family: string, file: string, line: number): void {
  let m = h.get(family);
  if (!m) h.set(family, (m = new Map()));
  let s = m.get(file);
  if (!s) m.set(file, (s = new Set()));
  s.add(line);
}

const files = walk(ROOT);
const lintText = process.argv[2] ? readFileSync(process.argv[2], 'utf8') : undefined;
const lint = lintText === undefined ? runCfnLint(files) : { text: lintText, ms: Number.NaN };

const theirs: Hits = new Map();
for (const line of lint.text.split('\n')) {
  const m = /^(.+?):(\d+):(\d+):\d+:\d+:([EWI]\d{4}):/.exec(line);
  if (!m) continue;
  const fam = lintFamily(m[4] as string);
  if (fam) add(theirs, fam, (m[1] as string).replace(/^\.\//, ''), Number(m[2]));
}

const ours: Hits = new Map();
const t0 = performance.now();
for (const f of files) {
  const t = resolveTemplateText(readFileSync(f, 'utf8'), f);
  for (const i of t.issues) {
    if (
      i.severity !== 'error' &&
      i.code !== 'unknown-property' &&
      i.code !== 'bad-property-type' &&
      i.code !== 'bad-getatt'
    ) {
      continue;
    }
    const fam = OUR_FAMILY[i.code];
    if (fam && i.location.file === f) add(ours, fam, relative(ROOT, f), i.location.line);
  }
}
const ourMs = performance.now() - t0;

console.log(`files: ${files.length}`);
console.log(
  `vigil: ${ourMs.toFixed(0)} ms (${((files.length / ourMs) * 1000).toFixed(0)} templates/s, schema checks on)`,
);
if (!Number.isNaN(lint.ms)) console.log(`cfn-lint: ${lint.ms.toFixed(0)} ms`);
console.log(
  '\nfamily       | files both | only cfn-lint | only vigil | lines within ±1 (of cfn-lint lines in shared files)',
);
for (const fam of [
  'syntax',
  'structure',
  'references',
  'intrinsics',
  'conditions',
  'parameters',
  'outputs',
  'schema',
]) {
  const a = theirs.get(fam) ?? new Map<string, Set<number>>();
  const b = ours.get(fam) ?? new Map<string, Set<number>>();
  const both = [...a.keys()].filter((f) => b.has(f));
  const onlyA = [...a.keys()].filter((f) => !b.has(f));
  const onlyB = [...b.keys()].filter((f) => !a.has(f));
  let near = 0;
  let total = 0;
  for (const f of both) {
    const ol = [...(b.get(f) ?? [])];
    for (const l of a.get(f) ?? []) {
      total++;
      if (ol.some((x) => Math.abs(x - l) <= 1)) near++;
    }
  }
  console.log(
    `${fam.padEnd(12)} | ${String(both.length).padStart(10)} | ${String(onlyA.length).padStart(13)} | ${String(onlyB.length).padStart(10)} | ${near}/${total}`,
  );
  if (process.env.VERBOSE) {
    for (const f of onlyA) console.log(`    only cfn-lint: ${f} ${[...(a.get(f) ?? [])].join(',')}`);
    for (const f of onlyB) console.log(`    only vigil:    ${f} ${[...(b.get(f) ?? [])].join(',')}`);
  }
}
