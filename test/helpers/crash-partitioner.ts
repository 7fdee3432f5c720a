/**
 * Child process of test/index/partition-crash.test.ts: opens the index at argv[2]
 * (no automatic compaction), prints `ready`, partitions it into argv[3] lists, prints
 * `partitioned <nlist>` once partition() resolves (durable), and exits. The test
 * kills it at some moment in between.
 */
import { Index } from '../../src/index/vector-index';
import { loadTestEncoder } from './test-encoder';

async function main(): Promise<void> {
  const index = await Index.open(process.argv[2], { loadCatalyzer: loadTestEncoder, compactAt: false });
  process.stdout.write('ready\n');
  const { nlist } = await index.partition({ nlist: Number(process.argv[3]) });
  process.stdout.write(`partitioned ${nlist}\n`);
  await index.close();
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
