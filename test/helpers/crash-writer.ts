/**
 * Child process of test/index/crash.test.ts: opens the index at argv[2] and adds
 * batches of argv[3] vectors (batch b = randomRows(size, din, 1000 + b)) until it is
 * killed, printing `committed <b>` after each add resolves (the batch is durable).
 */
import { Index } from '../../src/index/vector-index';
import { loadTestEncoder, randomRows } from './test-encoder';

async function main(): Promise<void> {
  const [dir, sizeArg, batchesArg] = process.argv.slice(2);
  const size = Number(sizeArg);
  const index = await Index.open(dir, { loadCatalyzer: loadTestEncoder });
  for (let b = 0; b < Number(batchesArg); b++) {
    await index.add(randomRows(size, index.dim, 1000 + b));
    process.stdout.write(`committed ${b}\n`);
  }
  await index.close();
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
