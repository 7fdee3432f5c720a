/**
 * The order in which one Index's calls take effect: the order they were made. Each
 * call takes its turn when it is made: a write (add, remove) commits once every
 * earlier call is done; a search scans once every earlier write is done, so it sees
 * each write called before it and none called after, and searches do not wait for
 * each other. The work before the turn (checks, catalyzer, quantizer: `prepared`)
 * runs at once, concurrently. A call whose preparation fails rejects without
 * waiting, and its turn passes all the same: it never blocks or reorders the others.
 */
export class CallOrder {
  /** Settles when every write made so far is done. */
  private writes: Promise<void> = Promise.resolve();
  /** Settles when every call made so far is done. */
  private all: Promise<void> = Promise.resolve();

  write<P, T>(prepared: Promise<P>, commit: (p: P) => T | Promise<T>): Promise<T> {
    const before = this.all;
    const result = (async () => {
      const p = await prepared;
      await before;
      return commit(p);
    })();
    // Done only once the earlier calls are: a failed write must not let a later one jump ahead.
    const done = Promise.all([before, settled(result)]).then(() => undefined);
    this.all = done;
    this.writes = done;
    return result;
  }

  read<P, T>(prepared: Promise<P>, run: (p: P) => T | Promise<T>): Promise<T> {
    const before = this.writes;
    const result = (async () => {
      const p = await prepared;
      await before;
      return run(p);
    })();
    this.all = Promise.all([this.all, settled(result)]).then(() => undefined);
    return result;
  }

  /** Settles once every call made so far is done. */
  idle(): Promise<void> {
    return this.all;
  }
}

/** Resolves (never rejects) once `p` settles. */
function settled(p: Promise<unknown>): Promise<void> {
  return p.then(
    () => undefined,
    () => undefined,
  );
}
