/**
 * Preparing the folder checkpoints go to, with errors that say what failed.
 * Node's `mkdirSync(dir, { recursive: true })` loops forever under /proc (mkdir
 * answers ENOENT for a parent that exists), so the missing components are created
 * one at a time here, and the folder is probed for writing before any training.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Creates `dir` (and missing parents) and checks it takes files; returns its absolute path. */
export function prepareCheckpointDir(dir: string, option = '--checkpoint_dir'): string {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let p = abs;
  while (!fs.existsSync(p)) {
    missing.unshift(p);
    const parent = path.dirname(p);
    if (parent === p) break;
    p = parent;
  }
  for (const m of missing) {
    try {
      fs.mkdirSync(m);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'EEXIST') throw new Error(`${option} ${dir}: cannot create ${m} (${err.code ?? err.message})`);
    }
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    throw new Error(`${option} ${dir}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!st.isDirectory()) throw new Error(`${option} ${dir}: not a directory`);
  const probe = path.join(abs, `.spreadvec-write-test-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.unlinkSync(probe);
  } catch (e) {
    throw new Error(`${option} ${dir}: cannot write there (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return abs;
}
