/**
 * SHA-256 of a log file's decompressed content, streaming. Decompression runs in libuv's thread pool (async zlib)
 * while hashing runs on the main thread, so validating several files at once overlaps the two.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { constants, createGunzip } from 'node:zlib';

export type LogHash = { ok: true; hex: string; bytes: number } | { ok: false; detail: string };

/**
 * Hash the gunzipped bytes of `source`. A truncated file hashes what could be decompressed (as the AWS CLI does:
 * the result then does not match); corrupt deflate data or a bad gzip CRC is `invalid format`. Unlike the CLI,
 * which stops after the first gzip member, further members are decompressed and hashed too, and bytes after the
 * last member are an error: data appended to a log is reported instead of ignored.
 */
export function hashGzipStream(source: Readable): Promise<LogHash> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH, chunkSize: 1 << 20 });
    let bytes = 0;
    let done = false;
    const fail = (where: string) => (err: Error) => {
      if (done) return;
      done = true;
      source.destroy();
      gunzip.destroy();
      resolve({ ok: false, detail: `${where}: ${err.message}` });
    };
    source.once('error', fail('read failed'));
    gunzip.once('error', fail('not valid gzip'));
    gunzip.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      hash.update(chunk);
    });
    gunzip.once('end', () => {
      if (done) return;
      done = true;
      resolve({ ok: true, hex: hash.digest('hex'), bytes });
    });
    source.pipe(gunzip);
  });
}
