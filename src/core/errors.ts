/**
 * Errors a user can cause (bad flags, unreadable input, invalid config). The CLI prints their message
 * without a stack trace and exits with `exitCode` (2 = usage or runtime error, per the CLI contract).
 */
export class VigilError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.exitCode = exitCode;
  }
}

/** Bad command-line usage or configuration: always exit code 2. */
export class UsageError extends VigilError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** Short, single-line description of any thrown value, for error reports. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
