/**
 * A minimal protocol-buffers writer: the wire types the Prometheus messages
 * use (varint, zigzag, 64-bit double, length-delimited), written by hand so
 * the core needs no code generator, no `eval` and no dependency.
 *
 * Nested messages are written in place: {@link ProtoWriter.fork} reserves
 * the length, {@link ProtoWriter.join} fills it in (moving the body when the
 * length needs more than the reserved byte).
 * @module
 */

const textEncoder = /* @__PURE__ */ new TextEncoder();

/**
 * `n` (a safe integer >= 0) as unsigned varint bytes: protobuf's varint, and
 * the length header of snappy and of the aggregation chunks.
 */
export function uvarint(n: number): number[] {
  const out: number[] = [];
  // Above 2^31 the bit operators do not apply: divide instead.
  for (; n > 0x7f; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  out.push(n);
  return out;
}

/** Writes protobuf fields into a growing byte buffer. @internal */
export class ProtoWriter {
  /** The bytes written so far are `buf.subarray(0, pos)`. */
  buf: Uint8Array;
  /** The write position. */
  pos = 0;
  #view: DataView;
  #stack: number[] = [];

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
    this.#view = new DataView(this.buf.buffer);
  }

  #ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Writes a field key (field number and wire type). */
  tag(field: number, wireType: number): void {
    this.uint32((field << 3) | wireType);
  }

  /** Writes an unsigned varint below 2^32. */
  uint32(v: number): void {
    this.#ensure(5);
    const b = this.buf;
    v >>>= 0;
    while (v > 0x7f) {
      b[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }

  /** Writes an unsigned varint of any safe integer (>= 0). */
  uint64(v: number): void {
    if (v < 0x80000000) return this.uint32(v);
    this.#ensure(10);
    const b = this.buf;
    // Above 2^31 the bit operators do not apply: divide instead.
    while (v > 0x7f) {
      b[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    b[this.pos++] = v;
  }

  /** Writes a signed int64 as a plain varint (two's complement for negatives). */
  int64(v: number): void {
    if (v >= 0) return this.uint64(v);
    // 10 bytes: the 64-bit two's complement of a negative safe integer.
    this.#ensure(10);
    const b = this.buf;
    let lo = Number(BigInt.asUintN(32, BigInt(v)));
    let hi = Number(BigInt.asUintN(64, BigInt(v)) >> 32n);
    for (let i = 0; i < 9; i++) {
      b[this.pos++] = (lo & 0x7f) | 0x80;
      lo = (lo >>> 7) | ((hi & 0x7f) << 25);
      hi >>>= 7;
    }
    b[this.pos++] = lo & 0x01;
  }

  /** Writes a zigzag-encoded signed integer (sint32 / sint64) of any safe integer. */
  sint(v: number): void {
    this.uint64(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Writes a little-endian IEEE 754 double (wire type 1, without its key). */
  double(v: number): void {
    this.#ensure(8);
    this.#view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** Writes raw bytes. */
  bytes(v: Uint8Array): void {
    this.#ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Writes a length-prefixed UTF-8 string (without its key). */
  string(s: string): void {
    // ASCII fast path: one byte a character, no encoder call.
    const n = s.length;
    if (n < 128) {
      let ascii = true;
      for (let i = 0; i < n; i++) {
        if (s.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.#ensure(n + 1);
        const b = this.buf;
        b[this.pos++] = n;
        for (let i = 0; i < n; i++) b[this.pos++] = s.charCodeAt(i);
        return;
      }
    }
    const bytes = textEncoder.encode(s);
    this.uint32(bytes.length);
    this.bytes(bytes);
  }

  /** Field helpers: key then value. */
  stringField(field: number, s: string): void {
    this.tag(field, 2);
    this.string(s);
  }

  /** A double field (wire type 1). */
  doubleField(field: number, v: number): void {
    this.tag(field, 1);
    this.double(v);
  }

  /** An unsigned varint field. */
  uintField(field: number, v: number): void {
    this.tag(field, 0);
    this.uint64(v);
  }

  /** An int64 varint field (negatives as 10-byte two's complement). */
  int64Field(field: number, v: number): void {
    this.tag(field, 0);
    this.int64(v);
  }

  /** A zigzag varint field (sint32 / sint64). */
  sintField(field: number, v: number): void {
    this.tag(field, 0);
    this.sint(v);
  }

  /** Starts a length-delimited field (a nested message or packed values); end it with {@link join}. */
  fork(field?: number): void {
    if (field !== undefined) this.tag(field, 2);
    this.#ensure(1);
    this.#stack.push(this.pos);
    this.pos++; // one byte reserved for the length; moved later if it needs more
  }

  /** Ends the innermost {@link fork}: writes its length before its body. */
  join(): void {
    const start = this.#stack.pop()!;
    const len = this.pos - start - 1;
    if (len < 128) {
      this.buf[start] = len;
      return;
    }
    let extra = 0;
    for (let l = len >>> 7; l > 0; l >>>= 7) extra++;
    this.#ensure(extra);
    const b = this.buf;
    b.copyWithin(start + 1 + extra, start + 1, this.pos);
    this.pos += extra;
    let p = start, v = len;
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[p] = v;
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** Forgets what was written (the buffer is kept for reuse). */
  reset(): void {
    this.pos = 0;
    this.#stack.length = 0;
  }
}
