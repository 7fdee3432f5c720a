/**
 * On-demand access to TfjsMlpTrainer, which needs `@tensorflow/tfjs` (an optional
 * peer of spreadvec): the package's entry point exports this loader instead of the
 * class, so that importing spreadvec loads no TensorFlow.js.
 */
import type { TfjsMlpTrainer } from './tfjs-trainer';

/** The TfjsMlpTrainer class; throws if `@tensorflow/tfjs` is not installed (npm install @tensorflow/tfjs). */
export function loadTfjsMlpTrainer(): typeof TfjsMlpTrainer {
  try {
    require.resolve('@tensorflow/tfjs');
  } catch {
    throw new Error('TfjsMlpTrainer needs @tensorflow/tfjs, which is not installed (npm install @tensorflow/tfjs)');
  }
  return (require('./tfjs-trainer') as typeof import('./tfjs-trainer')).TfjsMlpTrainer;
}
