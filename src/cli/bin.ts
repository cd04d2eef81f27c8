#!/usr/bin/env node
import { run } from './main.js';

// Vigil supports Node >= 20.19; the AWS SDK's multi-line notice about its own future Node 22 requirement would
// otherwise interleave with every command's stderr output. Users can still opt back in by setting it to "false".
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`vigil: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
