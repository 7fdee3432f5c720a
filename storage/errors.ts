/**
 * The store's error for its files: a directory that is not a (readable, intact)
 * spreadvec index, or a file-system failure while reading or writing one. `code`
 * says which, so that an application can react without parsing messages
 * (docs/format.md lists the codes). A SpreadvecError (src/errors.ts), like the
 * store's two state errors, ReadOnlyError and ConcurrentWriterError.
 */
import { SpreadvecError } from '../src/errors';

/**
 * - `ENOTINDEX`: the path is not a spreadvec index (missing, not a directory, no
 *   `index.mdb`, not an LMDB file, an LMDB file of another application);
 * - `EVERSION`: the index has a format version newer than this code reads;
 * - `ECORRUPT`: the index is damaged (truncated file, bad LMDB pages, a checksum or a
 *   cross-check that fails);
 * - `EACCES`: permission denied on a path of the index;
 * - `ENOSPC`: no space left on the device (or LMDB's map is full) while writing;
 * - `EEXIST`: create found something at the path;
 * - `EIO`: any other file-system error (its errno is in the message).
 */
export type IndexErrorCode = 'ENOTINDEX' | 'EVERSION' | 'ECORRUPT' | 'EACCES' | 'ENOSPC' | 'EEXIST' | 'EIO';

/** Error for a directory or file that is not a readable, intact spreadvec index. */
export class IndexFormatError extends SpreadvecError {
  declare readonly code: IndexErrorCode;
  /** The file or directory the error is about, when there is one. */
  readonly path: string | undefined;

  constructor(message: string, code: IndexErrorCode = 'ENOTINDEX', path?: string) {
    super(message, code);
    this.path = path;
  }
}

/** A damaged index (`ECORRUPT`). */
export function corruptError(file: string, what: string): IndexFormatError {
  return new IndexFormatError(`corrupt index ${file}: ${what}`, 'ECORRUPT', file);
}

/**
 * Translates a file-system or LMDB error met while working on `target` into an
 * IndexFormatError with a one-line message that names the path; returns other
 * errors (and SpreadvecErrors, whose `code` is not an errno) unchanged.
 */
export function storeIoError(e: unknown, target: string, doing: string): unknown {
  if (e instanceof SpreadvecError || !(e instanceof Error)) return e;
  const errno = (e as NodeJS.ErrnoException).code;
  const msg = e.message;
  // LMDB reports a full disk as EIO from its write, or MDB_MAP_FULL (-30792).
  if (errno === 'ENOSPC' || /MDB_MAP_FULL|No space left/i.test(msg)) {
    return new IndexFormatError(`no space left on device while ${doing} ${target}`, 'ENOSPC', target);
  }
  if (errno === 'EACCES' || errno === 'EPERM' || /Permission denied|EACCES/i.test(msg)) {
    return new IndexFormatError(`permission denied while ${doing} ${target}`, 'EACCES', target);
  }
  if (errno === 'EROFS' || /Read-only file system/i.test(msg)) {
    return new IndexFormatError(`read-only file system while ${doing} ${target}`, 'EACCES', target);
  }
  if (errno === 'EISDIR') return new IndexFormatError(`${target} is a directory (while ${doing} it)`, 'ENOTINDEX', target);
  if (errno === 'ENOTDIR') return new IndexFormatError(`a part of ${target} is not a directory (while ${doing} it)`, 'ENOTINDEX', target);
  if (errno === 'EIO' || /Input\/output error/i.test(msg)) {
    return new IndexFormatError(`input/output error while ${doing} ${target} (a failing or full disk?)`, 'EIO', target);
  }
  if (errno && /^E[A-Z]+$/.test(errno)) return new IndexFormatError(`${errno} while ${doing} ${target}: ${msg.split('\n')[0]}`, 'EIO', target);
  return e;
}
