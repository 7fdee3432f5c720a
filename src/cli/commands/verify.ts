import type { Command } from 'commander';
import { IndexStore } from '../../../storage/index-store';

/**
 * `spreadvec verify <dir>`: full check of an index directory (Index.verify without
 * loading the catalyzer). Prints one summary line; a damaged index exits 1 with a
 * one-line message (the CLI's error handler).
 */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check an index directory: LMDB pages, checksums, id maps, bitmap and state')
    .argument('<dir>', 'index directory')
    .action(async (dir: string) => {
      const store = IndexStore.open(dir, { readOnly: true });
      try {
        const r = store.verify();
        process.stdout.write(
          `ok: ${dir}: format ${r.formatVersion}${r.checksums ? '' : ' (no checksums)'}, ${r.live} live vectors in ${r.slots} slots (${r.removed} removed), ` +
            `${r.codeChunks} code chunks, ${r.removedChunks} bitmap chunks, ${r.vectors} stored vectors, ${r.trained ? `catalyzer ${r.catalyzerBytes} bytes` : 'untrained'}, ${r.pagesInUse}/${r.filePages} pages of ${r.pageSize} bytes in use\n`,
        );
      } finally {
        await store.close();
      }
    });
}
