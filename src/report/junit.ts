/**
 * JUnit XML (the de-facto Ant/Surefire schema CI systems read): one <testsuite> per suite (template), one <testcase>
 * per check; failures carry the message and details; skipped for not-applicable / suppressed checks.
 */
export interface JunitCase {
  name: string;
  classname: string;
  /** `failure` = NON_COMPLIANT; `skipped` with a message; `error` = could not evaluate. */
  outcome: 'pass' | 'failure' | 'skipped' | 'error';
  message?: string;
  details?: string;
  type?: string;
}

export interface JunitSuite {
  name: string;
  file?: string;
  cases: JunitCase[];
}

const esc = (s: string) =>
  s
    // XML 1.0 forbids most control characters even when escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

export function buildJunit(suites: JunitSuite[], name = 'vigil'): string {
  const count = (s: JunitSuite, o: JunitCase['outcome']) => s.cases.filter((c) => c.outcome === o).length;
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  const body: string[] = [];
  for (const s of suites) {
    const f = count(s, 'failure');
    const e = count(s, 'error');
    const k = count(s, 'skipped');
    tests += s.cases.length;
    failures += f;
    errors += e;
    skipped += k;
    body.push(
      `  <testsuite name="${esc(s.name)}" tests="${s.cases.length}" failures="${f}" errors="${e}" skipped="${k}"${s.file ? ` file="${esc(s.file)}"` : ''}>`,
    );
    for (const c of s.cases) {
      const open = `    <testcase name="${esc(c.name)}" classname="${esc(c.classname)}"`;
      if (c.outcome === 'pass') {
        body.push(`${open}/>`);
        continue;
      }
      const tag = c.outcome;
      const attrs = `${c.message !== undefined ? ` message="${esc(c.message)}"` : ''}${c.type ? ` type="${esc(c.type)}"` : ''}`;
      body.push(`${open}>`);
      body.push(c.details ? `      <${tag}${attrs}>${esc(c.details)}</${tag}>` : `      <${tag}${attrs}/>`);
      body.push('    </testcase>');
    }
    body.push('  </testsuite>');
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${esc(name)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}">\n${body.join('\n')}${body.length ? '\n' : ''}</testsuites>\n`;
}
