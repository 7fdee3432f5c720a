/**
 * spreadvec: an embedded vector index for Node.js. A catalyzer network maps vectors
 * onto the unit sphere; a spherical Zn lattice codes them compactly; a SIMD scan
 * answers queries. Entry point: re-exports only.
 */
export { activeIsa, detectedIsa, setIsa } from './kernels/addon';
export type { Isa } from './kernels/addon';
export { kmeans } from './eval/kmeans';
export type { KmeansOptions, KmeansResult, KmeansInit, KmeansStart } from './eval/kmeans';
export { ProductQuantizer, PqIndex, pqQuantizerFactory } from './eval/pq';
export type { PqTrainOptions } from './eval/pq';
export { OptimizedProductQuantizer, OpqIndex, opqQuantizerFactory } from './eval/opq';
export type { OpqTrainOptions } from './eval/opq';
