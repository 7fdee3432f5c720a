/**
 * The names of the catalyzer's forward backends, apart from backend.ts so that the
 * Catalyzer's declarations (and so the package root's) name no TensorFlow.js type.
 */
export type BackendName = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu' | 'native';
