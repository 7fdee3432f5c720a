/**
 * The errors spreadvec raises for states and data (argument mistakes stay
 * TypeError/RangeError, naming the argument). Every one is a SpreadvecError with a
 * stable `code`, so that an application can react without parsing messages:
 *
 * | class                    | code                 | when |
 * |--------------------------|----------------------|------|
 * | ClosedError              | `ECLOSED`            | a call on a closed Index or Catalyzer |
 * | ReadOnlyError            | `EREADONLY`          | a write on an index opened read-only |
 * | ConcurrentWriterError    | `ECONCURRENTWRITER`  | another process wrote the index since this one read it |
 * | DimensionMismatchError   | `EDIMENSION`         | vectors, or a catalyzer, of the wrong dimension |
 * | IndexFormatError         | `ENOTINDEX` `EVERSION` `ECORRUPT` `EACCES` `ENOSPC` `EEXIST` `EIO` | storage/errors.ts |
 * | CheckpointError          | `ECHECKPOINT`        | a .pth checkpoint that cannot be read or written |
 */

/** Codes of the errors defined here (IndexFormatError and CheckpointError add theirs). */
export type StateErrorCode = 'ECLOSED' | 'EREADONLY' | 'ECONCURRENTWRITER' | 'EDIMENSION';

/** Base class of every error spreadvec raises for a state or for data. */
export class SpreadvecError extends Error {
  /** Stable machine-readable reason, e.g. `ECLOSED`. */
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A call on an Index (or Catalyzer) after close(). */
export class ClosedError extends SpreadvecError {
  declare readonly code: 'ECLOSED';
  constructor(message: string) {
    super(message, 'ECLOSED');
  }
}

/** A write (add, remove) on an index opened with `readOnly: true`. */
export class ReadOnlyError extends SpreadvecError {
  declare readonly code: 'EREADONLY';
  constructor(message: string) {
    super(message, 'EREADONLY');
  }
}

/**
 * Another process committed to the index since this one last read it: only one
 * process may write an index at a time (readers are unlimited).
 */
export class ConcurrentWriterError extends SpreadvecError {
  declare readonly code: 'ECONCURRENTWRITER';
  constructor(message: string) {
    super(message, 'ECONCURRENTWRITER');
  }
}

/**
 * Vectors whose length is not a multiple of the dimension, or a catalyzer whose
 * dimensions differ from the index's.
 */
export class DimensionMismatchError extends SpreadvecError {
  declare readonly code: 'EDIMENSION';
  constructor(message: string) {
    super(message, 'EDIMENSION');
  }
}
