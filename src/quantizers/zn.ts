/**
 * `zn_<r2>`: the spherical Zn quantizer, asymmetric as in the paper. Database
 * vectors are coded with the lattice codec and decoded to unit vectors z/‖z‖;
 * queries stay exact.
 */
import { ZnCodec } from '../lattice/zn-codec';
import { ZN_SPEC_PATTERN, ZN_SPEC_SYNTAX, znRadiusOf } from '../lattice/zn-spec';
import { FlatIndex, identity } from './flat';
import { registerQuantizer, type QuantizerIndex } from './registry';

async function makeZn(spec: string, dim: number): Promise<QuantizerIndex> {
  const codec = new ZnCodec(dim, znRadiusOf(spec));
  // Codes go through their exact rank and back, as an index stores them; the
  // 'float32' decoding is z/sqrt(r2), already of unit length.
  const reconstruct = async (x: Float32Array) => codec.decodeCodesAsync(await codec.quantizeEncodeAsync(x), 'float32');
  return new FlatIndex(codec.nbit, dim, reconstruct, identity);
}

registerQuantizer(ZN_SPEC_PATTERN, (spec, dim) => makeZn(spec, dim), ZN_SPEC_SYNTAX, (spec, dim) => {
  void new ZnCodec(dim, znRadiusOf(spec)); // bounded: refuses in milliseconds what it cannot serve
});
