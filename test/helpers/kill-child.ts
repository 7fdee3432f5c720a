/**
 * The crash tests' child process: runs a helper script (test/helpers/<script>.ts)
 * with `args`, SIGKILLs it `delayMs` after it prints `ready` (a negative delay lets
 * it finish), and reports whether it printed its done line (a line starting with
 * `donePrefix`) before it died, and how long it ran after `ready`. Any other exit is
 * the child's own failure and rejects with its stderr.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

import { DATA_FILE } from '../../storage/layout';

export function runAndKill(script: string, args: string[], delayMs: number, donePrefix: string): Promise<{ reported: boolean; ms: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, `${script}.ts`), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let reported = false;
  let readyAt = performance.now();
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') {
      readyAt = performance.now();
      if (delayMs >= 0) setTimeout(() => child.kill('SIGKILL'), delayMs);
    }
    if (line.startsWith(donePrefix)) reported = true;
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' || code === 0) resolve({ reported, ms: performance.now() - readyAt });
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

/** A copy of the index directory at `dir` (the data file only; LMDB makes a new lock file). */
export function indexCopy(dir: string, prefix: string): string {
  const to = path.join(fs.mkdtempSync(path.join(os.tmpdir(), prefix)), 'idx');
  fs.mkdirSync(to);
  fs.copyFileSync(path.join(dir, DATA_FILE), path.join(to, DATA_FILE));
  return to;
}

/**
 * The writer crash tests' child: runs a helper script that prints `committed <b>`
 * after each batch it adds, and SIGKILLs it at a random moment of a later batch
 * (its encode, quantize or LMDB transaction), judging the batch's length by the last
 * one. Resolves to the number of batches the child reported as committed.
 */
export function killWriterMidBatch(script: string, args: string[]): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, `${script}.ts`), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<number>((resolve, reject) => {
    let last = -1;
    const times: number[] = [];
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^committed (\d+)$/.exec(line);
      if (m) {
        last = Number(m[1]);
        times.push(performance.now());
      }
      if (last >= 2 && !child.killed) {
        const batchMs = times[times.length - 1] - times[times.length - 2];
        setTimeout(() => child.kill('SIGKILL'), Math.random() * batchMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last + 1);
      else reject(new Error(`child exited with ${code} before the kill: ${stderr}`));
    });
  });
}
