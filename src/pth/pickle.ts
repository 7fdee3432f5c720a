/**
 * A restricted unpickler: the subset of Python's pickle VM (protocols 0–5) that
 * PyTorch checkpoints use.
 *
 * Why by hand rather than the `pickleparser` package: we need (1) a hard guarantee
 * that nothing named in the file is ever imported or called — globals stay inert
 * `PyGlobal` names and only an explicit allow-list of reconstructors is honoured,
 * like PyTorch's `weights_only` unpickler; (2) bounded work and memory on hostile
 * input (every length is checked against the bytes left before anything is
 * allocated; the VM is a single loop, no recursion); and (3) a `CheckpointError` with
 * the byte offset for every failure. That is ~400 lines, smaller than adapting a
 * general unpickler to those rules.
 *
 * Python values map to JS as: None → null, bool → boolean, int → number (bigint
 * beyond 2^53), float → number, str → string, bytes → Uint8Array, list/tuple/set →
 * array (tuples frozen), dict/OrderedDict → plain object (keys as strings; attributes
 * set on a dict by BUILD, such as a state_dict's `_metadata`, become non-enumerable
 * properties), numpy bool/int/uint/float scalars → boolean/number/bigint
 * (numpy-scalar.ts), an instance of an allow-listed record class (argparse.Namespace)
 * → plain object of its state with a non-enumerable `__class__` ("module.Name").
 * Instances of any other class are refused.
 *
 * Bounded work: copies made by reconstructors and BUILD are charged against a
 * budget proportional to the pickle's size, and the finished value is walked once
 * (iteratively) to refuse cycles, nesting deeper than MAX_DEPTH and a tree larger
 * than MAX_TREE_SIZE counted with shared references expanded — so that a later deep
 * copy, traversal or re-pickling of the value (writeCheckpoint, JSON) is bounded too,
 * however many times a small memoized list is referenced ("billion laughs").
 */
import { CheckpointError } from './checkpoint-error';
import { NUMPY_CALLABLES, NumpyDtype } from './numpy-scalar';

/** A global name found in the pickle. Never resolved to code. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A reconstructor the caller allows: receives the REDUCE arguments, returns the value. */
export type Callable = (args: unknown[]) => unknown;

export interface UnpickleOptions {
  /** Allowed REDUCE targets by qualified name, in addition to the built-in ones. */
  callables?: ReadonlyMap<string, Callable>;
  /** Resolves a persistent id (PyTorch's storages). Without it, persistent ids are errors. */
  persistentLoad?: (pid: unknown) => unknown;
}

const dictObjects = new WeakSet<object>();

/** A new empty Python dict (plain object, tracked so that SETITEM accepts it). */
export function newDict(): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  dictObjects.add(d);
  return d;
}

/** Defines a key without ever touching the prototype (a key "__proto__" is just a key). */
function setKey(target: object, key: unknown, value: unknown, enumerable = true): void {
  let k: string;
  if (typeof key === 'string') k = key;
  else if (typeof key === 'number' || typeof key === 'bigint' || typeof key === 'boolean') k = String(key);
  else if (key === null) k = 'None';
  else throw new CheckpointError(`unsupported dict key of type ${describe(key)}`);
  Object.defineProperty(target, k, { value, enumerable, writable: true, configurable: true });
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyGlobal) return v.qualified;
  if (Array.isArray(v)) return Object.isFrozen(v) ? 'tuple' : 'list';
  return typeof v;
}

/** Bytes as a latin1 string (TextDecoder's 'latin1' is really windows-1252). */
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

function newRecord(cls: PyGlobal): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  Object.defineProperty(r, '__class__', { value: cls.qualified, enumerable: false });
  return r;
}

function toBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new CheckpointError('_codecs.encode of a non-latin1 string');
    out[i] = c;
  }
  return out;
}

/**
 * Classes whose instances are plain data records: the trainer's arguments. Anything
 * else named by INST/OBJ/NEWOBJ (os.system, subprocess.Popen, …) is refused rather
 * than read as an inert record, so that a file cannot pass off an arbitrary class.
 */
export const RECORD_CLASSES: ReadonlySet<string> = new Set(['argparse.Namespace']);

/** Container classes NEWOBJ may create (as an empty dict / list). */
const CONTAINER_CLASSES = new Map<string, 'dict' | 'list'>([
  ['builtins.dict', 'dict'],
  ['__builtin__.dict', 'dict'],
  ['collections.OrderedDict', 'dict'],
  ['builtins.list', 'list'],
  ['__builtin__.list', 'list'],
  ['builtins.set', 'list'],
  ['__builtin__.set', 'list'],
]);

/** Most nesting a value may have (a checkpoint needs about 5 levels). */
export const MAX_DEPTH = 100;
/**
 * Most nodes the value may have as a tree, i.e. with every shared reference counted
 * each time it is reached (strings and bytes weigh 1 + length/64). A paper
 * checkpoint with 160 epochs of logs has a few thousand.
 */
export const MAX_TREE_SIZE = 1_000_000;

/** Reconstructors every pickle may use: containers only, nothing with side effects. */
const BUILTIN_CALLABLES = new Map<string, Callable>([
  [
    'collections.OrderedDict',
    (args) => {
      const d = newDict();
      const items = args[0];
      if (Array.isArray(items)) for (const kv of items) if (Array.isArray(kv) && kv.length === 2) setKey(d, kv[0], kv[1]);
      return d;
    },
  ],
  ['builtins.set', (args) => (Array.isArray(args[0]) ? [...args[0]] : [])],
  ['builtins.frozenset', (args) => Object.freeze(Array.isArray(args[0]) ? [...args[0]] : [])],
  ['__builtin__.set', (args) => (Array.isArray(args[0]) ? [...args[0]] : [])],
  ['__builtin__.frozenset', (args) => Object.freeze(Array.isArray(args[0]) ? [...args[0]] : [])],
  ['builtins.bytearray', (args) => (args[0] instanceof Uint8Array ? args[0] : typeof args[0] === 'string' ? toBytes(args[0]) : new Uint8Array(0))],
  [
    '_codecs.encode',
    (args) => {
      if (typeof args[0] !== 'string') throw new CheckpointError('_codecs.encode expects a string');
      return toBytes(args[0]);
    },
  ],
  ...NUMPY_CALLABLES,
]);

/** copyreg._reconstructor(cls, base, state): how protocols 0–1 pickle class instances. */
const RECONSTRUCTORS = new Set(['copyreg._reconstructor', 'copy_reg._reconstructor']); // copy_reg: the Python 2 name

const MAX_INT_BYTES = 1024;
const decoder = new TextDecoder('utf-8');
const MARK = Symbol('mark');

/**
 * Runs one pickle starting at `start`. Returns the value and the offset just after
 * its STOP opcode. Throws CheckpointError on anything else.
 */
export function unpickle(bytes: Uint8Array, start = 0, options: UnpickleOptions = {}): { value: unknown; end: number } {
  // A plain view: Buffer#slice would share memory where we want copies.
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return run(bytes, start, options);
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    // A JS error here (e.g. APPEND on a frozen tuple) means the pickle is malformed.
    throw new CheckpointError(`malformed pickle: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function run(bytes: Uint8Array, start: number, options: UnpickleOptions): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.length;
  let pos = start;
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const callables = options.callables;
  // Elements that reconstructors and BUILD may copy in all: the VM's own opcodes
  // only move what earlier opcodes pushed, but a memoized list can be copied anew
  // by each REDUCE that names it.
  let copyBudget = 8 * n + (1 << 20);
  const charge = (k: number): void => {
    copyBudget -= k;
    if (copyBudget < 0) fail('pickle copies more data than its size justifies');
  };
  const shallowSize = (v: unknown): number => {
    if (typeof v === 'string' || Array.isArray(v) || v instanceof Uint8Array) return v.length + 1;
    if (typeof v === 'object' && v !== null) return Object.keys(v).length + 1;
    return 1;
  };

  const fail = (what: string): never => {
    throw new CheckpointError(`${what} at byte ${pos}`);
  };
  const need = (k: number): void => {
    if (k < 0 || pos + k > n) fail('truncated pickle');
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++];
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = (): number => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    const lo = u32();
    const hi = u32();
    if (hi > 0x1fffff) fail('length too large');
    return hi * 2 ** 32 + lo;
  };
  const take = (k: number): Uint8Array => {
    need(k);
    const s = bytes.subarray(pos, pos + k);
    pos += k;
    return s;
  };
  const line = (): string => {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) fail('truncated pickle (no end of line)');
    const s = decoder.decode(bytes.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = marks.pop();
    if (prev === undefined) fail('no MARK');
    stack = prev as unknown[];
    return items;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) fail(`memo key ${i} missing`);
    return memo.get(i);
  };
  const littleInt = (b: Uint8Array): number | bigint => {
    if (b.length === 0) return 0;
    if (b.length > MAX_INT_BYTES) fail('integer too large');
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const textInt = (s: string): number | bigint => {
    const t = s.endsWith('L') ? s.slice(0, -1) : s;
    if (!/^[+-]?\d+$/.test(t) || t.length > 2 * MAX_INT_BYTES) fail(`bad integer literal '${s.slice(0, 20)}'`);
    const v = BigInt(t);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const call = (fn: unknown, args: unknown): unknown => {
    if (!(fn instanceof PyGlobal)) fail(`REDUCE on a ${describe(fn)}`);
    if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
    const g = fn as PyGlobal;
    for (const a of args as unknown[]) charge(shallowSize(a));
    if (RECONSTRUCTORS.has(g.qualified)) return instantiate((args as unknown[])[0], g.qualified);
    const impl = callables?.get(g.qualified) ?? BUILTIN_CALLABLES.get(g.qualified);
    if (!impl) fail(`refusing to call ${g.qualified} (not on the allow-list)`);
    return (impl as Callable)(args as unknown[]);
  };
  const instantiate = (cls: unknown, opcode: string): unknown => {
    if (!(cls instanceof PyGlobal)) fail(`${opcode} on a ${describe(cls)}`);
    const g = cls as PyGlobal;
    const container = CONTAINER_CLASSES.get(g.qualified);
    if (container) return container === 'dict' ? newDict() : [];
    if (!RECORD_CLASSES.has(g.qualified)) {
      fail(`refusing to instantiate ${g.qualified} (not on the allow-list of record classes)`);
    }
    return newRecord(g);
  };
  const build = (obj: unknown, state: unknown): void => {
    if (obj instanceof NumpyDtype) return obj.setState(state);
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj) || ArrayBuffer.isView(obj)) {
      fail(`BUILD on a ${describe(obj)}`);
    }
    const target = obj as object;
    const enumerable = !dictObjects.has(target); // attributes of a dict stay out of its items
    const parts = Array.isArray(state) && state.length === 2 ? state : [state, null];
    for (const part of parts) {
      if (part === null) continue;
      if (typeof part !== 'object' || Array.isArray(part)) fail('BUILD state is not a dict');
      const entries = Object.entries(part as object);
      charge(entries.length);
      for (const [k, v] of entries) setKey(target, k, v, enumerable);
    }
  };

  for (;;) {
    if (pos >= n) fail('truncated pickle (no STOP)');
    const op = bytes[pos++];
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME: a length hint only
        u64();
        break;
      case 0x2e: // STOP
        if (marks.length !== 0) fail('MARK left open at STOP');
        if (stack.length !== 1) fail(`STOP with ${stack.length} values on the stack`);
        checkTree(stack[0], fail);
        return { value: stack[0], end: pos };
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length === 0) popMark();
        else stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x49: {
        // INT (protocol 0): also encodes bools as 00/01
        const s = line();
        stack.push(s === '01' ? true : s === '00' ? false : textInt(s));
        break;
      }
      case 0x4c: // LONG (protocol 0)
        stack.push(textInt(line()));
        break;
      case 0x4a:
        stack.push(i32());
        break;
      case 0x4b:
        stack.push(u8());
        break;
      case 0x4d:
        stack.push(u16());
        break;
      case 0x8a: // LONG1
        stack.push(littleInt(take(u8())));
        break;
      case 0x8b: {
        // LONG4
        const len = i32();
        if (len < 0) fail('negative length');
        stack.push(littleInt(take(len)));
        break;
      }
      case 0x46: {
        // FLOAT (protocol 0)
        const s = line().trim();
        const v = Number(s);
        if (Number.isNaN(v) && !/^[+-]?nan$/i.test(s)) fail(`bad float literal '${s.slice(0, 20)}'`);
        stack.push(v);
        break;
      }
      case 0x47: // BINFLOAT, big-endian
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(decoder.decode(take(u32())));
        break;
      case 0x56: {
        // UNICODE (protocol 0): raw-unicode-escape, i.e. latin1 plus \uXXXX / \UXXXXXXXX
        const nl = bytes.indexOf(0x0a, pos);
        if (nl < 0) fail('truncated pickle (no end of line)');
        const raw = latin1(bytes.subarray(pos, nl));
        pos = nl + 1;
        stack.push(raw.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u4: string | undefined, u8hex: string | undefined) => {
          const cp = parseInt(u4 ?? u8hex ?? '0', 16);
          return cp <= 0x10ffff ? String.fromCodePoint(cp) : fail('bad \\U escape');
        }));
        break;
      }
      case 0x8c: // SHORT_BINUNICODE
        stack.push(decoder.decode(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(decoder.decode(take(u64())));
        break;
      case 0x55: // SHORT_BINSTRING (py2 str): latin1
        stack.push(latin1(take(u8())));
        break;
      case 0x54: {
        // BINSTRING
        const len = i32();
        if (len < 0) fail('negative length');
        stack.push(latin1(take(len)));
        break;
      }
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(take(u64()).slice());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(Object.freeze([]));
        break;
      case 0x85:
        stack.push(Object.freeze([pop()]));
        break;
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push(Object.freeze([a, b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(Object.freeze([a, b, c]));
        break;
      }
      case 0x74: // TUPLE
        {
        const items = popMark(); // before reading `stack`: popMark replaces it
        stack.push(Object.freeze(items));
        break;
      }
      case 0x5d: // EMPTY_LIST
      case 0x8f: // EMPTY_SET
        stack.push([]);
        break;
      case 0x6c: {
        // LIST
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x91: {
        // FROZENSET
        const items = popMark();
        stack.push(Object.freeze(items));
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail(`APPEND to a ${describe(list)}`);
        (list as unknown[]).push(v);
        break;
      }
      case 0x65: // APPENDS
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail(`APPENDS to a ${describe(list)}`);
        for (const v of items) (list as unknown[]).push(v);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(newDict());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        if (items.length % 2) fail('odd number of DICT items');
        const d = newDict();
        for (let i = 0; i < items.length; i += 2) setKey(d, items[i], items[i + 1]);
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        const d = top() as object;
        if (!dictObjects.has(d)) fail(`SETITEM on a ${describe(d)}`);
        setKey(d, k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = top() as object;
        if (!dictObjects.has(d)) fail(`SETITEMS on a ${describe(d)}`);
        if (items.length % 2) fail('odd number of SETITEMS items');
        for (let i = 0; i < items.length; i += 2) setKey(d, items[i], items[i + 1]);
        break;
      }
      case 0x63: {
        // GLOBAL
        const mod = line();
        stack.push(new PyGlobal(mod, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const mod = pop();
        if (typeof mod !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(new PyGlobal(mod as string, name as string));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(call(fn, args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        pop(); // constructor arguments: the state comes with BUILD
        stack.push(instantiate(pop(), 'NEWOBJ'));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop();
        pop();
        stack.push(instantiate(pop(), 'NEWOBJ_EX'));
        break;
      }
      case 0x69: {
        // INST (protocol 0)
        const mod = line();
        const name = line();
        popMark();
        stack.push(instantiate(new PyGlobal(mod, name), 'INST'));
        break;
      }
      case 0x6f: {
        // OBJ (protocol 1)
        const items = popMark();
        if (items.length === 0) fail('OBJ without a class');
        stack.push(instantiate(items[0], 'OBJ'));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        build(top(), state);
        break;
      }
      case 0x70: // PUT
        memo.set(Number(textInt(line())), top());
        break;
      case 0x71:
        memo.set(u8(), top());
        break;
      case 0x72:
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
        stack.push(memoGet(Number(textInt(line()))));
        break;
      case 0x68:
        stack.push(memoGet(u8()));
        break;
      case 0x6a:
        stack.push(memoGet(u32()));
        break;
      case 0x51: {
        // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail('persistent id without a loader');
        stack.push(options.persistentLoad!(pid));
        break;
      }
      case 0x50: {
        // PERSID
        const pid = line();
        if (!options.persistentLoad) fail('persistent id without a loader');
        stack.push(options.persistentLoad!(pid));
        break;
      }
      default:
        pos--;
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

/**
 * Walks the finished value once, iteratively: refuses a cycle, nesting deeper than
 * MAX_DEPTH, or more than MAX_TREE_SIZE nodes counting shared references each time.
 * Each container's children are charged when it is entered, so the walk itself
 * does at most MAX_TREE_SIZE steps.
 */
function checkTree(root: unknown, fail: (what: string) => never): void {
  let size = 1;
  const onPath = new Set<object>();
  const todo: { v: unknown; depth: number; leave: boolean }[] = [{ v: root, depth: 0, leave: false }];
  const weight = (v: unknown): number => (typeof v === 'string' || v instanceof Uint8Array ? 1 + Math.floor(v.length / 64) : 1);
  while (todo.length) {
    const { v, depth, leave } = todo.pop()!;
    if (typeof v !== 'object' || v === null || v instanceof PyGlobal || ArrayBuffer.isView(v)) continue;
    if (leave) {
      onPath.delete(v);
      continue;
    }
    if (onPath.has(v)) fail('cyclic value (a container holds itself)');
    if (depth >= MAX_DEPTH) fail(`value nested deeper than ${MAX_DEPTH} levels`);
    const children = Array.isArray(v) ? v : Object.getOwnPropertyNames(v).map((k) => (v as Record<string, unknown>)[k]);
    for (const c of children) size += weight(c);
    if (size > MAX_TREE_SIZE) fail(`value too large (more than ${MAX_TREE_SIZE} nodes with shared references expanded)`);
    onPath.add(v);
    todo.push({ v, depth, leave: true });
    for (const c of children) if (typeof c === 'object' && c !== null) todo.push({ v: c, depth: depth + 1, leave: false });
  }
}
