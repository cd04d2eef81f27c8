import type { IncomingMessage } from 'node:http';

/**
 * Read a request body up to `limit` bytes. Past the limit the rest is drained (not kept) so the client still gets
 * its answer, and the promise rejects with `tooLarge()` (each API keeps its own AWS error shape).
 */
export function readBody(req: IncomingMessage, limit: number, tooLarge: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => (size > limit ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
