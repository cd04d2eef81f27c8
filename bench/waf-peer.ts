import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * nginx + ModSecurity v3 + OWASP CRS from Debian as a peer WAF on 127.0.0.1: a private config in a temp dir, one
 * process (`master_process off`, so no user switching — works as root or not), a free port. Requests that CRS
 * allows are proxied to a second nginx server block (no ModSecurity) that answers 200, so ModSecurity inspects
 * bodies (it does not with a bare `return`).
 */

const MODULE = '/usr/lib/nginx/modules/ngx_http_modsecurity_module.so';
const CRS_RULES = '/usr/share/modsecurity-crs/rules';
const CRS_SETUP = '/etc/modsecurity/crs/crs-setup.conf';
export const PEER_PACKAGES = ['nginx', 'libnginx-mod-http-modsecurity', 'modsecurity-crs'];

export interface Peer {
  /** The WAF (nginx + ModSecurity + CRS). */
  port: number;
  /** The plain backend (also the upstream for Vigil's proxy in throughput runs). */
  backendPort: number;
  pid: number;
  crsVersion: string;
  stop(): void;
}

/** Why the peer cannot run here, or undefined when it can. */
export function peerMissing(): string | undefined {
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  if (!nginx) return 'nginx is not installed';
  if (!existsSync(MODULE)) return 'libnginx-mod-http-modsecurity is not installed';
  if (!existsSync(CRS_RULES) || !existsSync(CRS_SETUP)) return 'modsecurity-crs is not installed';
  return undefined;
}

/** Install the peer with apt-get when missing (root only); returns the reason it is still missing, if any. */
export function installPeer(): string | undefined {
  if (!peerMissing()) return undefined;
  try {
    execFileSync('apt-get', ['install', '-y', ...PEER_PACKAGES], { stdio: 'ignore', timeout: 600_000 });
  } catch {
    try {
      execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 600_000 });
      execFileSync('apt-get', ['install', '-y', ...PEER_PACKAGES], { stdio: 'ignore', timeout: 600_000 });
    } catch (err) {
      return `apt-get install ${PEER_PACKAGES.join(' ')} failed: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return peerMissing();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function crsVersion(): string {
  try {
    // dpkg-query's own format syntax, not a JS template
    return execFileSync('dpkg-query', ['-W', `-f=\${Version}`, 'modsecurity-crs'], { encoding: 'utf8' });
  } catch {
    return 'unknown';
  }
}

async function waitForPort(port: number, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`nginx exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx did not listen on ${port} within ${ms} ms`);
}

/** Start the peer. `paranoia` is CRS's paranoia level (1 = the default install). */
export async function startPeer(opts: { paranoia?: number; workers?: number } = {}): Promise<Peer> {
  const missing = peerMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-modsec-'));
  for (const d of ['tmp', 'logs', 'client_body', 'proxy', 'modsec']) mkdirSync(join(dir, d));
  const [port, backendPort] = [await freePort(), await freePort()];
  const pl = opts.paranoia ?? 1;
  writeFileSync(
    join(dir, 'modsec.conf'),
    [
      'SecRuleEngine On',
      'SecRequestBodyAccess On',
      'SecRequestBodyLimit 13107200',
      'SecRequestBodyNoFilesLimit 131072',
      'SecRequestBodyLimitAction Reject',
      'SecResponseBodyAccess Off',
      'SecAuditEngine Off',
      'SecArgumentSeparator &',
      'SecCookieFormat 0',
      `SecTmpDir ${join(dir, 'modsec')}`,
      `SecDataDir ${join(dir, 'modsec')}`,
      'SecRule REQUEST_HEADERS:Content-Type "(?:application(?:/soap\\+|/)|text/)xml" "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"',
      'SecRule REQUEST_HEADERS:Content-Type "application/json" "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"',
      `Include ${CRS_SETUP}`,
      `SecAction "id:900000,phase:1,nolog,pass,t:none,setvar:tx.paranoia_level=${pl}"`,
      `Include ${CRS_RULES}/*.conf`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'nginx.conf'),
    `load_module ${MODULE};
daemon off;
master_process ${opts.workers && opts.workers > 1 ? 'on' : 'off'};
worker_processes ${opts.workers ?? 1};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs/error.log')} error;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'tmp')};
  uwsgi_temp_path ${join(dir, 'tmp')};
  scgi_temp_path ${join(dir, 'tmp')};
  client_max_body_size 20m;
  server {
    listen 127.0.0.1:${backendPort};
    location / { return 200 "ok\\n"; }
  }
  server {
    listen 127.0.0.1:${port};
    modsecurity on;
    modsecurity_rules_file ${join(dir, 'modsec.conf')};
    location / { proxy_pass http://127.0.0.1:${backendPort}; proxy_set_header Connection ""; proxy_http_version 1.1; }
  }
}
`,
  );
  const bin = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : '/usr/bin/nginx';
  const child = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  try {
    await waitForPort(port, child, 30_000);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}: ${stderr.trim().slice(0, 500)}`);
  }
  // Never leave a peer or its temp dir behind, also when the caller crashes before stop().
  const cleanup = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  return {
    port,
    backendPort,
    pid: child.pid ?? 0,
    crsVersion: crsVersion(),
    stop() {
      process.off('exit', cleanup);
      cleanup();
    },
  };
}

/** Send raw request bytes and return the status code (0 when the connection failed without a status line). */
export function sendRaw(port: number, raw: Buffer, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let head = '';
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      s.destroy();
      resolve(code);
    };
    s.setTimeout(timeoutMs, () => finish(0));
    s.on('connect', () => s.write(raw));
    s.on('data', (b: Buffer) => {
      head += b.toString('latin1');
      const m = /^HTTP\/\d\.\d (\d{3})/.exec(head);
      if (m) finish(Number(m[1]));
    });
    s.on('error', () => finish(0));
    s.on('close', () => finish(0));
  });
}
