/** TEMPORARY stand-in (coordinator): replaced by fitCatalyzer from branch `fit`. */
export const MIN_FIT_VECTORS = 1000;
export interface FitResult { checkpoint: Uint8Array; din: number; dout: number; trainSize: number; epochs: number; seconds: number }
export async function fitCatalyzer(_v: Float32Array, _n: number, _dim: number, _o?: Record<string, unknown>): Promise<FitResult> {
  throw new Error('fitCatalyzer not merged yet');
}
