/**
 * `spreadvec/kernels`: the native kernels and their instruction-set dispatch
 * (decode-and-scan, GEMM, k-NN, the fused triplet+KoLeo loss), and the choice of
 * the catalyzer's forward backend.
 */
export { activeIsa, detectedIsa, setIsa, addonOrigin } from '../kernels/addon';
export type { Isa } from '../kernels/addon';
export { decodeScan, decodeScanSync } from '../kernels/scan-native';
export type { ScanInput, ScanResult } from '../kernels/scan-native';
export { flatScan, flatScanSync } from '../kernels/flat-scan-native';
export type { FlatScanInput, FlatMetric } from '../kernels/flat-scan-native';
export { sgemm, sgemmReference, NativeMlpTrainer, tripletKoleoLossNative } from '../kernels/mlp-native';
export { knnL2 } from '../knn/knn-native';
export type { StepStats, BatchRunStats } from '../kernels/mlp-native';
export type { AdcResult } from '../kernels/pq-native';
export { getBackend } from '../catalyzer/backend';
export type { Backend, BackendName } from '../catalyzer/backend';
