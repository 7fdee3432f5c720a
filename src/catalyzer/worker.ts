/**
 * Piscina worker for TensorFlow.js CPU backends: one tfjs instance per thread, one
 * Forward per model (the native encoder needs no pool: it has its own threads).
 * Weights arrive as a SharedArrayBuffer (shared, not copied); inputs arrive as
 * transferred ArrayBuffers and outputs go back the same way.
 *
 * Runs from src under tsx (worker threads inherit the parent's `--import tsx`
 * execArgv) and from dist as plain JS: catalyzer.ts picks the file by its own
 * extension.
 */
import { move } from 'piscina';
import { getBackend, type BackendName } from './backend';
import { unpackLayers } from './network';
import { createForward, type ForwardPass } from './forward';

export interface EncodeTask {
  modelId: number;
  weights: SharedArrayBuffer;
  backend: BackendName;
  x: ArrayBuffer;
  uint8: boolean;
  n: number;
}

const models = new Map<number, Promise<ForwardPass>>();

async function forwardFor(task: EncodeTask): Promise<ForwardPass> {
  let f = models.get(task.modelId);
  if (!f) {
    f = getBackend(task.backend).then((b) => createForward(b, unpackLayers(task.weights)));
    models.set(task.modelId, f);
  }
  return f;
}

export default async function encodeTask(task: EncodeTask): Promise<Float32Array> {
  const forward = await forwardFor(task);
  const x = task.uint8 ? new Uint8Array(task.x) : new Float32Array(task.x);
  return move(await forward.run(x, task.n)) as unknown as Float32Array;
}
