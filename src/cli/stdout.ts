/**
 * Write to stdout honouring backpressure, so streaming a huge input to a slow pipe keeps memory bounded.
 * An EPIPE (e.g. `vigil logs cat … | head`) ends the process quietly.
 */
export function writeOut(text: string): Promise<void> | undefined {
  if (process.stdout.write(text)) return undefined;
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
