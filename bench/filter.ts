/**
 * Two benchmarks of filtering (docs/filtering.md, docs/BENCHMARKS.md):
 *
 * 1. `--tables` (default): the cost of MetadataTables.allowedSlots, declared fields
 *    (field-index scans) against undeclared ones (record reads), at a given slot
 *    count, beside the baseline of `matches` over the same records held in memory
 *    (what a post-filter in user code pays per search, without the LMDB reads).
 *
 *      npx tsx bench/filter.ts --n 100000
 *
 * 2. `--search`: filtered search on SIFT (bench/filter-search.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { open } from 'lmdb';

import { checkSchema, compileWhere, matches, type Metadata, type Schema, type Where } from '../src/filter';
import { MetadataTables } from '../storage/metadata';
import { numberArg, rng } from './util';

if (process.argv.includes('--search')) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./filter-search');
} else {
  tablesBench();
}

function tablesBench(): void {
  const n = numberArg('n', 100000);
  const repeats = numberArg('repeats', 5);
  const random = rng(16);
  const records: Metadata[] = Array.from({ length: n }, () => ({
    tenant: `t${Math.floor(random() * 10)}`,
    price: Math.round(random() * 100000) / 100,
    tags: random() < 0.1 ? ['new', 'sale'] : ['old'],
  }));
  const seen = Array.from({ length: 1000 }, () => BigInt(Math.floor(random() * n)));

  const CASES: [string, Where][] = [
    ['tenant eq (10%)', { tenant: 't3' }],
    ['price range (1%)', { price: { gte: 100, lt: 110 } }],
    ['tags has (10%)', { tags: { has: 'new' } }],
    ['tenant ne (90%)', { tenant: { ne: 't3' } }],
    ['tenant + price (1%)', { tenant: 't3', price: { lt: 100 } }],
    ['id notIn 1000 + tenant', { id: { notIn: seen }, tenant: 't3' }],
  ];

  function median(xs: number[]): number {
    return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  }

  function time(fn: () => unknown): number {
    const t = [];
    for (let r = 0; r < repeats; r++) {
      const s = process.hrtime.bigint();
      fn();
      t.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    return median(t);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spreadvec-filter-bench-'));
  try {
    const result: Record<string, Record<string, string>> = {};
    const baseline = new Map<string, number>();
    for (const [label, schema] of [['declared', checkSchema({ tenant: 'string', price: 'number', tags: 'string[]' })], ['undeclared', undefined]] as [string, Schema | undefined][]) {
      const env = open({ path: path.join(dir, `${label}.mdb`), noSubdir: true, maxDbs: 16, noSync: true });
      const tables = new MetadataTables(env, schema);
      const t0 = Date.now();
      for (let b = 0; b < n; b += 10000) env.transactionSync(() => { for (let i = b; i < Math.min(n, b + 10000); i++) tables.put(i, records[i]); });
      console.log(`${label}: wrote ${n} records in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      for (const [name, where] of CASES) {
        const compiled = compileWhere(where, schema);
        const txn = env.useReadTransaction();
        let count = 0;
        const ms = time(() => {
          const bits = tables.allowedSlots(compiled, n, txn, (id) => (id < BigInt(n) ? Number(id) : undefined));
          count = 0;
          for (const x of bits) for (let v = x; v; v &= v - 1) count++;
        });
        txn.done();
        // The baseline once per predicate (its semantics do not depend on the schema).
        const base = baseline.get(name) ?? time(() => records.reduce((c, r, i) => c + (matches(compiled, r, BigInt(i)) ? 1 : 0), 0));
        baseline.set(name, base);
        (result[name] ??= {})[label] = `${ms.toFixed(1)} ms (${count} slots)`;
        result[name]['in-memory matches'] = `${base.toFixed(1)} ms`;
        result[name][`${label}/in-memory`] = (ms / base).toFixed(2);
      }
      void env.close();
    }
    console.log(`allowedSlots at ${n} slots, median of ${repeats}`);
    console.table(result);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
