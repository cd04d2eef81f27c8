/**
 * Runs Debian's suricata-update rule parser (the reference, netfw.md §9) over rules files and returns what it
 * parsed, per file and line. The driver only calls suricata-update's own `rule.parse` and `rule.find_opt_end`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';
export const RULE_PY = '/usr/lib/python3/dist-packages/suricata/update/rule.py';

export function suricataUpdateAvailable(): boolean {
  return existsSync(PYTHON) && existsSync(RULE_PY);
}

export interface RefRule {
  file: string;
  line: number;
  enabled: boolean;
  action: string;
  proto: string | null;
  source_addr: string | null;
  source_port: string | null;
  direction: string | null;
  dest_addr: string | null;
  dest_port: string | null;
  header: string;
  sid: number;
  gid: number;
  rev: number;
  msg: string;
  classtype: string | null;
  priority: string | number;
  flowbits: string[];
  metadata: string[];
  references: string[];
  noalert: boolean;
  options: [string, string | null][];
}

export interface RefError {
  file: string;
  line: number;
  error: string;
}

/* Line numbering mirrors parse_fileobj (a trailing backslash continues the rule on the next line). */
const DRIVER = `
import json, sys
sys.path.insert(0, "/usr/lib/python3/dist-packages")
from suricata.update import rule as R

def options_of(raw):
    m = R.rule_pattern.match(raw)
    opts = m.group("options") if m else ""
    out = []
    while opts:
        i = R.find_opt_end(opts)
        o = opts[:i].strip()
        opts = opts[i + 1:].strip()
        if o.find(":") > -1:
            n, v = [x.strip() for x in o.split(":", 1)]
        else:
            n, v = o, None
        out.append([n, v])
    return out

w = sys.stdout
for path in sys.argv[2:]:
    name = path.rsplit("/", 1)[-1]
    buf = ""
    start = 0
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if not buf:
                start = no
            if line.rstrip().endswith("\\\\"):
                buf = "%s%s " % (buf, line.rstrip()[0:-1])
                continue
            buf = buf + line
            try:
                r = R.parse(buf, name)
                if r:
                    d = {k: r.get(k) for k in ("enabled", "action", "proto", "source_addr", "source_port",
                         "direction", "dest_addr", "dest_port", "header", "sid", "gid", "rev", "msg", "classtype",
                         "priority", "flowbits", "metadata", "references", "noalert")}
                    d["file"] = name
                    d["line"] = start
                    d["options"] = options_of(r["raw"])
                    w.write(json.dumps(d) + "\\n")
            except Exception as e:
                w.write(json.dumps({"file": name, "line": start, "error": "%s: %s" % (type(e).__name__, e)}) + "\\n")
            buf = ""
`;

/** Parse `files` with suricata-update; throws only if the interpreter itself cannot run. */
export function runSuricataUpdate(files: string[]): { rules: RefRule[]; errors: RefError[] } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-suricata-update-'));
  try {
    const driver = join(dir, 'driver.py');
    writeFileSync(driver, DRIVER);
    const out = execFileSync(PYTHON, [driver, '--', ...files], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const rules: RefRule[] = [];
    const errors: RefError[] = [];
    for (const line of out.split('\n')) {
      if (line === '') continue;
      const doc = JSON.parse(line) as RefRule | RefError;
      if ('error' in doc) errors.push(doc);
      else rules.push(doc);
    }
    return { rules, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
