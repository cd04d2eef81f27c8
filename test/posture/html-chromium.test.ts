import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hasCommand, integrationAvailable } from '../helpers/integration.js';
import { vigil } from './cli-harness.js';
import { account, ci } from './helpers.js';

/** The HTML report rendered by a real browser (chromium --headless --dump-dom): scores render, no script runs. */
const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => hasCommand(c));
const available = integrationAvailable('chromium', CHROMIUM !== undefined);

afterEach(() => {
  vi.restoreAllMocks();
});

describe.skipIf(!available)('HTML report in chromium', () => {
  it('renders the overall and pack scores; an id holding <script> stays text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-html-'));
    const sg = (id: string, open: boolean) =>
      ci('AWS::EC2::SecurityGroup', id, {
        configuration: {
          groupName: 'g',
          ipPermissions: open ? [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: ['0.0.0.0/0'] }] : [],
        },
      });
    const snap = join(dir, 'snap.json');
    writeFileSync(
      snap,
      JSON.stringify({
        configurationItems: [
          sg('sg-1', true),
          sg('sg-2', false),
          sg('sg-3', false),
          sg('<script>document.title="pwned"</script>', false),
          account({ passwordPolicy: null }),
        ],
      }),
    );
    const html = join(dir, 'report.html');
    const r = await vigil(['audit', '--snapshot', snap, '--pack', 'cis-aws-4.0.1', '-f', 'html', '-o', html]);
    expect(r.code).toBe(0);
    const run = spawnSync(
      CHROMIUM!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--dump-dom',
        pathToFileURL(html).href,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const dom = run.stdout;
    // The DOM after parsing: the title is ours (no injected script ran) and no script element exists.
    expect(dom).toContain('<title>Vigil posture report</title>');
    expect(dom).not.toMatch(/<script/i);
    expect(dom).toContain('&lt;script&gt;document.title="pwned"&lt;/script&gt;');
    // CIS here: restricted-common-ports (5.3) 3 compliant of 4, password policy (1.8, 1.9) failing, and the
    // account-level rules; the rendered numbers are the ones the report computed.
    const overall = /<b id="overall-score">([\d.]+)%<\/b>/.exec(dom);
    const compliant = Number(/<b id="compliant">(\d+)<\/b>/.exec(dom)![1]);
    const nonCompliant = Number(/<b id="non-compliant">(\d+)<\/b>/.exec(dom)![1]);
    expect(compliant).toBeGreaterThanOrEqual(3);
    expect(Number(overall![1])).toBe(Math.round((compliant / (compliant + nonCompliant)) * 1000) / 10);
    expect(dom).toMatch(
      new RegExp(
        `<tr data-pack="cis-aws-4\\.0\\.1"><td>cis-aws-4\\.0\\.1</td><td>[^<]*</td><td class="num score">${overall![1]!.replace('.', '\\.')}%</td>`,
      ),
    );
  }, 90_000);
});
