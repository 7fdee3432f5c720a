/**
 * The quantizers of the evaluation, one module each, every one registering itself
 * on load; importing this module loads them all in the order their names are
 * listed to users (none, binary, zn_<r2>, pq_<bits>, opq_<bits>).
 */
export {
  registerQuantizer, makeQuantizer, checkQuantizerSpec, quantizerPatterns, quantizerSyntax,
  type QuantizerIndex, type QuantizerFactory, type QuantizerCheck,
} from './registry';
export { FlatIndex } from './flat';
export { signCodes } from './binary';
import './zn';
export { ProductQuantizer, AdcIndex, PqIndex, PqCodeStore, pqQuantizerFactory, subQuantizers, PQ_KSUB, type PqTrainOptions, type AdcCodec } from './pq';
export { OptimizedProductQuantizer, OpqIndex, opqQuantizerFactory, type OpqTrainOptions } from './opq';
export { kmeans, type KmeansOptions, type KmeansInit, type KmeansStart, type KmeansResult } from './kmeans';
export { fitPca, applyPca, normalizeRows, type Pca } from './pca';
export { parseZnSpec, znRadiusOf, ZN_SPEC_PATTERN, ZN_SPEC_SYNTAX } from '../lattice/zn-spec';
