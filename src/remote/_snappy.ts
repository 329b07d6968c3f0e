/**
 * A snappy compressor (block format, the one remote write uses): the
 * uncompressed length as a uvarint, then literals and back-references
 * ("copies") with 1-, 2- or 4-byte offsets. Matches are found with a hash
 * table of 4-byte sequences over the whole input, so repeats further back
 * than 64 KiB are found too. Plain TypeScript on `Uint8Array`: no WASM, no
 * `eval`, no dependency.
 * @module
 */

import { uvarint } from "../_protobuf.ts";

/** Inputs shorter than this go out as one literal. */
const MIN_MATCH_INPUT = 17;
/** Matching stops this many bytes before the end (4-byte loads stay in bounds). */
const TAIL = 15;
const MAX_TABLE_BITS = 14;

/** The most bytes `snappyCompress` can write for `n` input bytes. */
function maxCompressedLength(n: number): number {
  return 32 + n + Math.ceil(n / 6);
}

/**
 * Compresses `src` in the snappy block format.
 * @internal
 */
export function snappyCompress(src: Uint8Array): Uint8Array<ArrayBuffer> {
  const n = src.length;
  const dst: Uint8Array<ArrayBuffer> = new Uint8Array(maxCompressedLength(n));
  // The uncompressed length, uvarint.
  const head = uvarint(n);
  dst.set(head);
  let d = head.length;
  if (n < MIN_MATCH_INPUT) {
    d = literal(dst, d, src, 0, n);
    return dst.subarray(0, d);
  }

  let bits = 8;
  while (bits < MAX_TABLE_BITS && 1 << bits < n) bits++;
  const shift = 32 - bits;
  // Positions of recent 4-byte sequences by hash; 0 is a valid position:
  // every candidate is checked against the bytes before use.
  const table = new Int32Array(1 << bits);
  const limit = n - TAIL;
  let anchor = 0; // first byte not yet emitted
  let ip = 1;

  while (ip < limit) {
    // Find a match: look further ahead the longer nothing matches.
    let skip = 32;
    let next = ip;
    let candidate = -1;
    while (candidate < 0) {
      ip = next;
      next = ip + (skip++ >> 5);
      if (next > limit) break;
      const h = hash4(src, ip, shift);
      const c = table[h];
      table[h] = ip;
      if (same4(src, c, ip)) candidate = c;
    }
    if (candidate < 0) break;
    d = literal(dst, d, src, anchor, ip);

    // Emit copies while the bytes after each match start another one.
    while (candidate >= 0) {
      const start = ip;
      let m = candidate + 4;
      ip += 4;
      while (ip < n && src[m] === src[ip]) {
        ip++;
        m++;
      }
      d = copy(dst, d, start - candidate, ip - start);
      anchor = ip;
      if (ip >= limit) break;
      table[hash4(src, ip - 1, shift)] = ip - 1;
      const h = hash4(src, ip, shift);
      const c = table[h];
      table[h] = ip;
      if (same4(src, c, ip)) {
        candidate = c;
      } else {
        candidate = -1;
        ip++;
      }
    }
  }
  if (anchor < n) d = literal(dst, d, src, anchor, n);
  return dst.subarray(0, d);
}

/** The table slot of the 4 bytes at `i`. */
function hash4(src: Uint8Array, i: number, shift: number): number {
  const word = src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24);
  return Math.imul(word, 0x1e35a7bd) >>> shift;
}

/** Whether the 4 bytes at `a` and at `b` are equal. */
function same4(src: Uint8Array, a: number, b: number): boolean {
  return src[a] === src[b] && src[a + 1] === src[b + 1] && src[a + 2] === src[b + 2] &&
    src[a + 3] === src[b + 3];
}

/** Writes `src[from, to)` as a literal element; returns the new output position. */
function literal(dst: Uint8Array, d: number, src: Uint8Array, from: number, to: number): number {
  const len = to - from;
  if (len === 0) return d;
  const l = len - 1;
  if (l < 60) {
    dst[d++] = l << 2;
  } else if (l < 0x100) {
    dst[d++] = 60 << 2;
    dst[d++] = l;
  } else if (l < 0x10000) {
    dst[d++] = 61 << 2;
    dst[d++] = l & 0xff;
    dst[d++] = l >>> 8;
  } else if (l < 0x1000000) {
    dst[d++] = 62 << 2;
    dst[d++] = l & 0xff;
    dst[d++] = (l >>> 8) & 0xff;
    dst[d++] = l >>> 16;
  } else {
    dst[d++] = 63 << 2;
    dst[d++] = l & 0xff;
    dst[d++] = (l >>> 8) & 0xff;
    dst[d++] = (l >>> 16) & 0xff;
    dst[d++] = l >>> 24;
  }
  if (len < 16) {
    for (let i = from; i < to; i++) dst[d++] = src[i];
  } else {
    dst.set(src.subarray(from, to), d);
    d += len;
  }
  return d;
}

/** Writes a back-reference of `len` bytes `offset` back, split into elements of at most 64. */
function copy(dst: Uint8Array, d: number, offset: number, len: number): number {
  while (len >= 68) {
    d = copyElement(dst, d, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    // Leave at least 4 for the last element (a copy is 4 bytes or more with a 1-byte offset).
    d = copyElement(dst, d, offset, 60);
    len -= 60;
  }
  return copyElement(dst, d, offset, len);
}

/** One copy element: 1-byte offset (tag 01), 2-byte (tag 10) or 4-byte (tag 11). */
function copyElement(dst: Uint8Array, d: number, offset: number, len: number): number {
  if (len < 12 && offset < 2048) {
    dst[d++] = ((offset >>> 8) << 5) | ((len - 4) << 2) | 1;
    dst[d++] = offset & 0xff;
  } else if (offset < 0x10000) {
    dst[d++] = ((len - 1) << 2) | 2;
    dst[d++] = offset & 0xff;
    dst[d++] = offset >>> 8;
  } else {
    dst[d++] = ((len - 1) << 2) | 3;
    dst[d++] = offset & 0xff;
    dst[d++] = (offset >>> 8) & 0xff;
    dst[d++] = (offset >>> 16) & 0xff;
    dst[d++] = offset >>> 24;
  }
  return d;
}
