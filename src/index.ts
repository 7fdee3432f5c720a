/**
 * spreadvec: an embedded vector index for Node.js. A catalyzer network maps vectors
 * onto the unit sphere; a spherical Zn lattice codes them compactly; a SIMD scan
 * answers queries. Entry point: re-exports only.
 */
export { activeIsa, detectedIsa, setIsa } from './kernels/addon';
export type { Isa } from './kernels/addon';
export { ZnCodec } from './lattice/zn-codec';
export type { DecodedType } from './lattice/zn-codec';
export { countPoints, radiusForBits } from './lattice/sphere-count';
export { Catalyzer } from './catalyzer/catalyzer';
export type { CatalyzerOptions } from './catalyzer/catalyzer';
export { readCheckpoint, writeCheckpoint, CheckpointError } from './catalyzer/checkpoint';
export type { CheckpointData } from './catalyzer/checkpoint';
export type { TorchTensor, TorchDtype } from './catalyzer/tensor';
export { getBackend } from './catalyzer/backend';
export type { BackendName } from './catalyzer/backend';
export { readNpy, writeNpy, parseNpy, serializeNpy, NpyError } from './data/npy';
export type { NpyArray, NpyDtype } from './data/npy';
