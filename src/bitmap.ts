/** Slot bitmaps (bit s of byte s >> 3, least significant first): the layout of the removed and allowed bitmaps. */

/** Set bits in `bits`. */
export function popcount(bits: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) {
    let x = bits[i];
    while (x) {
      x &= x - 1;
      n++;
    }
  }
  return n;
}
