import type { Command } from 'commander';
import { ZnCodec } from '../../lattice/zn-codec';
import { radiusForBits } from '../../lattice/sphere-count';
import { parseInteger } from '../options';

function positiveInteger(option: string, text: string): number {
  return parseInteger(option.replace(/^--/, ''), text, { min: 1 });
}

/** Parses a comma-separated list of positive integers, naming the option on error. */
function integerList(option: string, text: string): number[] {
  return text.split(',').map((part) => positiveInteger(option, part));
}

/**
 * `spreadvec zn`: facts about spherical Zn codebooks.
 * - `--dim D --r2 R`: one line `nv=… nbit=… natom=…` (exact; sizes the codec
 *   cannot serve, src/lattice/limits.ts, are refused in milliseconds);
 * - `--dims 24,32,40 --bits 16,32,64`: the radius table, the largest r2 whose codes
 *   fit in each bit budget (rows: dims, columns: bits).
 */
export function registerZn(program: Command): void {
  program
    .command('zn')
    .description('size of a spherical Zn codebook (--dim, --r2) or the radius table (--dims, --bits)')
    .option('--dim <d>', 'dimension')
    .option('--r2 <r2>', 'squared radius')
    .option('--dims <list>', 'dimensions of the radius table, e.g. 24,32,40')
    .option('--bits <list>', 'bit budgets of the radius table, e.g. 16,32,64')
    .action((opts: { dim?: string; r2?: string; dims?: string; bits?: string }) => {
      const out: string[] = [];
      if (opts.dim !== undefined || opts.r2 !== undefined) {
        if (opts.dim === undefined || opts.r2 === undefined) throw new RangeError('--dim and --r2 go together');
        const dim = positiveInteger('--dim', opts.dim);
        const r2 = positiveInteger('--r2', opts.r2);
        const codec = new ZnCodec(dim, r2);
        out.push(`nv=${codec.nv} nbit=${codec.nbit} natom=${codec.atoms.length}`);
      }
      if (opts.dims !== undefined || opts.bits !== undefined) {
        const dims = integerList('--dims', opts.dims ?? '24,32,40');
        const bits = integerList('--bits', opts.bits ?? '16,32,64');
        const rows = [['d', ...bits.map((b) => `${b}bit`)]];
        for (const d of dims) rows.push([String(d), ...bits.map((b) => String(radiusForBits(d, b)))]);
        const width = Math.max(...rows.flat().map((s) => s.length));
        for (const row of rows) out.push(row.map((s) => s.padStart(width)).join(' '));
      }
      if (out.length === 0) throw new RangeError('give --dim and --r2, or --dims and --bits');
      process.stdout.write(out.join('\n') + '\n');
    });
}
