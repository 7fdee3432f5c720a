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
export { Index } from './vector-index';
export type {
  IndexEncoder,
  EncoderLoader,
  IndexCreateOptions,
  IndexOpenOptions,
  VectorsInput,
  IdsInput,
  SearchResult,
} from './vector-index';
export { IndexFormatError } from '../storage/index-store';
export { decodeScan, decodeScanSync } from './kernels/scan-native';
export type { ScanInput, ScanResult } from './kernels/scan-native';
