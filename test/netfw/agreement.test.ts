import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRules } from '../../src/netfw/parse.js';
import type { SuricataRule } from '../../src/netfw/types.js';
import { CORPORA } from '../helpers/corpus.js';
import { type RefRule, RULE_PY, runSuricataUpdate, suricataUpdateAvailable } from './suricata-update.js';

const DIR = join(CORPORA, 'netfw/et-open');
const available = suricataUpdateAvailable() && existsSync(DIR);
const required = process.env.VIGIL_REQUIRE_INTEGRATION === '1';
if (!available) {
  const msg = `suricata-update (${RULE_PY}) or the ET Open corpus is missing: agreement test skipped (apt-get install -y suricata-update)`;
  if (required) throw new Error(`${msg}; VIGIL_REQUIRE_INTEGRATION=1 requires it`);
  console.warn(msg);
}

/** suricata-update keeps msg escapes (`\"`); Vigil decodes them, so compare on decoded text. */
function unescapeMsg(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** The fields both parsers report, in suricata-update's vocabulary. */
function mine(r: SuricataRule) {
  return {
    enabled: r.enabled,
    action: r.action,
    proto: r.proto,
    source_addr: r.sourceAddr,
    source_port: r.sourcePort,
    direction: r.direction,
    dest_addr: r.destAddr,
    dest_port: r.destPort,
    header: r.header,
    sid: r.sid,
    gid: r.gid,
    rev: r.rev,
    msg: r.msg,
    classtype: r.classtype ?? null,
    priority: r.priority ?? 0,
    flowbits: r.options.filter((o) => o.name === 'flowbits').map((o) => o.value),
    metadata: r.metadata,
    references: r.references,
    noalert: r.noalert,
    options: r.options.map((o) => [o.name, o.value ?? null]),
  };
}

function theirs(r: RefRule) {
  const { file: _f, line: _l, ...rest } = r;
  return {
    ...rest,
    msg: unescapeMsg(r.msg),
    priority: typeof r.priority === 'string' ? Number(r.priority) : r.priority,
  };
}

describe.skipIf(!available)('agreement with suricata-update rule.parse on the whole ET Open corpus', () => {
  it('header, sid/gid/rev, msg, classtype, flowbits, metadata, references and option list agree for every rule', () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.rules'))
      .map((f) => join(DIR, f));
    const ref = runSuricataUpdate(files);
    const byKey = new Map<string, SuricataRule>();
    for (const f of files) {
      const name = f.slice(DIR.length + 1);
      const p = parseRules(readFileSync(f, 'utf8'), name);
      for (const r of [...p.rules, ...p.disabled]) byKey.set(`${name}:${r.line}`, r);
    }
    const diffs: string[] = [];
    let agree = 0;
    const seen = new Set<string>();
    for (const t of ref.rules) {
      const key = `${t.file}:${t.line}`;
      seen.add(key);
      const m = byKey.get(key);
      if (!m) {
        diffs.push(`${key}: suricata-update parsed sid ${t.sid}, Vigil did not`);
        continue;
      }
      const a = mine(m);
      const b = theirs(t);
      const bad = (Object.keys(b) as (keyof typeof b)[]).filter(
        (k) => JSON.stringify(a[k as keyof typeof a]) !== JSON.stringify(b[k]),
      );
      if (bad.length === 0) agree++;
      else
        diffs.push(
          `${key} sid ${t.sid}: ${bad.map((k) => `${k}: vigil ${JSON.stringify(a[k as keyof typeof a])} ≠ suricata-update ${JSON.stringify(b[k])}`).join('; ')}`,
        );
    }
    for (const key of byKey.keys())
      if (!seen.has(key)) diffs.push(`${key}: Vigil parsed a rule suricata-update did not`);
    for (const e of ref.errors) diffs.push(`${e.file}:${e.line}: suricata-update error ${e.error}`);
    const total = ref.rules.length;
    console.info(
      `suricata-update agreement: ${agree}/${total} rules identical (${((100 * agree) / Math.max(total, 1)).toFixed(3)}%), ${diffs.length} differences`,
    );
    expect(total).toBe(24827 + 10023);
    expect(diffs.slice(0, 20)).toEqual([]);
    expect(agree).toBe(total);
  }, 120_000);
});

describe.skipIf(!suricataUpdateAvailable())('where Vigil deliberately differs from suricata-update', () => {
  it('nested address groups: suricata-update cuts the group at the first "]", Vigil keeps it whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-nested-'));
    try {
      const text = 'alert ip [1.1.1.1,[2.2.2.2,3.3.3.3]] any -> any any (msg:"n"; sid:7;)\n';
      const f = join(dir, 'n.rules');
      writeFileSync(f, text);
      const ref = runSuricataUpdate([f]);
      expect(ref.rules[0]).toMatchObject({ source_addr: '[1.1.1.1,[2.2.2.2,3.3.3.3]', source_port: ']' });
      const p = parseRules(text, 'n.rules');
      expect(p.rules[0]).toMatchObject({ sourceAddr: '[1.1.1.1,[2.2.2.2,3.3.3.3]]', sourcePort: 'any' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
