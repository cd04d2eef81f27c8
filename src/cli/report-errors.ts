import type { ParseIssue } from '../ingest/types.js';

/** `file:line: reason` (or `file@offset`), the one format every command uses for rejected input. */
export function formatIssue(e: ParseIssue): string {
  const where =
    e.line !== undefined && e.line > 0
      ? `${e.file}:${e.line}`
      : e.offset !== undefined
        ? `${e.file}@${e.offset}`
        : e.file;
  return `${where}: ${e.reason}`;
}

/**
 * Prints rejected input to stderr as it happens, up to `limit` lines (then a count), so a huge bad input does not
 * flood the terminal; the total is always in the summary.
 */
export class ErrorPrinter {
  private printed = 0;
  private suppressed = 0;
  constructor(
    private readonly limit = 100,
    private readonly write: (text: string) => void = (t) => process.stderr.write(t),
  ) {}

  issue = (e: ParseIssue): void => {
    if (this.printed < this.limit) {
      this.printed++;
      this.write(`vigil: ${formatIssue(e)}\n`);
    } else {
      this.suppressed++;
    }
  };

  finish(): void {
    if (this.suppressed > 0) this.write(`vigil: … ${this.suppressed} more rejected lines/files not shown\n`);
  }
}

/** Progress on stderr only for an interactive terminal, never under CI or --quiet. */
export function progressEnabled(quiet: boolean): boolean {
  return !quiet && process.stderr.isTTY === true && !process.env.CI;
}

/** A one-line "N files, M records" counter on stderr, shown only when progressEnabled(); cleared by done(). */
export class FileProgress {
  private files = 0;
  private records = 0;
  private readonly enabled: boolean;
  constructor(quiet: boolean) {
    this.enabled = progressEnabled(quiet);
  }

  /** A `fileDone` handler for ingestion, or undefined when progress is off. */
  get onFile(): ((r: { records: number }) => void) | undefined {
    if (!this.enabled) return undefined;
    return (r) => {
      this.files++;
      this.records += r.records;
      process.stderr.write(`\r${this.files} files, ${this.records} records…`);
    };
  }

  done(): void {
    if (this.enabled && this.files > 0) process.stderr.write('\r\x1b[K');
  }
}
