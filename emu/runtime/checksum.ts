// Internet checksum arithmetic exactly as the kernel computes it on x86-64
// (csum_partial of arch/x86/lib/csum-partial_64.c, csum_fold, csum_add), so
// that csum_diff and the csum_replace helpers give the kernel's bits.

/** a + b with the carry wrapped around, in 64 bits. */
@inline function add64WithCarry(a: u64, b: u64): u64 {
  const sum = a + b;
  return sum < a ? sum + 1 : sum;
}

/** a + b with the carry wrapped around, in 32 bits (the kernel's csum_add). */
export function csumAdd(a: u32, b: u32): u32 {
  const sum = a + b;
  return sum < a ? sum + 1 : sum;
}

/** csum_sub: a - b in ones' complement. */
export function csumSub(a: u32, b: u32): u32 {
  return csumAdd(a, ~b);
}

/** csum_from32to16: the 32-bit sum folded to 16 bits, not complemented (what bpf_csum_diff returns). */
export function csumFrom32to16(sum: u32): u16 {
  return <u16>((sum + ((sum >> 16) | (sum << 16))) >> 16);
}

/** csum_partial: the 32-bit ones' complement sum of `length` bytes, added to `seed`. */
export function csumPartial(buffer: usize, length: usize, seed: u32): u32 {
  let sum: u64 = <u64>seed;
  let at = buffer;
  let left = length;
  while (left >= 8) {
    sum = add64WithCarry(sum, load<u64>(at));
    at += 8;
    left -= 8;
  }
  if (left > 0) {
    let trail: u64 = 0;
    for (let i: usize = 0; i < left; i++) trail |= <u64>load<u8>(at + i) << (<u64>i * 8);
    sum = add64WithCarry(sum, trail);
  }
  return csumAdd(<u32>(sum >> 32), <u32>sum);
}

/** csum_fold: 32 bits to the complemented 16-bit checksum. */
export function csumFold(sum: u32): u16 {
  let folded = (sum & 0xffff) + (sum >> 16);
  folded = (folded & 0xffff) + (folded >> 16);
  return <u16>~folded;
}

/** csum_replace4 / csum_replace2 of the IP header checksum at `field`. */
export function replaceChecksum32(field: usize, from: u32, to: u32): void {
  const unfolded = ~<u32>load<u16>(field);
  store<u16>(field, csumFold(csumAdd(csumAdd(unfolded, ~from), to)));
}

export function replaceChecksum16(field: usize, from: u16, to: u16): void {
  const sum = add16(add16(<u16>~load<u16>(field), <u16>~from), to);
  store<u16>(field, <u16>~sum);
}

@inline function add16(a: u16, b: u16): u16 {
  const sum = <u16>(a + b);
  return sum < b ? <u16>(sum + 1) : sum;
}

/** csum_replace_by_diff. */
export function replaceChecksumByDiff(field: usize, diff: u32): void {
  store<u16>(field, csumFold(csumAdd(diff, ~<u32>load<u16>(field))));
}

const scratch = memory.data(16, 8);

/** inet_proto_csum_replace4 for an skb whose checksum is not offloaded (as in a test run). */
export function replaceL4Checksum32(field: usize, from: u32, to: u32): void {
  store<u32>(scratch, ~from, 0);
  store<u32>(scratch, to, 4);
  store<u16>(field, csumFold(csumPartial(scratch, 8, ~<u32>load<u16>(field))));
}
