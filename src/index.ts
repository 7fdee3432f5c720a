/**
 * spreadvec: an embedded vector index for Node.js. A catalyzer network maps vectors
 * onto the unit sphere; a spherical Zn lattice codes them compactly; a SIMD scan
 * answers queries. Entry point: re-exports only.
 */
export { activeIsa, detectedIsa, setIsa, addonOrigin } from './kernels/addon';
export type { Isa } from './kernels/addon';
export { readVecs, readFvecs, readBvecs, readIvecs, writeVecs, writeFvecs, writeBvecs, writeIvecs, vecsInfo } from './data/vecs';
export type { Matrix, VecsFormat, VecsInfo, RowRange } from './data/vecs';
export { loadRegistry, resolveDataset, openDataset, datasetsFile, Dataset, LAYOUTS } from './data/datasets';
export type { DatasetEntry, DatasetLayout, DatasetFiles } from './data/datasets';
export { loadSplit } from './data/splits';
export type { Split, SplitName, SplitOptions } from './data/splits';
export { knn } from './eval/knn';
export type { KnnMetric, KnnResult, KnnOptions } from './eval/knn';
export { makeQuantizer, registerQuantizer } from './eval/quantizer';
export type { QuantizerIndex, QuantizerFactory } from './eval/quantizer';
export { evaluate, evaluateAll, oneRecalls, formatRecallLine } from './eval/evaluate';
export type { Encoder, Recalls, QuantizerRecalls, EvalData, EvaluateOptions } from './eval/evaluate';
export { fitPca, applyPca } from './eval/pca';
export type { Pca } from './eval/pca';
export { ZnCodec } from './lattice/zn-codec';
export type { DecodedType } from './lattice/zn-codec';
export { countPoints, radiusForBits } from './lattice/sphere-count';
export { Index } from './index/vector-index';
export type {
  IndexEncoder,
  EncoderLoader,
  IndexCreateOptions,
  IndexOpenOptions,
  VectorsInput,
  IdsInput,
  SearchResult,
} from './index/vector-index';
export { IndexFormatError } from '../storage/index-store';
export type { IndexErrorCode, VerifyReport } from '../storage/index-store';
export { decodeScan, decodeScanSync } from './kernels/scan-native';
export type { ScanInput, ScanResult } from './kernels/scan-native';
export { Catalyzer } from './catalyzer/catalyzer';
export type { CatalyzerOptions } from './catalyzer/catalyzer';
export { readCheckpoint, writeCheckpoint, CheckpointError } from './catalyzer/checkpoint';
export type { CheckpointData } from './catalyzer/checkpoint';
export type { TorchTensor, TorchDtype } from './catalyzer/tensor';
export { getBackend } from './catalyzer/backend';
export type { BackendName } from './catalyzer/backend';
export { readNpy, writeNpy, parseNpy, serializeNpy, NpyError } from './data/npy';
export type { NpyArray, NpyDtype } from './data/npy';
export { kmeans } from './eval/kmeans';
export type { KmeansOptions, KmeansResult, KmeansInit, KmeansStart } from './eval/kmeans';
export { ProductQuantizer, PqIndex, pqQuantizerFactory } from './eval/pq';
export type { PqTrainOptions } from './eval/pq';
export { OptimizedProductQuantizer, OpqIndex, opqQuantizerFactory } from './eval/opq';
export type { OpqTrainOptions } from './eval/opq';
export { sgemm, sgemmReference, NativeMlpTrainer, knnL2, tripletKoleoLossNative } from './kernels/mlp-native';
export type { StepStats, BatchRunStats } from './kernels/mlp-native';
export { trainOnSplit, validateTrainer, lrPerEpoch, resolveOptions, epochLine, TRAIN_DEFAULTS, ZN_RADII } from './train/trainer';
export type { TrainOptions, TrainReporter, TrainResult, EpochLog, TrainingSplit, ValidationResult } from './train/trainer';
export { runTraining } from './train/run';
export { crossValidate, DEFAULT_LAMBDAS } from './train/crossvalidate';
export type { CrossValidateOptions, CrossValidateResult } from './train/crossvalidate';
export type { TfjsMlpTrainer } from './train/tfjs-trainer';
export { loadTfjsMlpTrainer } from './train/tfjs-trainer-loader';
export { initState, stateFromTrainer, loadStateIntoTrainer, dimsOfState, STATE_KEYS } from './train/state';
export type { CatalyzerState, StateTensor, MlpDims } from './train/state';
export { tripletLoss, koleoLoss, tripletKoleoLoss } from './train/losses';
export type { Backend } from './catalyzer/backend';
export type { VecsArray } from './data/vecs';
export type { VectorMatrix } from './data/datasets';
export type { AdcResult } from './kernels/pq-native';
