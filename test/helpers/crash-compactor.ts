/**
 * Child process of test/index/compact-crash.test.ts: opens the index at argv[2]
 * (no automatic compaction), prints `ready`, compacts it, prints `compacted <n>`
 * once compact() resolves (durable), and exits. The test kills it at some moment
 * in between.
 */
import { Index } from '../../src/index/vector-index';
import { loadTestEncoder } from './test-encoder';

async function main(): Promise<void> {
  const index = await Index.open(process.argv[2], { loadCatalyzer: loadTestEncoder, compactAt: false });
  process.stdout.write('ready\n');
  const reclaimed = await index.compact();
  process.stdout.write(`compacted ${reclaimed}\n`);
  await index.close();
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
