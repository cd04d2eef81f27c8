import type { Sink } from './types.js';

/**
 * Parse one JSON-lines record that must be an object (Route 53 Resolver, WAF, Network Firewall, S3 CloudWatch
 * variant). Reports `invalid JSON: …` or `expected a JSON object (<what>)` and returns undefined on failure.
 */
export function parseJsonObjectLine(
  text: string,
  file: string,
  lineNo: number,
  out: Sink,
  what: string,
): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    out.error({ file, line: lineNo, reason: `invalid JSON: ${(err as Error).message}` });
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.error({ file, line: lineNo, reason: `expected a JSON object (${what})` });
    return undefined;
  }
  return value as Record<string, unknown>;
}

/** Shorten a value quoted in an error reason. */
export function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
