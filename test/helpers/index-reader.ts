/**
 * Child process of test/index/readers.test.ts: opens the index at argv[2] read-only,
 * prints `ready`, then for each `search` line on stdin prints one JSON line
 * `{ size, live }`: the index size and how many of its k = 100000 results are live
 * ids, as this process sees them; with argv[3] = `top`, also `top`: the first 10
 * result ids (decimal strings). `exit` closes the index and exits.
 */
import * as readline from 'node:readline';

import { Index } from '../../src/index/vector-index';
import { loadTestEncoder, randomRows } from './test-encoder';

async function main(): Promise<void> {
  const index = await Index.open(process.argv[2], { readOnly: true, loadCatalyzer: loadTestEncoder });
  const q = randomRows(1, index.dim, 77);
  process.stdout.write('ready\n');
  for await (const line of readline.createInterface({ input: process.stdin })) {
    if (line === 'exit') break;
    const { ids } = await index.search(q, 100000);
    const seen: Record<string, unknown> = { size: index.size, live: ids.filter((id) => id >= 0n).length };
    if (process.argv[3] === 'top') seen.top = [...ids.subarray(0, 10)].map(String);
    process.stdout.write(`${JSON.stringify(seen)}\n`);
  }
  await index.close();
  process.exit(0); // stdin's pipe would keep the process alive
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
