/**
 * Output of `vigil trail validate`. Text is byte-for-byte what `aws cloudtrail validate-logs` prints for the same
 * chain (header, per-file lines, gap lines and summary on stdout; invalid files and gaps on stderr, with the same
 * blank-line rhythm). JSON has one object per file, the gaps, Vigil's continuity check and a summary per chain.
 */
import type { ChainPlan, ChainResult, ReportSink } from './run.js';
import { formatDisplay } from './time.js';
import type { ChainCounts, TrailEvent } from './validate.js';

export type Write = (text: string) => void | Promise<void>;

export class TextReporter implements ReportSink {
  /** The CLI's `_is_last_status_double_space`: whether the last status line was followed by a blank line. */
  private lastDouble = true;

  constructor(
    private readonly out: Write,
    private readonly err: Write,
    private readonly verbose = false,
  ) {}

  async chainStart(plan: ChainPlan): Promise<void> {
    this.lastDouble = true;
    await this.out(
      `Validating log files for trail ${plan.trailArn} between ${formatDisplay(plan.start)} and ${formatDisplay(plan.end)}\n\n`,
    );
  }

  private async status(message: string, isError: boolean): Promise<void> {
    if (isError) {
      await this.err(this.lastDouble ? `${message}\n\n` : `\n${message}\n\n`);
      this.lastDouble = true;
    } else if (this.verbose) {
      this.lastDouble = false;
      await this.out(`${message}\n`);
    }
  }

  async event(_plan: ChainPlan, e: TrailEvent): Promise<void> {
    switch (e.type) {
      case 'digest':
        return this.status(
          `${e.backfill ? '(backfill) ' : ''}Digest file\t${e.uri}\t${e.verdict}`,
          e.reason !== 'valid',
        );
      case 'log':
        return this.status(`Log file\t${e.uri}\t${e.verdict}`, e.reason !== 'valid');
      case 'gap':
        return this.status(
          `${e.backfill ? '(backfill) ' : ''}No log files were delivered by CloudTrail between ${formatDisplay(e.from)} and ${formatDisplay(e.to)}`,
          true,
        );
      case 'continuity':
      case 'link':
        return; // Vigil-only checks; in JSON output
    }
  }

  async chainEnd(result: ChainResult): Promise<void> {
    const { plan, counts } = result;
    if (!counts) {
      await this.err(`vigil: ${result.error}\n`);
      return;
    }
    let text = this.lastDouble ? '' : '\n';
    text += `Results requested for ${formatDisplay(plan.start)} to ${formatDisplay(plan.end)}\n`;
    const validDigests = counts.validDigests + counts.validBackfillDigests;
    const invalidDigests = counts.invalidDigests + counts.invalidBackfillDigests;
    if (validDigests + invalidDigests === 0) {
      await this.out(`${text}No digests found\n`);
      return;
    }
    if (counts.foundStart === undefined || counts.foundEnd === undefined) text += 'No valid digests found in range\n';
    else text += `Results found for ${formatDisplay(counts.foundStart)} to ${formatDisplay(counts.foundEnd)}:\n`;
    text += ratio(counts.validDigests, counts.invalidDigests, 'digest');
    text += ratio(counts.validBackfillDigests, counts.invalidBackfillDigests, 'backfill digest');
    text += ratio(counts.validLogs, counts.invalidLogs, 'log');
    await this.out(`${text}\n`);
  }
}

function ratio(valid: number, invalid: number, name: string): string {
  const total = valid + invalid;
  if (total === 0) return '';
  return `\n${valid}/${total} ${name} files valid${invalid > 0 ? `, ${invalid}/${total} ${name} files INVALID` : ''}`;
}

export interface FileResult {
  kind: 'digest' | 'log';
  backfill?: boolean;
  uri: string;
  verdict: string;
  reason: string;
  detail: string;
  /** digestEndTime of the digest (for a log: of the digest listing it); the key's time for unreadable digests. */
  digestTime: string | null;
  digestStartTime?: string;
  publicKeyFingerprint?: string;
  listedIn?: string;
}

export interface ChainJson {
  trailArn: string;
  bucket: string;
  prefix: string;
  organizationId?: string;
  accountId: string;
  sourceRegion: string;
  homeRegion: string;
  trailName: string;
  requested: { start: string; end: string };
  found: { start: string; end: string } | null;
  files: FileResult[];
  gaps: { backfill: boolean; from: string; to: string; message: string }[];
  continuity: (TrailEvent & { type: 'continuity' })[];
  links: (TrailEvent & { type: 'link' })[];
  summary: {
    digestFiles: { valid: number; invalid: number };
    backfillDigestFiles: { valid: number; invalid: number };
    logFiles: { valid: number; invalid: number };
  } | null;
  error?: string;
  valid: boolean;
}

const keyDateIso = (d: string) =>
  /^\d{8}T\d{6}Z$/.test(d)
    ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`
    : null;

/** Collects everything; `document()` gives the JSON output. */
export class JsonReporter implements ReportSink {
  readonly chains: ChainJson[] = [];
  private current: ChainJson | undefined;

  chainStart(plan: ChainPlan): void {
    const c = plan.chain;
    this.current = {
      trailArn: plan.trailArn,
      bucket: plan.bucket,
      prefix: c.prefix,
      ...(c.organizationId ? { organizationId: c.organizationId } : {}),
      accountId: c.accountId,
      sourceRegion: c.sourceRegion,
      homeRegion: c.homeRegion,
      trailName: c.trailName,
      requested: { start: formatDisplay(plan.start), end: formatDisplay(plan.end) },
      found: null,
      files: [],
      gaps: [],
      continuity: [],
      links: [],
      summary: null,
      valid: false,
    };
    this.chains.push(this.current);
  }

  event(_plan: ChainPlan, e: TrailEvent): void {
    const c = this.current!;
    if (e.type === 'digest') {
      c.files.push({
        kind: 'digest',
        backfill: e.backfill,
        uri: e.uri,
        verdict: e.verdict,
        reason: e.reason,
        detail: e.detail,
        digestTime: e.digest?.digestEndTime ?? keyDateIso(e.keyDate),
        ...(e.digest ? { digestStartTime: e.digest.digestStartTime, publicKeyFingerprint: e.digest.fingerprint } : {}),
      });
    } else if (e.type === 'log') {
      c.files.push({
        kind: 'log',
        uri: e.uri,
        verdict: e.verdict,
        reason: e.reason,
        detail: e.detail,
        digestTime: e.digestEndTime,
        listedIn: e.digestUri,
      });
    } else if (e.type === 'gap') {
      const from = formatDisplay(e.from);
      const to = formatDisplay(e.to);
      c.gaps.push({
        backfill: e.backfill,
        from,
        to,
        message: `${e.backfill ? '(backfill) ' : ''}No log files were delivered by CloudTrail between ${from} and ${to}`,
      });
    } else if (e.type === 'link') {
      c.links.push(e);
    } else {
      c.continuity.push(e);
    }
  }

  chainEnd(result: ChainResult): void {
    const c = this.current!;
    const k = result.counts;
    if (!k) {
      c.error = result.error;
      return;
    }
    if (k.foundStart !== undefined && k.foundEnd !== undefined) {
      c.found = { start: formatDisplay(k.foundStart), end: formatDisplay(k.foundEnd) };
    }
    c.summary = summaryOf(k);
    c.valid = k.invalidDigests + k.invalidBackfillDigests + k.invalidLogs === 0;
  }

  document(exitCode: number): object {
    const total = {
      digestFiles: { valid: 0, invalid: 0 },
      backfillDigestFiles: { valid: 0, invalid: 0 },
      logFiles: { valid: 0, invalid: 0 },
    };
    for (const c of this.chains) {
      if (!c.summary) continue;
      for (const name of ['digestFiles', 'backfillDigestFiles', 'logFiles'] as const) {
        total[name].valid += c.summary[name].valid;
        total[name].invalid += c.summary[name].invalid;
      }
    }
    return { trails: this.chains, summary: total, exitCode };
  }
}

function summaryOf(k: ChainCounts): NonNullable<ChainJson['summary']> {
  return {
    digestFiles: { valid: k.validDigests, invalid: k.invalidDigests },
    backfillDigestFiles: { valid: k.validBackfillDigests, invalid: k.invalidBackfillDigests },
    logFiles: { valid: k.validLogs, invalid: k.invalidLogs },
  };
}
