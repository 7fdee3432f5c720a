/**
 * Child process of test/storage/format.test.ts: creates an index at argv[2] with a test
 * encoder whose checkpoint is padded to argv[3] bytes (so that the create takes a
 * while), printing `created` when done. The test kills it (SIGKILL) midway.
 */
import { Index } from '../../src/index/vector-index';
import { TestEncoder, loadTestEncoder } from './test-encoder';

class PaddedEncoder extends TestEncoder {
  constructor(private readonly pad: number) {
    super(10, 12, 3);
  }
  toCheckpoint(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ kind: 'test-linear', din: this.din, dout: this.dout, seed: this.seed, pad: 'x'.repeat(this.pad) }));
  }
}

async function main(): Promise<void> {
  const [dir, pad] = process.argv.slice(2);
  const index = await Index.create(dir, { catalyzer: new PaddedEncoder(Number(pad)), quantizer: 'zn_8', loadCatalyzer: loadTestEncoder });
  await index.close();
  process.stdout.write('created\n');
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
