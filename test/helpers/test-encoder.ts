/**
 * A deterministic stand-in for the catalyzer in index tests: a seeded random linear
 * map din → dout followed by L2 normalization. Its checkpoint is a small JSON record,
 * read back by `loadTestEncoder` (passed to Index.create/open as loadCatalyzer).
 */
import type { IndexEncoder } from '../../src/index/vector-index';

/** Mulberry32: a tiny seeded PRNG (tests need reproducible data, not quality). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n × dim uniform values in [-1, 1). */
export function randomRows(n: number, dim: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < x.length; i++) x[i] = r() * 2 - 1;
  return x;
}

export class TestEncoder implements IndexEncoder {
  readonly din: number;
  readonly dout: number;
  readonly seed: number;
  private readonly w: Float64Array;
  closed = false;

  constructor(din: number, dout: number, seed = 1) {
    this.din = din;
    this.dout = dout;
    this.seed = seed;
    const r = rng(seed);
    this.w = new Float64Array(din * dout);
    for (let i = 0; i < this.w.length; i++) this.w[i] = r() * 2 - 1;
  }

  /** Synchronous core of encode (tests use it to compute expected results). */
  encodeSync(x: Float32Array | Uint8Array): Float32Array {
    const n = x.length / this.din;
    const y = new Float32Array(n * this.dout);
    const row = new Float64Array(this.dout);
    for (let i = 0; i < n; i++) {
      let norm = 0;
      for (let o = 0; o < this.dout; o++) {
        let s = 0;
        for (let d = 0; d < this.din; d++) s += this.w[o * this.din + d] * x[i * this.din + d];
        row[o] = s;
        norm += s * s;
      }
      norm = Math.sqrt(norm);
      for (let o = 0; o < this.dout; o++) y[i * this.dout + o] = row[o] / norm;
    }
    return y;
  }

  async encode(x: Float32Array | Uint8Array): Promise<Float32Array> {
    if (this.closed) throw new Error('encoder closed');
    return this.encodeSync(x);
  }

  toCheckpoint(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ kind: 'test-linear', din: this.din, dout: this.dout, seed: this.seed }));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export async function loadTestEncoder(bytes: Uint8Array): Promise<IndexEncoder> {
  const o = JSON.parse(new TextDecoder().decode(bytes)) as { kind: string; din: number; dout: number; seed: number };
  if (o.kind !== 'test-linear') throw new Error(`not a test encoder checkpoint: ${o.kind}`);
  return new TestEncoder(o.din, o.dout, o.seed);
}
