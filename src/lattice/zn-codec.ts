/**
 * The spherical Zn lattice codec of "Spreading vectors for similarity search"
 * (Sablayrolles et al., ICLR 2019): codebook S(d, r2) = {z ∈ Z^d : |z|² = r2},
 * each point coded by its exact rank in [0, nv). This class is the pure-TS
 * reference (bigint ranks, any width); its batch methods `quantizeEncode` and
 * `decodeCodes` run the native C++ twin, which is tested byte for byte against
 * `quantizeEncodeBatch` / `decodeBatch` here.
 *
 * Rank layout (docs/lattice.md):
 *   rank   = offset[atom] + within
 *   within = (perm << nnz) | signs
 * - atoms in lexicographically decreasing order, offset = sizes of earlier atoms;
 * - perm = t_0 + R_0 · (t_1 + R_1 · (…)): the atom's distinct values (0 included)
 *   but its most frequent one are placed level by level, largest value first;
 *   level j puts its c_j copies among the n_j positions still free, t_j is the
 *   colex rank of their indices in the ascending list of free positions, and
 *   R_j = C(n_j, c_j). The most frequent value fills what is left.
 * - signs: one bit per nonzero coordinate (set = negative), in placement order:
 *   level by level, each level's positions by decreasing position, then the
 *   positions of the most frequent value (when it is not 0), also decreasing.
 */
import { binomial, bitsFor, colexRank, colexUnrank } from './combinatorics';
import { describeAtom, enumerateAtoms, type AtomInfo } from './atoms';
import { assertFinite, assertInteger, rowsOf } from '../validate';
import * as native from './zn-native';
import { assertDimServed, assertR2Served, MAX_ATOM_ENTRIES, MAX_ATOMS, MAX_BITS, MAX_ENUMERATION_STEPS } from './limits';

/** Element type of decoded batches. */
export type DecodedType = 'int8' | 'float32';

export class ZnCodec {
  /** Dimension d. */
  readonly dim: number;
  /** Squared radius r2. */
  readonly r2: number;
  /** Number of points of the sphere (exact). */
  readonly nv: bigint;
  /** Bits per code: ceil(log2 nv). */
  readonly nbit: number;
  /** Bytes per stored code: ceil(nbit / 8). */
  readonly codeBytes: number;
  /** Sorted non-negative patterns (non-increasing), in rank order. */
  readonly atoms: readonly Int32Array[];

  private readonly info: readonly AtomInfo[];
  /** offsets[a] = first rank of atom a; offsets[natom] = nv. */
  private readonly offsets: readonly bigint[];
  private readonly atomByKey: ReadonlyMap<string, number>;

  /**
   * @param dim dimension 1 ≤ d ≤ 4096
   * @param r2 squared radius 1 ≤ r2 ≤ 2^20; the sphere must hold at least one
   *   integer point, its codes at most 128 bits and its atoms a bounded table
   *   (src/lattice/limits.ts): anything larger is refused in milliseconds
   * @throws TypeError/RangeError naming `dim` or `r2`
   */
  constructor(dim: number, r2: number) {
    assertInteger('dim', dim);
    assertInteger('r2', r2);
    assertDimServed(dim);
    assertR2Served(r2);
    const atoms = enumerateAtoms(dim, r2, {
      maxAtoms: Math.min(MAX_ATOMS, Math.floor(MAX_ATOM_ENTRIES / dim)),
      maxSteps: MAX_ENUMERATION_STEPS,
    });
    if (atoms.length === 0) {
      throw new RangeError(`r2=${r2} gives an empty sphere at dim=${dim}: no integer vector has squared norm ${r2}`);
    }
    this.dim = dim;
    this.r2 = r2;
    this.atoms = atoms;
    this.info = atoms.map(describeAtom);
    const offsets: bigint[] = [0n];
    for (const a of this.info) offsets.push(offsets[offsets.length - 1] + a.size);
    this.offsets = offsets;
    this.nv = offsets[offsets.length - 1];
    this.nbit = bitsFor(this.nv);
    if (this.nbit > MAX_BITS) {
      throw new RangeError(`r2=${r2} at dim=${dim} needs ${this.nbit}-bit codes, more than the ${MAX_BITS} bits the Zn codec serves; use a smaller r2`);
    }
    this.codeBytes = Math.ceil(this.nbit / 8);
    this.atomByKey = new Map(atoms.map((a, i) => [a.join(','), i]));
  }

  /** Number of atoms. */
  get natom(): number {
    return this.atoms.length;
  }

  /**
   * The point z of the sphere maximizing <x, z>. Ties, identical in the native
   * code: coordinates are ordered by |x| decreasing, equal |x| by index; the
   * score of each atom is Σ_i atom[i]·|x|_(i) summed in double in that order, and
   * the first atom (rank order) with the largest score wins; x_i = 0 (or −0) gets
   * a + sign.
   */
  quantize(x: ArrayLike<number>): Int32Array {
    this.checkVector('x', x);
    assertFinite('x', x);
    return this.quantizeUnchecked(x);
  }

  private quantizeUnchecked(x: ArrayLike<number>): Int32Array {
    const d = this.dim;
    const order = Array.from({ length: d }, (_, i) => i);
    const ax = Array.from({ length: d }, (_, i) => Math.abs(x[i]));
    order.sort((i, j) => ax[j] - ax[i] || i - j);
    const sorted = order.map((i) => ax[i]);
    let best = 0;
    let bestScore = -Infinity;
    for (let a = 0; a < this.info.length; a++) {
      const { pattern, nnz } = this.info[a];
      let score = 0;
      for (let i = 0; i < nnz; i++) score += pattern[i] * sorted[i];
      if (score > bestScore) {
        bestScore = score;
        best = a;
      }
    }
    const pattern = this.info[best].pattern;
    const z = new Int32Array(d);
    for (let i = 0; i < d; i++) z[order[i]] = x[order[i]] < 0 ? -pattern[i] : pattern[i];
    return z;
  }

  /**
   * Rank of z in [0, nv).
   * @throws RangeError when z has the wrong length or is not a point of the sphere
   */
  encode(z: ArrayLike<number>): bigint {
    this.checkVector('z', z);
    let norm = 0;
    for (let i = 0; i < z.length; i++) {
      if (!Number.isInteger(z[i])) throw new RangeError(`z must hold integers, got ${z[i]} at index ${i}`);
      norm += z[i] * z[i];
    }
    if (norm !== this.r2) throw new RangeError(`z has squared norm ${norm}, not r2=${this.r2}`);
    const key = Array.from(z, Math.abs)
      .sort((a, b) => b - a)
      .join(',');
    const a = this.atomByKey.get(key);
    if (a === undefined) throw new RangeError(`z is not a point of the sphere (pattern ${key})`);
    const { nnz, levels, implicitValue } = this.info[a];
    // Level j: which of the free positions hold levels[j].value. Sign bits follow
    // the placement order: level by level, each by decreasing position.
    let free = Array.from({ length: this.dim }, (_, p) => p);
    let perm = 0n;
    let radix = 1n;
    let signs = 0n;
    let k = 0n;
    const sign = (p: number): void => {
      if (z[p] < 0) signs |= 1n << k;
      k++;
    };
    for (const { value, count } of levels) {
      const chosen: number[] = [];
      const rest: number[] = [];
      free.forEach((p, q) => (Math.abs(z[p]) === value ? chosen.push(q) : rest.push(p)));
      perm += colexRank(chosen) * radix;
      radix *= binomial(free.length, count);
      if (value !== 0) for (let i = chosen.length - 1; i >= 0; i--) sign(free[chosen[i]]);
      free = rest;
    }
    if (implicitValue !== 0) for (let i = free.length - 1; i >= 0; i--) sign(free[i]);
    const within = (perm << BigInt(nnz)) | signs;
    return this.offsets[a] + within;
  }

  /**
   * The point of rank `code`.
   * @throws RangeError when code is not a bigint in [0, nv)
   */
  decode(code: bigint): Int32Array {
    if (typeof code !== 'bigint') throw new TypeError(`code must be a bigint, got ${typeof code}`);
    if (code < 0n || code >= this.nv) throw new RangeError(`code ${code} is out of range [0, nv=${this.nv})`);
    // Last atom whose offset is ≤ code.
    let lo = 0;
    let hi = this.info.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid] <= code) lo = mid;
      else hi = mid - 1;
    }
    const { nnz, levels, implicitValue } = this.info[lo];
    const within = code - this.offsets[lo];
    let signs = within & ((1n << BigInt(nnz)) - 1n);
    let perm = within >> BigInt(nnz);
    const z = new Int32Array(this.dim).fill(implicitValue);
    const place = (p: number, value: number): void => {
      z[p] = signs & 1n ? -value : value;
      signs >>= 1n;
    };
    let free = Array.from({ length: this.dim }, (_, p) => p);
    for (const { value, count } of levels) {
      const radix = binomial(free.length, count);
      const chosen = colexUnrank(perm % radix, free.length, count);
      perm /= radix;
      for (let i = chosen.length - 1; i >= 0; i--) {
        if (value === 0) z[free[chosen[i]]] = 0;
        else place(free[chosen[i]], value);
      }
      const taken = new Set(chosen);
      free = free.filter((_, q) => !taken.has(q));
    }
    if (implicitValue !== 0) for (let i = free.length - 1; i >= 0; i--) place(free[i], implicitValue);
    return z;
  }

  /**
   * TS reference of the native quantize+encode: n×dim floats to n×codeBytes
   * little-endian ranks.
   */
  quantizeEncodeBatch(x: Float32Array): Uint8Array {
    const n = rowsOf('x', x.length, this.dim);
    assertFinite('x', x);
    const out = new Uint8Array(n * this.codeBytes);
    for (let i = 0; i < n; i++) {
      const z = this.quantizeUnchecked(x.subarray(i * this.dim, (i + 1) * this.dim));
      writeRank(this.encode(z), out, i * this.codeBytes, this.codeBytes);
    }
    return out;
  }

  /** TS reference of the native decode: n×codeBytes ranks to n×dim integers. */
  decodeBatch(codes: Uint8Array): Int32Array {
    const n = this.rowsOfCodes(codes);
    const out = new Int32Array(n * this.dim);
    for (let i = 0; i < n; i++) {
      const rank = readRank(codes, i * this.codeBytes, this.codeBytes);
      if (rank >= this.nv) throw new RangeError(`codes row ${i} holds rank ${rank} ≥ nv=${this.nv}`);
      out.set(this.decode(rank), i * this.dim);
    }
    return out;
  }

  /**
   * Quantize and encode n×dim floats with the native kernel (both cores):
   * n×codeBytes little-endian ranks, identical to quantizeEncodeBatch.
   */
  quantizeEncode(x: Float32Array): Uint8Array {
    return native.quantizeEncode(this.dim, this.r2, x);
  }

  /** quantizeEncode off the main thread. */
  quantizeEncodeAsync(x: Float32Array): Promise<Uint8Array> {
    return native.quantizeEncodeAsync(this.dim, this.r2, x);
  }

  /**
   * Decode n×codeBytes ranks with the native kernel: 'int8' gives the points z
   * (needs r2 ≤ 16129), 'float32' the unit vectors z / sqrt(r2).
   */
  decodeCodes(codes: Uint8Array, as: 'int8'): Int8Array;
  decodeCodes(codes: Uint8Array, as?: 'float32'): Float32Array;
  decodeCodes(codes: Uint8Array, as: DecodedType = 'float32'): Int8Array | Float32Array {
    return native.decode(this.dim, this.r2, codes, as);
  }

  /** decodeCodes off the main thread. */
  decodeCodesAsync(codes: Uint8Array, as: 'int8'): Promise<Int8Array>;
  decodeCodesAsync(codes: Uint8Array, as?: 'float32'): Promise<Float32Array>;
  decodeCodesAsync(codes: Uint8Array, as: DecodedType = 'float32'): Promise<Int8Array | Float32Array> {
    return native.decodeAsync(this.dim, this.r2, codes, as);
  }

  private checkVector(name: string, v: ArrayLike<number>): void {
    if (v == null || typeof v.length !== 'number') throw new TypeError(`${name} must be an array of numbers`);
    if (v.length !== this.dim) throw new RangeError(`${name} has length ${v.length}, expected dim=${this.dim}`);
  }

  private rowsOfCodes(codes: Uint8Array): number {
    if (!(codes instanceof Uint8Array)) throw new TypeError('codes must be a Uint8Array');
    if (codes.length % this.codeBytes !== 0) {
      throw new RangeError(`codes has ${codes.length} bytes, not a multiple of codeBytes=${this.codeBytes}`);
    }
    return codes.length / this.codeBytes;
  }
}

/** Writes rank as `bytes` little-endian bytes at out[offset..]. */
export function writeRank(rank: bigint, out: Uint8Array, offset: number, bytes: number): void {
  let r = rank;
  for (let b = 0; b < bytes; b++) {
    out[offset + b] = Number(r & 0xffn);
    r >>= 8n;
  }
}

/** Reads a little-endian rank of `bytes` bytes at codes[offset..]. */
export function readRank(codes: Uint8Array, offset: number, bytes: number): bigint {
  let r = 0n;
  for (let b = bytes - 1; b >= 0; b--) r = (r << 8n) | BigInt(codes[offset + b]);
  return r;
}
