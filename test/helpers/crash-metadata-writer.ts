/**
 * Child process of test/index/crash-metadata.test.ts: opens the index at argv[2] and
 * adds batches of argv[3] vectors with metadata (batch b = randomRows(size, din,
 * 2000 + b), row i's record { batch: b, row: i }) until it is killed, printing
 * `committed <b>` after each add resolves (the batch is durable).
 */
import { Index } from '../../src/index/vector-index';
import { randomRows } from './test-encoder';

async function main(): Promise<void> {
  const [dir, sizeArg, batchesArg] = process.argv.slice(2);
  const size = Number(sizeArg);
  const index = await Index.open(dir);
  for (let b = 0; b < Number(batchesArg); b++) {
    const records = Array.from({ length: size }, (_, i) => ({ batch: b, row: i }));
    await index.add(randomRows(size, index.dim, 2000 + b), undefined, records);
    process.stdout.write(`committed ${b}\n`);
  }
  await index.close();
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
