/**
 * Lattice-versus-PQ benchmark: `npx tsx bench/pq.ts [options]`, the same as
 * `spreadvec bench [options]` (src/eval/pq-bench.ts; options in either spelling,
 * e.g. --train_size or --train-size, --no-speed, --catalyzer ckpt.pth, --plot file.svg).
 */
process.argv.splice(2, 0, 'bench');
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('../src/cli/main');
