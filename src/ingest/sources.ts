import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describeError, VigilError } from '../core/errors.js';

/**
 * One readable input: a local file, stdin, or an S3 object. `open` returns the raw (possibly gzip) byte stream;
 * decompression and format sniffing happen later, on content.
 */
export interface InputUnit {
  /** Name used in errors and record origins: a path, `-` for stdin, or `s3://bucket/key`. */
  name: string;
  /** Local path when the unit is a local file (worker threads can only open those). */
  localPath?: string;
  size?: number;
  open(): Promise<Readable>;
}

/** S3 access settings, mirroring the AWS CLI (`--endpoint-url`, `--profile`, `--region`). */
export interface S3SourceOptions {
  endpointUrl?: string;
  profile?: string;
  region?: string;
}

export interface ExpandOptions {
  s3?: S3SourceOptions;
  /** Report a whole input that cannot be read (missing path, S3 listing failure); expansion goes on. */
  onInputError(name: string, reason: string): void;
}

/** Folders that hold no logs (CloudTrail digest files are verified by `vigil trail validate`, not ingested). */
const SKIPPED_DIRS = new Set(['CloudTrail-Digest', 'node_modules', '.git']);
/** Files found while walking a directory that are documentation, not logs (a file named explicitly is always read). */
const NOT_LOGS = /^(README|LICENSE|NOTICE|UPSTREAM-LICENSE|COPYING)(\.[a-z]+)?$|\.(md|pem|sig)$/i;

/**
 * Expand CLI inputs into units: files as given, directories recursively in sorted order (so runs are
 * deterministic), `-` as stdin, `s3://bucket/prefix` as every object under the prefix.
 */
export async function* expandInputs(inputs: string[], opts: ExpandOptions): AsyncGenerator<InputUnit> {
  for (const input of inputs) {
    if (input === '-') {
      yield { name: '-', open: async () => process.stdin };
      continue;
    }
    if (input.startsWith('s3://')) {
      const { listS3Objects } = await import('./s3-source.js');
      try {
        for await (const unit of listS3Objects(input, opts.s3 ?? {})) yield unit;
      } catch (err) {
        if (err instanceof VigilError) throw err;
        opts.onInputError(input, `cannot list S3 objects: ${describeError(err)}`);
      }
      continue;
    }
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(input);
    } catch (err) {
      opts.onInputError(input, describeError(err));
      continue;
    }
    if (info.isDirectory()) {
      yield* walk(input, opts);
    } else {
      yield localUnit(input, info.size);
    }
  }
}

/**
 * Read size for local files. Kept below V8's large-object threshold so decoded chunk strings die young: 1 MiB chunks
 * went to large-object space and doubled peak RSS while streaming multi-GB inputs, for no speed gain.
 */
export const READ_CHUNK = 64 * 1024;

function localUnit(path: string, size: number): InputUnit {
  return { name: path, localPath: path, size, open: async () => createReadStream(path, { highWaterMark: READ_CHUNK }) };
}

async function* walk(dir: string, opts: ExpandOptions): AsyncGenerator<InputUnit> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    opts.onInputError(dir, describeError(err));
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) yield* walk(path, opts);
    } else if (entry.isFile()) {
      let size = 0;
      try {
        size = (await stat(path)).size;
      } catch (err) {
        opts.onInputError(path, describeError(err));
        continue;
      }
      if (NOT_LOGS.test(entry.name)) continue;
      yield localUnit(path, size);
    }
  }
}
