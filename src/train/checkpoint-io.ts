/**
 * Writing and reading the trainer's checkpoints through the catalyzer module's
 * PyTorch (de)serializer (src/catalyzer/checkpoint.ts), so that a checkpoint
 * written here is a torch.save zip file with the paper's keys
 * {state_dict, epoch, args, logs}.
 */
import * as fs from 'node:fs';
import type { CatalyzerState } from './state';

/** What the paper's trainer stores. */
export interface TrainingCheckpoint {
  state_dict: CatalyzerState;
  epoch: number;
  args: Record<string, unknown>;
  logs: Record<string, unknown>[];
}

interface CheckpointModule {
  writeCheckpoint(ckpt: TrainingCheckpoint): Uint8Array;
  readCheckpoint(bytes: Uint8Array): unknown;
}

// TEMPORARY: resolved at run time until the catalyzer module lands on main.
function checkpointModule(): CheckpointModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../catalyzer/checkpoint') as CheckpointModule;
  } catch {
    throw new Error('spreadvec: checkpoints need src/catalyzer/checkpoint (not in this build)');
  }
}

/** Writes `ckpt` as a PyTorch zip checkpoint at `file` (atomically: temp file + rename). */
export function saveCheckpoint(file: string, ckpt: TrainingCheckpoint): void {
  const bytes = checkpointModule().writeCheckpoint(ckpt);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

/** Reads the state_dict of a checkpoint file (zip or legacy PyTorch format). */
export function loadCheckpointState(file: string): CatalyzerState {
  const ckpt = checkpointModule().readCheckpoint(fs.readFileSync(file)) as { state_dict?: CatalyzerState };
  if (!ckpt || typeof ckpt !== 'object' || !ckpt.state_dict) throw new RangeError(`${file}: no state_dict in this checkpoint`);
  return ckpt.state_dict;
}
