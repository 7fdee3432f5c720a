/** `spreadvec/quantizers`: the quantizer registry (zn_*, pq, opq, pca, binary, none), k-means, PQ, OPQ, PCA. */
// From the folder's barrel: importing it registers every quantizer, so makeQuantizer knows them all.
export { makeQuantizer, registerQuantizer } from '../quantizers';
export type { QuantizerIndex, QuantizerFactory } from '../quantizers';
export { kmeans } from '../quantizers/kmeans';
export type { KmeansOptions, KmeansResult, KmeansInit, KmeansStart } from '../quantizers/kmeans';
export { ProductQuantizer, PqIndex, pqQuantizerFactory } from '../quantizers/pq';
export type { PqTrainOptions } from '../quantizers/pq';
export { OptimizedProductQuantizer, OpqIndex, opqQuantizerFactory } from '../quantizers/opq';
export type { OpqTrainOptions } from '../quantizers/opq';
export { fitPca, applyPca } from '../quantizers/pca';
export type { Pca } from '../quantizers/pca';
