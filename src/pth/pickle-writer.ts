/**
 * A protocol-2 pickler for the plain data of checkpoints (what Python's own pickler
 * emits for the same values, minus the memo): None, bool, int, float, str, bytes,
 * list, dict, plus hooks for globals, persistent ids and reductions so that
 * checkpoint.ts can write tensors, OrderedDict and argparse.Namespace.
 */

export class PickleWriter {
  private buf = new Uint8Array(1024);
  private len = 0;
  private readonly encoder = new TextEncoder();
  private readonly scratch = new DataView(new ArrayBuffer(8));

  constructor() {
    this.byte(0x80, 2); // PROTO 2
  }

  /** Ends the pickle (STOP) and returns its bytes. */
  finish(): Uint8Array {
    this.byte(0x2e);
    return this.buf.slice(0, this.len);
  }

  private grow(k: number): void {
    if (this.len + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + k));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(...values: number[]): void {
    this.grow(values.length);
    for (const v of values) this.buf[this.len++] = v;
  }

  raw(bytes: Uint8Array): void {
    this.grow(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  private u32(v: number): void {
    this.scratch.setUint32(0, v, true);
    this.raw(new Uint8Array(this.scratch.buffer, 0, 4).slice());
  }

  mark(): void {
    this.byte(0x28);
  }
  none(): void {
    this.byte(0x4e);
  }
  emptyTuple(): void {
    this.byte(0x29);
  }
  /** TUPLE from the last MARK. */
  tupleFromMark(): void {
    this.byte(0x74);
  }
  reduce(): void {
    this.byte(0x52);
  }
  newobj(): void {
    this.byte(0x81);
  }
  build(): void {
    this.byte(0x62);
  }
  binpersid(): void {
    this.byte(0x51);
  }
  setitems(): void {
    this.byte(0x75);
  }
  appends(): void {
    this.byte(0x65);
  }
  emptyDict(): void {
    this.byte(0x7d);
  }
  emptyList(): void {
    this.byte(0x5d);
  }

  global(module: string, name: string): void {
    this.byte(0x63);
    this.raw(this.encoder.encode(`${module}\n${name}\n`));
  }

  bool(v: boolean): void {
    this.byte(v ? 0x88 : 0x89);
  }

  int(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v < 256) return this.byte(0x4b, v);
    if (typeof v === 'number' && v >= 0 && v < 65536) return this.byte(0x4d, v & 0xff, v >> 8);
    if (typeof v === 'number' && v >= -(2 ** 31) && v < 2 ** 31) {
      this.byte(0x4a);
      this.scratch.setInt32(0, v, true);
      return this.raw(new Uint8Array(this.scratch.buffer, 0, 4).slice());
    }
    // LONG1: little-endian two's complement, minimal length
    let b = BigInt(v);
    const out: number[] = [];
    for (;;) {
      const byte = Number(b & 0xffn);
      out.push(byte);
      b >>= 8n;
      if ((b === 0n && !(byte & 0x80)) || (b === -1n && byte & 0x80)) break;
    }
    this.byte(0x8a, out.length, ...out);
  }

  float(v: number): void {
    this.byte(0x47);
    this.scratch.setFloat64(0, v, false);
    this.raw(new Uint8Array(this.scratch.buffer, 0, 8).slice());
  }

  str(s: string): void {
    const b = this.encoder.encode(s);
    this.byte(0x58);
    this.u32(b.length);
    this.raw(b);
  }

  bytes(b: Uint8Array): void {
    // Protocol 2 has no bytes opcode: Python writes _codecs.encode(latin1 str, 'latin1').
    this.global('_codecs', 'encode');
    this.mark();
    let latin1 = '';
    for (let i = 0; i < b.length; i++) latin1 += String.fromCharCode(b[i]);
    this.str(latin1);
    this.str('latin1');
    this.tupleFromMark();
    this.reduce();
  }

  /**
   * Writes a JS value as plain Python data. `custom` may write a value itself (return
   * true), e.g. tensors. Numbers that are integers become Python ints, others floats.
   */
  value(v: unknown, custom?: (v: unknown, w: PickleWriter) => boolean, seen = new Set<object>()): void {
    if (custom?.(v, this)) return;
    if (v === null || v === undefined) return this.none();
    if (typeof v === 'boolean') return this.bool(v);
    if (typeof v === 'bigint') return this.int(v);
    if (typeof v === 'number') return Number.isInteger(v) && Number.isSafeInteger(v) ? this.int(v) : this.float(v);
    if (typeof v === 'string') return this.str(v);
    if (v instanceof Uint8Array) return this.bytes(v);
    if (typeof v !== 'object') throw new TypeError(`cannot pickle a ${typeof v}`);
    if (seen.has(v)) throw new TypeError('cannot pickle a cyclic structure');
    seen.add(v);
    if (Array.isArray(v)) {
      this.emptyList();
      if (v.length) {
        this.mark();
        for (const x of v) this.value(x, custom, seen);
        this.appends();
      }
    } else if (ArrayBuffer.isView(v)) {
      throw new TypeError('cannot pickle a typed array outside a tensor');
    } else {
      this.dictItems(v as Record<string, unknown>, custom, seen);
    }
    seen.delete(v);
  }

  /** EMPTY_DICT then the object's own enumerable entries. */
  dictItems(obj: Record<string, unknown>, custom?: (v: unknown, w: PickleWriter) => boolean, seen = new Set<object>()): void {
    this.emptyDict();
    this.setItems(obj, custom, seen);
  }

  /** MARK key value ... SETITEMS on the dict on top of the stack. */
  setItems(obj: Record<string, unknown>, custom?: (v: unknown, w: PickleWriter) => boolean, seen = new Set<object>()): void {
    const entries = Object.entries(obj);
    if (!entries.length) return;
    this.mark();
    for (const [k, x] of entries) {
      this.str(k);
      this.value(x, custom, seen);
    }
    this.setitems();
  }
}
