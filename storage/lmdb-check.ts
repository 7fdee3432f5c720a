/**
 * Structural check of an LMDB data file, done in JavaScript with plain reads before
 * LMDB maps the file. LMDB trusts its file: a page number past the end of a
 * truncated file is a SIGBUS, a garbled node offset or key size a SIGSEGV, a branch
 * page with one key an assertion (abort). None of those can be caught, so an index
 * is only handed to LMDB after this walk has seen every page LMDB could touch.
 *
 * The layout is that of the LMDB bundled by lmdb-js 3 (its `mdb.master3` branch,
 * node_modules/lmdb/dependencies/lmdb/libraries/liblmdb/mdb.c), 64-bit build:
 *
 * page header (PAGEHDRSZ = 24): pgno u64 @0, txnid u64 @8, pad u16 @16, flags u16 @18,
 *   lower u16 @20 and upper u16 @22 (overflow pages: page count u32 @20). The node
 *   offsets (u16) start at @24; offsets, lower and upper count from byte 24 (PAGEBASE).
 * MDB_meta at @24 of pages 0 and 1: magic u32 (0xBEEFC0DE), version u32 (2), address
 *   u64, mapsize u64, two MDB_db (free pages, main), last_pg u64, txnid u64, boot_id.
 *   Transaction N writes meta page N % 2; LMDB uses the one with the larger txnid.
 * MDB_db (48 bytes): pad u32 (the page size, in the free db of a meta), flags u16,
 *   depth u16, branch_pages, leaf_pages, overflow_pages, entries, root (u64 each;
 *   root ~0 = empty).
 * MDB_node: lo u16, hi u16, flags u16, ksize u16, key, data. Branch: child pgno =
 *   lo | hi << 16 | flags << 32. Leaf: data size = lo | hi << 16; F_BIGDATA data is
 *   MDB_ovpage (pgno, txnid, pages: u64 each); F_SUBDATA data is an MDB_db (a
 *   named database, in the main db).
 */
import * as fs from 'node:fs';

import { corruptError, IndexFormatError } from './errors';

const LMDB_MAGIC = 0xbeefc0de;
const LMDB_DATA_VERSION = 2;
const PAGEHDRSZ = 24;
const META_SIZE = 144; // magic … txnid, the fields checked here (boot_id follows)
const DB_SIZE = 48;
const OVPAGE_SIZE = 24;
const NODE_HDR = 8;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const F_DUPDATA = 0x04;
const MDB_DUPSORT = 0x04;
const MDB_INTEGERKEY = 0x08;
const MDB_REVERSEKEY = 0x02;
const P_INVALID = 0xffffffffffffffffn;
const MIN_PAGESIZE = 512;
const MAX_PAGESIZE = 0x10000;
/** Deepest B-tree accepted (LMDB's cursor stack holds 32 levels). */
const MAX_DEPTH = 32;

interface DbRecord {
  flags: number;
  depth: number;
  branch: number;
  leaf: number;
  overflow: number;
  entries: number;
  /** −1: empty database. */
  root: number;
}

interface MetaPage {
  pageSize: number;
  lastPage: number;
  txnid: bigint;
  free: DbRecord;
  main: DbRecord;
}

/** What the walk found: sizes for a verify() report. */
export interface LmdbFileReport {
  pageSize: number;
  /** Pages in the file. */
  filePages: number;
  /** Last page LMDB has allocated (its meta's last_pg). */
  lastPage: number;
  /** Transaction id of the meta page in use. */
  txnid: bigint;
  /** Pages reachable from the meta (meta pages included). */
  pagesReached: number;
  /** Named databases and their entry counts. */
  databases: Map<string, number>;
}

function u64(b: Buffer, at: number, file: string, what: string): number {
  const v = b.readBigUInt64LE(at);
  if (v === P_INVALID) return -1;
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw corruptError(file, `${what} is ${v}`);
  return Number(v);
}

function readDb(b: Buffer, at: number, file: string, what: string): DbRecord {
  return {
    flags: b.readUInt16LE(at + 4),
    depth: b.readUInt16LE(at + 6),
    branch: u64(b, at + 8, file, `${what} branch page count`),
    leaf: u64(b, at + 16, file, `${what} leaf page count`),
    overflow: u64(b, at + 24, file, `${what} overflow page count`),
    entries: u64(b, at + 32, file, `${what} entry count`),
    root: u64(b, at + 40, file, `${what} root page`),
  };
}

/** Reads `length` bytes at `position`; fewer at the end of the file. */
function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got === length ? buf : buf.subarray(0, got);
}

function parseMeta(head: Buffer, index: number, file: string): MetaPage {
  const what = `LMDB meta page ${index}`;
  if (head.length < PAGEHDRSZ + META_SIZE) throw corruptError(file, `${what} is truncated (the file is too short)`);
  const pgno = head.readBigUInt64LE(0);
  const flags = head.readUInt16LE(18);
  if (pgno !== BigInt(index) || (flags & P_META) === 0) throw corruptError(file, `${what} has a bad page header (page ${pgno}, flags 0x${flags.toString(16)})`);
  const magic = head.readUInt32LE(PAGEHDRSZ);
  if (magic !== LMDB_MAGIC) throw corruptError(file, `${what} has a bad magic number 0x${magic.toString(16)}`);
  const version = head.readUInt32LE(PAGEHDRSZ + 4) & 0xffff;
  if (version !== LMDB_DATA_VERSION) throw corruptError(file, `${what} has LMDB data version ${version}, expected ${LMDB_DATA_VERSION}`);
  const free = readDb(head, PAGEHDRSZ + 24, file, `${what} free db`);
  const main = readDb(head, PAGEHDRSZ + 24 + DB_SIZE, file, `${what} main db`);
  const pageSize = head.readUInt32LE(PAGEHDRSZ + 24);
  if (pageSize < MIN_PAGESIZE || pageSize > MAX_PAGESIZE || (pageSize & (pageSize - 1)) !== 0) {
    throw corruptError(file, `${what} has an impossible page size ${pageSize}`);
  }
  const lastPage = u64(head, PAGEHDRSZ + 24 + 2 * DB_SIZE, file, `${what} last page`);
  const mapSize = head.readBigUInt64LE(PAGEHDRSZ + 16);
  if (mapSize > 1n << 46n) throw corruptError(file, `${what} has an impossible map size ${mapSize}`);
  const txnid = head.readBigUInt64LE(PAGEHDRSZ + 32 + 2 * DB_SIZE);
  if (lastPage < 1) throw corruptError(file, `${what} has last page ${lastPage}`);
  if (txnid !== 0n && Number(txnid & 1n) !== index) throw corruptError(file, `${what} holds transaction ${txnid}, which belongs on the other meta page`);
  for (const [name, db] of [['free', free], ['main', main]] as const) {
    if (db.root === 0 || db.root === 1 || db.root > lastPage) throw corruptError(file, `${what} has ${name} db root page ${db.root} outside 2..${lastPage}`);
    if (db.branch + db.leaf + db.overflow > lastPage) throw corruptError(file, `${what} counts more ${name} db pages than the file has`);
  }
  return { pageSize, lastPage, txnid, free, main };
}

/**
 * Order of two keys of one page, given as (offset, length): byte-wise (LMDB's
 * default), or for MDB_INTEGERKEY as unsigned native (little-endian) integers.
 */
function compareKeys(page: Buffer, integer: boolean, a: number, alen: number, b: number, blen: number): number {
  if (!integer) return page.compare(page, b, b + blen, a, a + alen);
  if (alen !== blen) return alen - blen;
  const hi = alen === 8 ? page.readUInt32LE(a + 4) - page.readUInt32LE(b + 4) : 0;
  return hi !== 0 ? hi : page.readUInt32LE(a) - page.readUInt32LE(b);
}

/** Pages are read in blocks: B-trees built by appends lie mostly in file order. */
class PageReader {
  private readonly blocks = new Map<number, Buffer>();
  private static readonly BLOCK = 1 << 16;
  private static readonly KEEP = 256;
  pagesRead = 0;

  constructor(
    readonly fd: number,
    readonly pageSize: number,
  ) {}

  page(pgno: number): Buffer {
    this.pagesRead++;
    const pos = pgno * this.pageSize;
    const start = Math.floor(pos / PageReader.BLOCK) * PageReader.BLOCK;
    let block = this.blocks.get(start);
    if (!block) {
      block = readAt(this.fd, PageReader.BLOCK, start);
      if (this.blocks.size >= PageReader.KEEP) this.blocks.delete(this.blocks.keys().next().value as number);
      this.blocks.set(start, block);
    }
    const page = block.subarray(pos - start, pos - start + this.pageSize);
    return page.length === this.pageSize ? page : readAt(this.fd, this.pageSize, pos);
  }
}

class Walker {
  private readonly seen: Uint8Array;
  readonly databases = new Map<string, number>();
  reached = 2;

  constructor(
    private readonly file: string,
    private readonly reader: PageReader,
    private readonly meta: MetaPage,
    /** Pages that exist in both the file and LMDB's allocation. */
    private readonly usablePages: number,
    /** Also check key order (verify); the open-time walk checks what LMDB could crash on. */
    private readonly deep: boolean,
  ) {
    this.seen = new Uint8Array(usablePages);
    this.seen[0] = this.seen[1] = 1;
  }

  private fail(what: string): never {
    throw corruptError(this.file, what);
  }

  private claim(pgno: number, count: number, db: string): void {
    if (pgno < 2 || pgno + count > this.usablePages) {
      const end = pgno + count - 1;
      if (pgno >= 2 && end <= this.meta.lastPage) this.fail(`db '${db}' uses page ${end}, past the end of the file (${this.usablePages} pages): the file is truncated`);
      this.fail(`db '${db}' refers to page ${pgno}${count > 1 ? `..${end}` : ''}, outside 2..${this.meta.lastPage}`);
    }
    for (let p = pgno; p < pgno + count; p++) {
      if (this.seen[p]) this.fail(`page ${p} is used twice (db '${db}')`);
      this.seen[p] = 1;
    }
    this.reached += count;
  }

  /** Walks one database; returns nothing, counts into `databases`. */
  walkDb(name: string, rec: DbRecord, isFree: boolean): void {
    const flags = isFree ? MDB_INTEGERKEY : rec.flags;
    if (!isFree && (flags & (MDB_DUPSORT | MDB_REVERSEKEY)) !== 0) this.fail(`db '${name}' has flags 0x${flags.toString(16)} that spreadvec never writes`);
    if (rec.root === -1) {
      if (rec.entries !== 0 || rec.depth !== 0) this.fail(`db '${name}' is empty but records ${rec.entries} entries`);
      if (!isFree) this.databases.set(name, 0);
      return;
    }
    if (rec.depth < 1 || rec.depth > MAX_DEPTH) this.fail(`db '${name}' has depth ${rec.depth}`);
    const counts = { branch: 0, leaf: 0, overflow: 0, entries: 0 };
    this.walkPage(name, rec.root, rec.depth, flags, isFree, counts, name === '' && !isFree);
    if (counts.entries !== rec.entries || counts.branch !== rec.branch || counts.leaf !== rec.leaf || counts.overflow !== rec.overflow) {
      this.fail(
        `db '${name}' records ${rec.entries} entries in ${rec.branch}+${rec.leaf}+${rec.overflow} pages, its tree holds ${counts.entries} in ${counts.branch}+${counts.leaf}+${counts.overflow}`,
      );
    }
    if (!isFree) this.databases.set(name, rec.entries);
  }

  private walkPage(
    db: string,
    pgno: number,
    levels: number,
    dbFlags: number,
    isFree: boolean,
    counts: { branch: number; leaf: number; overflow: number; entries: number },
    isMain: boolean,
  ): void {
    this.claim(pgno, 1, db);
    const ps = this.reader.pageSize;
    const page = this.reader.page(pgno);
    const label = `page ${pgno} (db '${db}')`;
    if (page.readBigUInt64LE(0) !== BigInt(pgno)) this.fail(`${label} holds page number ${page.readBigUInt64LE(0)}`);
    if (page.readBigUInt64LE(8) > this.meta.txnid) this.fail(`${label} was written by transaction ${page.readBigUInt64LE(8)}, after the last commit ${this.meta.txnid}`);
    const flags = page.readUInt16LE(18);
    const isBranch = levels > 1;
    if (flags !== (isBranch ? P_BRANCH : P_LEAF)) this.fail(`${label} has flags 0x${flags.toString(16)}, expected a ${isBranch ? 'branch' : 'leaf'} page`);
    const lower = page.readUInt16LE(20);
    const upper = page.readUInt16LE(22);
    const room = ps - PAGEHDRSZ;
    if (lower % 2 !== 0 || lower > upper || upper > room) this.fail(`${label} has bad bounds ${lower}/${upper}`);
    const nkeys = lower >> 1;
    if (nkeys === 0 || (isBranch && nkeys < 2 && !isFree)) this.fail(`${label} has ${nkeys} keys`);
    const integer = (dbFlags & MDB_INTEGERKEY) !== 0;
    let prevAt = -1;
    let prevLen = 0;
    if (isBranch) counts.branch++;
    else counts.leaf++;
    for (let i = 0; i < nkeys; i++) {
      const off = page.readUInt16LE(PAGEHDRSZ + 2 * i);
      if (off < upper || off + NODE_HDR > room) this.fail(`${label} node ${i} at bad offset ${off}`);
      const at = PAGEHDRSZ + off;
      const lo = page.readUInt16LE(at);
      const hi = page.readUInt16LE(at + 2);
      const nflags = page.readUInt16LE(at + 4);
      const ksize = page.readUInt16LE(at + 6);
      const keyAt = at + NODE_HDR;
      if (keyAt + ksize > ps) this.fail(`${label} node ${i} has a key of ${ksize} bytes past the page end`);
      // Branch node 0 has no key (it covers everything left of node 1).
      if (!(isBranch && i === 0)) {
        if (integer && ksize !== 4 && ksize !== 8) this.fail(`${label} node ${i} has an integer key of ${ksize} bytes`);
        if (this.deep && prevAt >= 0 && compareKeys(page, integer, prevAt, prevLen, keyAt, ksize) >= 0) {
          this.fail(`${label} keys are out of order at node ${i}`);
        }
        prevAt = keyAt;
        prevLen = ksize;
      }
      if (isBranch) {
        const child = lo + hi * 0x10000 + nflags * 0x100000000;
        this.walkPage(db, child, levels - 1, dbFlags, isFree, counts, isMain);
        continue;
      }
      counts.entries++;
      const size = lo + hi * 0x10000;
      const dataAt = keyAt + ksize;
      if ((nflags & ~(F_BIGDATA | F_SUBDATA)) !== 0 || (nflags & F_DUPDATA) !== 0) this.fail(`${label} node ${i} has flags 0x${nflags.toString(16)}`);
      if (nflags & F_BIGDATA) {
        if (dataAt + OVPAGE_SIZE > ps) this.fail(`${label} node ${i} overflow reference past the page end`);
        const first = u64(page, dataAt, this.file, `${label} overflow page`);
        const npages = u64(page, dataAt + 16, this.file, `${label} overflow page count`);
        const want = Math.floor((PAGEHDRSZ - 1 + size) / ps) + 1;
        if (npages !== want) this.fail(`${label} node ${i}: ${size} bytes need ${want} overflow pages, it records ${npages}`);
        this.claim(first, npages, db);
        const ov = this.reader.page(first);
        if (ov.readBigUInt64LE(0) !== BigInt(first) || ov.readUInt16LE(18) !== P_OVERFLOW || ov.readUInt32LE(20) !== npages) {
          this.fail(`overflow page ${first} (db '${db}') has a bad header`);
        }
        counts.overflow += npages;
        if (isFree) this.checkFreeList(readAt(this.reader.fd, size, first * ps + PAGEHDRSZ), size, label);
        continue;
      }
      if (dataAt + size > ps) this.fail(`${label} node ${i} data of ${size} bytes runs past the page end`);
      if (isFree) this.checkFreeList(page.subarray(dataAt, dataAt + size), size, label);
      if (nflags & F_SUBDATA) {
        const data = page.subarray(dataAt, dataAt + size);
        if (!isMain) this.fail(`${label} node ${i} is a sub-database outside the main db`);
        if (size !== DB_SIZE) this.fail(`${label} node ${i}: a sub-database record of ${size} bytes`);
        // lmdb-js stores database names with a trailing NUL.
        const name = page.toString('latin1', keyAt, keyAt + ksize).replace(/\0$/, '');
        this.walkDb(name, readDb(data, 0, this.file, `db '${name}'`), false);
      }
    }
  }

  private readonly freeLists: { data: Buffer; label: string }[] = [];

  /**
   * A free-list record is an ID list: a count, then that many page numbers (u64
   * each). LMDB copies `count` entries (a larger count reads past the record) and
   * will write over the pages it lists, so they must be real, unused pages.
   */
  private checkFreeList(data: Buffer, size: number, label: string): void {
    if (size < 8 || size % 8 !== 0 || data.length !== size) this.fail(`${label}: a free-list record of ${size} bytes`);
    const n = data.readBigUInt64LE(0);
    if (n > BigInt(size / 8 - 1)) this.fail(`${label}: a free-list record claims ${n} pages in ${size} bytes`);
    this.freeLists.push({ data, label });
  }

  /** After the walk: each listed free page lies in 2..last_pg and is used by no tree. */
  checkFreePages(): void {
    for (const { data, label } of this.freeLists) {
      const n = Number(data.readBigUInt64LE(0));
      for (let i = 1; i <= n; i++) {
        const v = data.readBigInt64LE(8 * i);
        // lmdb-js may keep run lengths as negative entries; they name no page.
        if (v <= 0n) continue;
        if (v > BigInt(this.meta.lastPage) || v < 2n) this.fail(`${label}: free-list entry ${v} outside 2..${this.meta.lastPage}`);
        if (Number(v) < this.seen.length && this.seen[Number(v)]) this.fail(`${label}: page ${v} is both free and in use`);
      }
    }
  }
}

/**
 * Checks the LMDB data file `file` (a regular file, already stat-ed by the caller)
 * before LMDB opens it: both meta pages, and every page reachable from the one in
 * use (page header, bounds, node offsets, key order, overflow runs, page counts,
 * and that each lies inside the file). Throws IndexFormatError: ENOTINDEX when the
 * file is not LMDB at all, ECORRUPT when it is damaged.
 */
export function checkLmdbFile(file: string, options: { deep?: boolean } = {}): LmdbFileReport {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new IndexFormatError(`not a spreadvec index: ${file} is not a regular file`, 'ENOTINDEX', file);
    const size = st.size;
    const head0 = readAt(fd, PAGEHDRSZ + META_SIZE, 0);
    if (head0.length < PAGEHDRSZ + 4 || head0.readUInt32LE(PAGEHDRSZ) !== LMDB_MAGIC) {
      throw new IndexFormatError(`not a spreadvec index: ${file} is not an LMDB environment (no LMDB magic number)`, 'ENOTINDEX', file);
    }
    const m0 = parseMeta(head0, 0, file);
    const ps = m0.pageSize;
    if (size < 2 * ps) throw corruptError(file, `the file is truncated (${size} bytes, less than its two ${ps}-byte meta pages)`);
    const m1 = parseMeta(readAt(fd, PAGEHDRSZ + META_SIZE, ps), 1, file);
    if (m1.pageSize !== ps) throw corruptError(file, `the LMDB meta pages disagree on the page size (${ps}, ${m1.pageSize})`);
    // Transaction N writes meta page N % 2, so the two hold consecutive transactions
    // (or both 0 before the first commit).
    const gap = m0.txnid > m1.txnid ? m0.txnid - m1.txnid : m1.txnid - m0.txnid;
    if (gap !== 1n && !(m0.txnid === 0n && m1.txnid === 0n)) throw corruptError(file, `the LMDB meta pages hold transactions ${m0.txnid} and ${m1.txnid}, not consecutive`);
    // LMDB (without MDB_PREVSNAPSHOT, which spreadvec never sets) uses the newer meta.
    const meta = m0.txnid >= m1.txnid ? m0 : m1;
    const filePages = Math.floor(size / ps);
    // LMDB maps (last_pg + 1) pages. The file may end a little before last_pg (pages
    // freed in the transaction that allocated them are never written), but a last_pg
    // far past the end is garbage, and one past the address space crashes LMDB.
    if (meta.lastPage + 1 > 2 * filePages + 1024 || (meta.lastPage + 1) * ps > 2 ** 46) {
      throw corruptError(file, `the LMDB meta page says the file has ${meta.lastPage + 1} pages, it holds ${filePages}: the file is truncated or the meta page garbled`);
    }
    const usable = Math.min(filePages, meta.lastPage + 1);
    const reader = new PageReader(fd, ps);
    const walker = new Walker(file, reader, meta, usable, options.deep ?? false);
    walker.walkDb('free pages', meta.free, true);
    walker.walkDb('', meta.main, false);
    walker.checkFreePages();
    walker.databases.delete('');
    return { pageSize: ps, filePages, lastPage: meta.lastPage, txnid: meta.txnid, pagesReached: walker.reached, databases: walker.databases };
  } finally {
    fs.closeSync(fd);
  }
}
