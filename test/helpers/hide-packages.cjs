// Preloaded (node --require) by tests that need some npm packages to look absent
// or replaced, as on a user's machine without the optional TensorFlow.js peers:
//   SPREADVEC_TEST_HIDE=@tensorflow/tfjs,@tensorflow/tfjs-backend-wasm   → MODULE_NOT_FOUND
//   SPREADVEC_TEST_FAKE=@tensorflow/tfjs-node-gpu=/abs/path/fake.cjs      → that file instead
const Module = require('node:module');

const hidden = (process.env.SPREADVEC_TEST_HIDE || '').split(',').filter(Boolean);
const fakes = new Map(
  (process.env.SPREADVEC_TEST_FAKE || '')
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.lastIndexOf('=')), pair.slice(pair.lastIndexOf('=') + 1)]),
);
const original = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (fakes.has(request)) return fakes.get(request);
  if (hidden.some((h) => request === h || request.startsWith(h + '/'))) {
    const err = new Error(`Cannot find module '${request}'`);
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return original.call(this, request, ...rest);
};
