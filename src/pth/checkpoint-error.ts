import { SpreadvecError } from '../errors';

/** Raised for any checkpoint that cannot be read or written: truncated, corrupt, hostile or unsupported. */
export class CheckpointError extends SpreadvecError {
  /** Why the checkpoint was refused, e.g. "truncated pickle at byte 120". */
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`invalid checkpoint: ${reason}`, 'ECHECKPOINT', options);
    this.reason = reason;
  }
}
