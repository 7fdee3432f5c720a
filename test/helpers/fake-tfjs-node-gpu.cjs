// Stands in for @tensorflow/tfjs-node-gpu in test/catalyzer/backend.test.ts: an
// installed package whose native binding does not load (as when its install
// script could not download libtensorflow).
globalThis.__fakeTfjsNodeGpuLoaded = true;
throw new Error('fake tfjs-node-gpu: libtensorflow is missing');
