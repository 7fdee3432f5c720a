/**
 * spreadvec: an embedded vector index for Node.js. A catalyzer network maps vectors
 * onto the unit sphere; a spherical Zn lattice codes them compactly; a SIMD scan
 * answers queries. Entry point: re-exports only — the index (with the types of its
 * metadata and filters), the catalyzer, the codec, their errors and the vector-file
 * readers. The rest lives under subpaths:
 * `spreadvec/train`, `spreadvec/eval`, `spreadvec/quantizers`, `spreadvec/data`,
 * `spreadvec/kernels` (src/entry/). Nothing here loads TensorFlow.js.
 */
export { Index } from './index/vector-index';
export type {
  IndexEncoder,
  EncoderLoader,
  IndexCreateOptions,
  IndexOpenOptions,
  SearchOptions,
  PartitionOptions,
  PartitionReport,
  VectorsInput,
  IdsInput,
  SearchResult,
  Metric,
  VectorType,
  IndexTrainOptions,
  TrainProgress,
  TrainReport,
  MetadataInput,
  MetadataPatch,
  CacheKind,
} from './index/vector-index';
export type { Where, Metadata, MetadataValue, Schema, FieldType } from './filter';
export type { VerifyReport } from '../storage/index-store';
export { Catalyzer } from './catalyzer/catalyzer';
export type { CatalyzerOptions } from './catalyzer/catalyzer';
export { readCheckpoint, writeCheckpoint } from './pth/checkpoint';
export type { CheckpointData } from './pth/checkpoint';
export type { TorchTensor, TorchDtype } from './pth/tensor';
export { ZnCodec } from './lattice/zn-codec';
export type { DecodedType } from './lattice/zn-codec';
export { countPoints, radiusForBits } from './lattice/sphere-count';
export { readVecs, writeVecs, vecsInfo } from './data/vecs';
export type { Matrix, VecsFormat, VecsInfo, RowRange } from './data/vecs';
export { readNpy, writeNpy } from './data/npy';
export type { NpyArray, NpyDtype } from './data/npy';
export { SpreadvecError, ClosedError, ReadOnlyError, ConcurrentWriterError, DimensionMismatchError } from './errors';
export type { StateErrorCode } from './errors';
export { IndexFormatError } from '../storage/errors';
export type { IndexErrorCode } from '../storage/errors';
export { CheckpointError } from './pth/checkpoint-error';
