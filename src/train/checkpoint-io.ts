/**
 * The trainer's checkpoints through the catalyzer module's PyTorch serializer: a
 * torch.save zip file with the paper's keys {state_dict, epoch, args, logs}, which
 * `Catalyzer.load` (and PyTorch, and the paper's eval.py) can read back.
 */
import * as fs from 'node:fs';
import { readStateDictCheckpoint, writeCheckpoint } from '../pth/checkpoint';
import type { CatalyzerState } from './state';

/** What the paper's trainer stores. */
export interface TrainingCheckpoint {
  state_dict: CatalyzerState;
  epoch: number;
  /** Written as an argparse.Namespace. */
  args: Record<string, unknown>;
  logs: Record<string, unknown>[];
}

/** Writes `ckpt` at `file` (atomically: a temporary file, then a rename). */
export function saveCheckpoint(file: string, ckpt: TrainingCheckpoint): void {
  const bytes = writeCheckpoint(ckpt);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

/** The state_dict of a checkpoint file (zip or legacy PyTorch format). */
export function loadCheckpointState(file: string): CatalyzerState {
  return readStateDictCheckpoint(fs.readFileSync(file)).state_dict as unknown as CatalyzerState;
}
