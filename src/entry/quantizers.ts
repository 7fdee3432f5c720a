/** `spreadvec/quantizers`: the quantizer registry (zn_*, pq, opq, pca, binary, none), k-means, PQ, OPQ, PCA. */
export { makeQuantizer, registerQuantizer } from '../eval/quantizer';
export type { QuantizerIndex, QuantizerFactory } from '../eval/quantizer';
export { kmeans } from '../eval/kmeans';
export type { KmeansOptions, KmeansResult, KmeansInit, KmeansStart } from '../eval/kmeans';
export { ProductQuantizer, PqIndex, pqQuantizerFactory } from '../eval/pq';
export type { PqTrainOptions } from '../eval/pq';
export { OptimizedProductQuantizer, OpqIndex, opqQuantizerFactory } from '../eval/opq';
export type { OpqTrainOptions } from '../eval/opq';
export { fitPca, applyPca } from '../eval/pca';
export type { Pca } from '../eval/pca';
