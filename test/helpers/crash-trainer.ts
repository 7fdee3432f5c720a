/**
 * Child process of test/index/train-crash.test.ts: opens the index at argv[2],
 * prints `ready`, trains it (small settings, seed 3), prints `trained` once train()
 * resolves (durable), and exits. The test kills it at some moment in between.
 */
import { Index } from '../../src/index/vector-index';

async function main(): Promise<void> {
  const index = await Index.open(process.argv[2]);
  process.stdout.write('ready\n');
  await index.train({ epochs: 1, dint: 128, seed: 3 });
  process.stdout.write('trained\n');
  await index.close();
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
