/**
 * `npm run examples`: writes the deterministic example data set to examples/ (or `--out <dir>`).
 * See scripts/examples/ for the generator modules and examples/README.md for what it contains.
 */
import { resolve } from 'node:path';
import { generateExamples, writeExamples } from './examples/index.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out');
  const out = resolve(i >= 0 && args[i + 1] ? args[i + 1] : resolve(import.meta.dirname, '../examples'));
  const generated = generateExamples();
  await writeExamples(out, generated);
  const files = generated.manifest.files;
  const bytes = [...generated.files.values()].reduce((n, b) => n + b.length, 0);
  const records = files.reduce((n, f) => n + f.records, 0);
  process.stdout.write(
    `wrote ${generated.files.size} files (${records} records, ${(bytes / 1024 / 1024).toFixed(2)} MiB) to ${out}\n` +
      `scenarios: ${generated.manifest.scenarios.map((s) => s.id).join(', ')}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`generate-examples: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
