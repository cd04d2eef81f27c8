import { KmsError } from './errors.js';
import type { Input } from './validate.js';

/**
 * Limit/Marker pagination shared by the List* operations. The marker is the opaque offset of the next page; an
 * unreadable one is InvalidMarkerException, as AWS answers.
 */
export function paginate<T>(
  inp: Input,
  items: T[],
  defaultLimit = 100,
): { page: T[]; more: { Truncated: boolean; NextMarker?: string } } {
  const limit = inp.int('Limit', { min: 1, max: 1000 }) ?? defaultLimit;
  const marker = inp.str('Marker', { min: 1, max: 1024 });
  inp.done();
  let start = 0;
  if (marker !== undefined) {
    const m = /^p([0-9]+)$/.exec(Buffer.from(marker, 'base64url').toString('latin1'));
    if (!m) throw new KmsError('InvalidMarkerException', 'The marker is not valid.');
    start = Number(m[1]);
  }
  const page = items.slice(start, start + limit);
  const next = start + limit;
  return next < items.length
    ? { page, more: { Truncated: true, NextMarker: Buffer.from(`p${next}`).toString('base64url') } }
    : { page, more: { Truncated: false } };
}
