/**
 * Metadata in the index's LMDB environment: one record per slot, and for the fields
 * of the schema an ordered index of (field, value, slot) keys. The IndexStore owns a
 * MetadataTables and calls its writes inside its own write transactions, so that the
 * metadata and the vectors of a batch commit together; reads take the caller's read
 * transaction, so that a search sees the metadata of the vectors it scans.
 *
 * Databases (named in layout.ts's DB table):
 * - `metadata`       (uint32 slot → record, sealed with a CRC-32 over slot and bytes);
 * - `metadata-index` (binary key: field, value, slot → empty value), schema fields only;
 *   an array field has one key per distinct element.
 */
import { crc32 } from 'node:zlib';
import type { RootDatabase, Database, Transaction } from 'lmdb';

import {
  checkMetadata, elementType, evaluate, schemaKey,
  type CompiledWhere, type HasNode, type IdNode, type InNode, type Metadata, type MetadataValue, type RangeNode,
  type Scalar, type ScalarType, type Schema, type WhereNode,
} from '../src/filter';
import { corruptError } from './errors';
import { DB, seal } from './layout';
import { boundRange, decodeRecord, encodeRecord, equalRange, fieldSelection, fieldTypePrefix, type FieldSelection, indexKey, slotOfKey } from './metadata-codec';
import { popcount } from '../src/bitmap';

export const METADATA_DB = { records: DB.metadata, index: DB.metadataIndex } as const;

const EMPTY = Buffer.alloc(0);

/** id → its live slot, or undefined (the store's `ids` map). */
export type ResolveIdSlot = (id: bigint) => number | undefined;

/** Bit `i` of a slot bitmap: byte i >> 3, bit i & 7 (LSB first), as storage's removed bitmap. */
export function hasBit(bits: Uint8Array, i: number): boolean {
  return (bits[i >> 3] & (1 << (i & 7))) !== 0;
}

function setBit(bits: Uint8Array, i: number): void {
  bits[i >> 3] |= 1 << (i & 7);
}

const slotKey = Buffer.alloc(4);

/**
 * Length of the payload of a value sealed by layout.ts's seal(slot key, payload), or
 * -1 when its CRC does not match. The same check as layout.ts's unseal, done with two
 * calls of zlib's native crc32 and no Buffer made: a record scan checks millions of
 * ~50-byte values, where unseal's table loop and copies cost 2 µs each
 * (test/storage/metadata.test.ts holds the two to the same answers).
 */
export function sealedPayloadEnd(slot: number, value: Uint8Array): number {
  const end = value.byteLength - 4;
  if (end < 0) return -1;
  slotKey.writeUInt32LE(slot);
  const crc = crc32(value.subarray(0, end), crc32(slotKey));
  const stored = (value[end] | (value[end + 1] << 8) | (value[end + 2] << 16) | (value[end + 3] << 24)) >>> 0;
  return crc === stored ? end : -1;
}

function slotKeyBytes(slot: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(slot);
  return b;
}

/**
 * The metadata tables of one index. Writes (`put`, `remove`, `move`, `patch`) use
 * lmdb-js's synchronous calls and must run inside the caller's `transactionSync`, so
 * they commit or abort with the vectors of the same batch. Reads take the caller's
 * read transaction. Open the two databases only through this class: lmdb-js
 * misreads a database opened twice in one environment with different key encodings.
 */
export class MetadataTables {
  // Undefined only in a read-only environment that has no metadata yet (an index
  // written before metadata existed): lmdb-js cannot create a database there.
  private readonly records: Database<Buffer, number> | undefined;
  private readonly index: Database<Buffer, Buffer> | undefined;
  /** Schema fields → key prefix of their values' type. */
  private readonly prefixes = new Map<string, Buffer>();
  private readonly schemaKey: string;

  /**
   * Opens (creating if need be) the two databases in `env`; `schema` is the index's
   * (checkSchema'd) schema, undefined when it has none. `file` names the index in errors.
   */
  constructor(env: RootDatabase, readonly schema: Schema | undefined, private readonly file = 'index') {
    this.records = env.openDB<Buffer, number>({ name: METADATA_DB.records, encoding: 'binary', keyEncoding: 'uint32' }) ?? undefined;
    this.index = env.openDB<Buffer, Buffer>({ name: METADATA_DB.index, encoding: 'binary', keyEncoding: 'binary' }) ?? undefined;
    for (const [field, type] of Object.entries(schema ?? {})) {
      this.prefixes.set(field, fieldTypePrefix(field, (elementType(type) ?? type) as ScalarType));
    }
    this.schemaKey = schemaKey(schema);
  }

  /** Whether any slot has a record (in `txn`, or the current write transaction). */
  hasRecords(txn?: Transaction): boolean {
    if (!this.records) return false;
    for (const _key of this.records.getKeys({ limit: 1, ...(txn ? { transaction: txn } : {}) })) return true;
    return false;
  }

  /** The record of `slot`, or undefined when it has none. Throws ECORRUPT on a damaged record. */
  get(slot: number, txn?: Transaction): Metadata | undefined {
    const raw = this.records?.get(slot, txn ? { transaction: txn } : undefined);
    return raw === undefined ? undefined : this.decode(slot, raw);
  }

  private decode(slot: number, raw: Uint8Array, only?: FieldSelection): Metadata {
    const end = sealedPayloadEnd(slot, raw);
    const record = end < 0 ? null : decodeRecord(raw, only, end);
    if (!record) throw corruptError(this.file, `metadata record of slot ${slot} is damaged`);
    return record;
  }

  /**
   * Sets the record of `slot` (replacing any), checked against the schema (errors name
   * `path`). Call inside a write transaction.
   */
  put(slot: number, record: Metadata, path = 'metadata'): void {
    checkMetadata(record, this.schema, path);
    const old = this.get(slot);
    if (old) this.unindex(slot, old, Object.keys(old));
    this.write(slot, record);
    this.reindex(slot, record, Object.keys(record));
  }

  /** Removes the record of `slot` and its index keys (nothing when it has none). */
  remove(slot: number): void {
    const old = this.get(slot);
    if (!old) return;
    this.unindex(slot, old, Object.keys(old));
    this.writable().records.removeSync(slot);
  }

  /**
   * Moves the record of `from` to `to` (compaction, regrouping): `to`'s record, if any,
   * is replaced, `from` ends with none. A no-op when from === to.
   */
  move(from: number, to: number): void {
    if (from === to) return;
    this.remove(to);
    const record = this.get(from);
    if (!record) return;
    this.remove(from);
    this.write(to, record);
    this.reindex(to, record, Object.keys(record));
  }

  /**
   * Updates fields of `slot`'s record (a slot without one starts from `{}`): the fields
   * of `set` take their new values, those in `unset` go; only their index keys change.
   * The merged record is checked (errors name `path`). Returns it.
   */
  patch(slot: number, set: Metadata, unset: readonly string[] = [], path = 'metadata'): Metadata {
    const old = this.get(slot) ?? {};
    const next: Record<string, MetadataValue> = { ...old };
    for (const f of unset) delete next[f];
    Object.assign(next, set);
    checkMetadata(next, this.schema, path);
    const changed = [...new Set([...unset, ...Object.keys(set)])];
    this.unindex(slot, old, changed);
    this.write(slot, next);
    this.reindex(slot, next, changed);
    return next;
  }

  private writable(): { records: Database<Buffer, number>; index: Database<Buffer, Buffer> } {
    if (!this.records || !this.index) throw new TypeError('metadata: the environment is read-only and has no metadata tables');
    return { records: this.records, index: this.index };
  }

  private write(slot: number, record: Metadata): void {
    this.writable().records.putSync(slot, seal(slotKeyBytes(slot), encodeRecord(record)));
  }

  /** The distinct index keys of `fields` of `record` at `slot` (declared fields only). */
  private *keysOf(slot: number, record: Metadata, fields: readonly string[]): Generator<Buffer> {
    for (const field of fields) {
      const prefix = this.prefixes.get(field);
      const value = record[field];
      if (!prefix || value === undefined) continue;
      // A Set of the elements: duplicates (and -0 beside 0) give one key.
      const values = Array.isArray(value) ? new Set(value as readonly Scalar[]) : [value as Scalar];
      for (const v of values) yield indexKey(prefix, v, slot);
    }
  }

  private unindex(slot: number, record: Metadata, fields: readonly string[]): void {
    for (const key of this.keysOf(slot, record, fields)) this.writable().index.removeSync(key);
  }

  private reindex(slot: number, record: Metadata, fields: readonly string[]): void {
    for (const key of this.keysOf(slot, record, fields)) this.writable().index.putSync(key, EMPTY);
  }

  /**
   * The slots in [0, nslots) whose record (none counts as `{}`) matches `compiled`, as a
   * bitmap of ceil(nslots / 8) bytes, bit per slot, LSB first (the layout of the
   * removed bitmap). Conditions on schema fields are answered from the field index;
   * others (the array equalities, every field of an index without a schema) by
   * reading records, only those of slots still possible when an `and` has narrowed
   * them. `id` conditions are resolved once through `resolveIdSlot`. Removed slots
   * are not excluded here: the scan skips them.
   */
  allowedSlots(compiled: CompiledWhere, nslots: number, txn: Transaction, resolveIdSlot: ResolveIdSlot): Uint8Array {
    if (compiled.schemaKey !== this.schemaKey) {
      throw new TypeError('allowedSlots: the predicate was compiled for another schema than the index\'s');
    }
    return new SlotEvaluation(this, nslots, txn, resolveIdSlot).run(compiled.root);
  }

  /**
   * Full check for IndexStore.verify, in `txn`: every record is of a live slot and
   * intact, its declared fields have their index keys, and the field index holds no
   * other key. Throws ECORRUPT at the first fault; returns the counts checked.
   */
  verify(txn: Transaction, isLive: (slot: number) => boolean): { records: number; indexKeys: number } {
    let records = 0;
    let expected = 0;
    const declared = [...this.prefixes.keys()];
    for (const { key, value } of this.records?.getRange({ transaction: txn }) ?? []) {
      if (!isLive(key)) throw corruptError(this.file, `slot ${key} has a metadata record but is not live`);
      const record = this.decode(key, value);
      for (const k of this.keysOf(key, record, declared)) {
        if (this.index?.get(k, { transaction: txn }) === undefined) throw corruptError(this.file, `the field index lacks a key of slot ${key}'s record`);
        expected++;
      }
      records++;
    }
    let indexKeys = 0;
    for (const _ of this.index?.getKeys({ transaction: txn }) ?? []) indexKeys++;
    if (indexKeys !== expected) throw corruptError(this.file, `the field index holds ${indexKeys} keys, the records give ${expected}`);
    return { records, indexKeys };
  }

  /** @internal Slots of the index keys in [start, end), set in `bits`. */
  scanKeys(start: Buffer, end: Buffer, txn: Transaction, nslots: number, bits: Uint8Array): void {
    if (!this.index) return;
    for (const key of this.index.getKeys({ start, end, transaction: txn })) {
      const slot = slotOfKey(key as Buffer);
      if (slot < nslots) setBit(bits, slot);
    }
  }

  /** @internal The key prefix of a schema field. */
  prefixOf(field: string): Buffer | undefined {
    return this.prefixes.get(field);
  }

  /** @internal Every record of a slot below `nslots`, in slot order, with only the fields of `only`. */
  *scanRecords(nslots: number, txn: Transaction, only: FieldSelection): Generator<[number, Metadata]> {
    if (!this.records) return;
    for (const { key, value } of this.records.getRange({ start: 0, end: nslots, transaction: txn })) {
      yield [key, this.decode(key, value, only)];
    }
  }

  /** @internal The record of a slot, in `txn`, with only the fields of `only`. */
  recordOf(slot: number, txn: Transaction, only: FieldSelection): Metadata | undefined {
    const raw = this.records?.get(slot, { transaction: txn });
    return raw === undefined ? undefined : this.decode(slot, raw, only);
  }
}

/** A candidate set narrower than this share of the slots is read record by record. */
const POINT_READ_SHARE = 1 / 16;

/** One allowedSlots call: bitmaps of the nodes, bottom-up. */
class SlotEvaluation {
  private readonly bytes: number;
  private readonly idBits = new Map<IdNode, Uint8Array>();

  constructor(
    private readonly tables: MetadataTables,
    private readonly nslots: number,
    private readonly txn: Transaction,
    private readonly resolve: ResolveIdSlot,
  ) {
    this.bytes = Math.ceil(nslots / 8);
  }

  run(root: WhereNode): Uint8Array {
    return this.bitmap(root, null);
  }

  private all(): Uint8Array {
    const bits = new Uint8Array(this.bytes).fill(0xff);
    this.clearTail(bits);
    return bits;
  }

  private clearTail(bits: Uint8Array): void {
    if (this.nslots & 7) bits[this.bytes - 1] &= (1 << (this.nslots & 7)) - 1;
  }

  /** Whether the field index alone answers `node`. */
  private indexed(node: WhereNode): boolean {
    switch (node.kind) {
      case 'id': return true;
      case 'and': case 'or': return node.children.every((c) => this.indexed(c));
      case 'not': return this.indexed(node.child);
      case 'arrayEq': return false;
      default: return this.tables.prefixOf(node.field) !== undefined;
    }
  }

  /** Slots of `cand` (null: all) where `node` holds. */
  private bitmap(node: WhereNode, cand: Uint8Array | null): Uint8Array {
    if (!this.indexed(node)) {
      if (node.kind === 'and') {
        let bits = cand;
        const rest: WhereNode[] = [];
        for (const c of node.children) {
          if (this.indexed(c)) bits = this.bitmap(c, bits);
          else rest.push(c);
        }
        return this.scan(rest.length === 1 ? rest[0] : { kind: 'and', children: rest }, bits);
      }
      return this.scan(node, cand);
    }
    switch (node.kind) {
      case 'and': {
        let bits = cand;
        for (const c of node.children) bits = this.bitmap(c, bits);
        return bits ?? this.all();
      }
      case 'or': {
        const out = new Uint8Array(this.bytes);
        for (const c of node.children) {
          const b = this.bitmap(c, cand);
          for (let i = 0; i < out.length; i++) out[i] |= b[i];
        }
        return out;
      }
      case 'not': {
        const inner = this.bitmap(node.child, cand);
        const out = cand ? Uint8Array.from(cand) : this.all();
        for (let i = 0; i < out.length; i++) out[i] &= ~inner[i];
        return out;
      }
      case 'id':
        return intersect(this.idBitmap(node), cand);
      default:
        return intersect(this.fieldBitmap(node as InNode | RangeNode | HasNode), cand);
    }
  }

  private idBitmap(node: IdNode): Uint8Array {
    let bits = this.idBits.get(node);
    if (!bits) {
      bits = new Uint8Array(this.bytes);
      for (const id of node.ids) {
        const slot = this.resolve(id);
        if (slot !== undefined && slot < this.nslots) setBit(bits, slot);
      }
      if (node.negate) {
        for (let i = 0; i < bits.length; i++) bits[i] = ~bits[i];
        this.clearTail(bits);
      }
      this.idBits.set(node, bits);
    }
    return bits;
  }

  /** A condition on a schema field, from the field index. */
  private fieldBitmap(node: InNode | RangeNode | HasNode): Uint8Array {
    const prefix = this.tables.prefixOf(node.field) as Buffer;
    const bits = new Uint8Array(this.bytes);
    const scan = ([start, end]: [Buffer, Buffer], into = bits) => this.tables.scanKeys(start, end, this.txn, this.nslots, into);
    switch (node.kind) {
      case 'has':
        scan(equalRange(prefix, node.value));
        return bits;
      case 'range':
        scan(boundRange(prefix, node.lower, node.lowerInclusive, node.upper, node.upperInclusive));
        return bits;
      case 'in': {
        for (const v of node.values) scan(equalRange(prefix, v));
        if (!node.negate) return bits;
        // notIn: the slots that have the field, less those with one of the values.
        const present = new Uint8Array(this.bytes);
        scan(boundRange(prefix, undefined, false, undefined, false), present);
        for (let i = 0; i < bits.length; i++) present[i] &= ~bits[i];
        return present;
      }
    }
  }

  /** Slots of `cand` (null: all) where `node` holds, by reading their records. */
  private scan(node: WhereNode, cand: Uint8Array | null): Uint8Array {
    const out = new Uint8Array(this.bytes);
    const only = fieldSelection(fieldsOf(node));
    const idHolds = (slot: number) => (n: IdNode) => hasBit(this.idBitmap(n), slot);
    if (cand && popcount(cand) < this.nslots * POINT_READ_SHARE) {
      for (let i = 0; i < this.bytes; i++) {
        if (cand[i] === 0) continue;
        for (let b = 0; b < 8; b++) {
          const slot = i * 8 + b;
          if (cand[i] & (1 << b) && evaluate(node, this.tables.recordOf(slot, this.txn, only), idHolds(slot))) setBit(out, slot);
        }
      }
      return out;
    }
    let next = 0;
    const gap = (until: number) => {
      // Slots without a record: evaluated as {} (a `not`, or an id condition, may hold).
      for (; next < until; next++) {
        if ((!cand || hasBit(cand, next)) && evaluate(node, undefined, idHolds(next))) setBit(out, next);
      }
    };
    for (const [slot, record] of this.tables.scanRecords(this.nslots, this.txn, only)) {
      gap(slot);
      if ((!cand || hasBit(cand, slot)) && evaluate(node, record, idHolds(slot))) setBit(out, slot);
      next = slot + 1;
    }
    gap(this.nslots);
    return out;
  }
}

/** The fields a predicate names. */
function fieldsOf(node: WhereNode, into = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'and': case 'or': for (const c of node.children) fieldsOf(c, into); break;
    case 'not': fieldsOf(node.child, into); break;
    case 'id': break;
    default: into.add(node.field);
  }
  return into;
}

function intersect(bits: Uint8Array, cand: Uint8Array | null): Uint8Array {
  if (!cand) return bits;
  const out = new Uint8Array(bits.length);
  for (let i = 0; i < out.length; i++) out[i] = bits[i] & cand[i];
  return out;
}

