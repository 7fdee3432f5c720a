/** `spreadvec/data`: vector files (.fvecs/.bvecs/.ivecs, .npy), the dataset registry, splits and synthetic vectors. */
export { readVecs, readFvecs, readBvecs, readIvecs, writeVecs, writeFvecs, writeBvecs, writeIvecs, vecsInfo } from '../data/vecs';
export type { Matrix, VecsFormat, VecsInfo, RowRange, VecsArray } from '../data/vecs';
export { readNpy, writeNpy, parseNpy, serializeNpy, NpyError } from '../data/npy';
export type { NpyArray, NpyDtype } from '../data/npy';
export { loadRegistry, resolveDataset, openDataset, datasetsFile, Dataset, LAYOUTS } from '../data/datasets';
export type { DatasetEntry, DatasetLayout, DatasetFiles, VectorMatrix } from '../data/datasets';
export { loadSplit } from '../data/splits';
export type { Split, SplitName, SplitOptions } from '../data/splits';
export { clusteredVectors } from '../data/synthetic';
export type { ClusteredVectorsOptions } from '../data/synthetic';
