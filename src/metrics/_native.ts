/**
 * Native (sparse exponential) histogram buckets for one series: the bucket
 * index rule of the Prometheus native histogram spec, schema lowering past a
 * bucket limit, and the spans + deltas the protobuf encoders write.
 *
 * Bucket `i` of schema `s` is `(2^((i-1) * 2^-s), 2^(i * 2^-s)]`: a value
 * exactly on a bound lands in the bucket that bound closes. Indexes are found
 * from the float's bits (exponent and significand), with a table of the
 * schema-8 bounds rounded down (those of every other schema are among them),
 * so no `Math.log2` rounding can move a value across a bound.
 * @module
 */

import type { NativeHistogramSnapshot as NativeView } from "../collector.ts";

/** Smallest schema: each bucket spans a factor of 2^16. */
export const NATIVE_SCHEMA_MIN: number = -4;
/** Largest schema: each bucket spans a factor of 2^(1/256). */
export const NATIVE_SCHEMA_MAX: number = 8;
/** client_golang's default zero threshold, 2^-128. */
export const DEFAULT_ZERO_THRESHOLD: number = 2 ** -128;
/** client_golang's default schema: 8 buckets per power of two (factor ~1.09). */
export const DEFAULT_NATIVE_SCHEMA: number = 3;
/** Default limit on populated buckets (negative and positive together). */
export const DEFAULT_MAX_BUCKETS: number = 160;

/** Options of {@link NativeHistogramCounts}. */
export interface NativeHistogramOptions {
  /** Resolution, a whole number from -4 to 8: `2^s` buckets per power of two. Default 3. */
  schema?: number;
  /** Values with `|v| <= zeroThreshold` go to the zero bucket. Finite, >= 0; default 2^-128. */
  zeroThreshold?: number;
  /**
   * Most populated buckets (both signs) kept before the schema is lowered,
   * a whole number >= 1. Default 160. At schema -4 the buckets are no longer
   * merged (at most 133 per sign, whatever the values).
   */
  maxBuckets?: number;
}

/** A run of consecutive buckets: `offset` is the gap after the previous span (for the first, the index of its first bucket). */
export interface NativeBucketSpan {
  /** Index of the first bucket (first span), or empty buckets since the previous span. */
  offset: number;
  /** Number of consecutive buckets in the span. */
  length: number;
}

/** One side (positive or negative) of a native histogram, in the protobuf shape. */
export interface NativeBucketRuns {
  /** Spans of buckets; gaps of one or two empty buckets are written as zero counts instead. */
  spans: NativeBucketSpan[];
  /** Each bucket's count minus the previous bucket's (across spans; the first minus 0). */
  deltas: number[];
}

/** Everything an encoder writes for one native histogram series. */
export interface NativeHistogramSnapshot {
  /** Schema of the buckets (may be lower than configured after merging). */
  schema: number;
  /** Upper bound of the zero bucket. */
  zeroThreshold: number;
  /** Observations with `|v| <= zeroThreshold`. */
  zeroCount: number;
  /** All observations, NaN included. */
  count: number;
  /** Sum of all observations. */
  sum: number;
  /** Buckets of positive values. */
  positive: NativeBucketRuns;
  /** Buckets of negative values, indexed by their absolute value. */
  negative: NativeBucketRuns;
}

// Bit access to a double (the exponent and top significand bits are in the
// high word, whose position depends on the platform's endianness). Int32Array,
// not Uint32Array: JavaScriptCore slows down on words >= 2^31.
const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** Flips the sign bit, so that signed comparisons order words as unsigned. */
const SIGN = 0x80000000 | 0;

/**
 * The bounds of schema 8 within one power of two, which hold those of every
 * schema: bound `i` of schema `s` is bound `i * 2^(8-s)` of schema 8, so the
 * index at schema `s` is `ceil(i8 / 2^(8-s))` of the index `i8` at schema 8.
 *
 * Bound `j` (j < 256) is the largest double `<= 2^(j/256 - 1)`, for the
 * significand in [0.5, 1); bound 256 is above every significand. Cell `c`
 * covers the significands whose top 9 bits are `c` (narrower than a bucket)
 * and holds the first `j` whose bound is `>=` the cell's low end, packed as
 * `boundHigh20 << 9 | (j + 255)` in `CELLS`, with the bound's low 32 bits in
 * `CELL_LO`: a value in the cell is in bucket `j`, or `j + 1` when it is above
 * bound `j`.
 *
 * Filled on first use, and checked exactly (with BigInt, ~12 µs a bound) only
 * where a schema in use needs it: schema `s` reads `ceil(i8 / 2^(8-s))`, which
 * an error of one at bound `j` of schema 8 changes only when `j` is a multiple
 * of `2^(8-s)`. The other bounds come from `2 ** x`, within an ulp: a value
 * within that ulp of one may get the next schema-8 index, the same index at
 * that schema. So a schema-3 histogram checks 8 bounds, a schema-8 one 256.
 */
const CELLS = new Int32Array(512);
const CELL_LO = new Int32Array(512);
/** Bound `j` of schema 8 (see CELLS); 1 above the last. */
const BOUNDS = new Float64Array(257);
/** Whether BOUNDS[j] has been checked exactly. */
const EXACT = new Uint8Array(256);
/** `8 - s` for the highest schema `s` whose bounds are all exact (Infinity: nothing is filled yet). */
let exactShift = Infinity;

/**
 * Whether `m^(2^s) <= 2^k`: squares `s` times keeping ~96 bits, rounded down
 * (`lo`) and up (`hi`), so `lo * 2^shift <= m^(2^i) <= hi * 2^shift`; the
 * exact power only when those bounds cannot tell.
 */
function _powAtMost(m: bigint, s: number, k: number): boolean {
  let lo = m, hi = m, shift = 0;
  for (let i = 0; i < s; i++) {
    lo *= lo;
    hi *= hi;
    shift *= 2;
    const extra = hi.toString(16).length * 4 - 96;
    if (extra > 0) {
      const e = BigInt(extra);
      lo >>= e;
      hi = ((hi - 1n) >> e) + 1n;
      shift += extra;
    }
  }
  if (k >= shift) {
    const p = 1n << BigInt(k - shift);
    if (hi <= p) return true;
    if (lo > p) return false;
  } else if (lo >= 1n) return false;
  return m ** (1n << BigInt(s)) <= 1n << BigInt(k);
}

/** The largest double `<= 2^(j/256 - 1)` for `0 <= j < 256`, checked exactly. */
function _floorBound(j: number): number {
  if (j === 0) return 0.5;
  // d = m / 2^53 with m in [2^52, 2^53): d <= 2^(j/256 - 1)  <=>  m^256 <= 2^(j + 52 * 256).
  const k = j + 52 * 256;
  let m = BigInt(Math.round(2 ** (j / 256 - 1) * 2 ** 53));
  while (!_powAtMost(m, 8, k)) m--;
  while (_powAtMost(m + 1n, 8, k)) m++;
  return Number(m) / 2 ** 53;
}

/** Fills CELLS and CELL_LO, the bounds that schema `schema` reads checked exactly. */
function _build(schema: number): void {
  const bounds = BOUNDS;
  if (exactShift === Infinity) {
    for (let j = 1; j < 256; j++) bounds[j] = Math.round(2 ** (j / 256 - 1) * 2 ** 53) / 2 ** 53;
    bounds[0] = 0.5;
    EXACT[0] = 1;
    bounds[256] = 1;
  }
  const shift = 8 - schema;
  for (let j = 0; j < 256; j += 1 << shift) {
    if (!EXACT[j]) bounds[j] = _floorBound(j);
    EXACT[j] = 1;
  }
  exactShift = shift;
  // The bounds' bits, through a view of their own (the caller's value is in f64).
  const words = new Int32Array(bounds.buffer);
  for (let c = 0, j = 0; c < 512; c++) {
    while (bounds[j] < 0.5 + c / 1024) j++;
    const high = j === 256 ? 0x100000 : words[2 * j + HI] & 0xfffff;
    CELLS[c] = (high << 9) | (j + 255);
    CELL_LO[c] = j === 256 ? 0 : words[2 * j + LO];
  }
}

/**
 * The bucket index of `a > 0` (not NaN) at `schema`: the `i` with
 * `2^((i-1) * 2^-s) < a <= 2^(i * 2^-s)`. `Infinity` gets the index after that
 * of `Number.MAX_VALUE`, as in client_golang.
 */
export function nativeBucketIndex(a: number, schema: number): number {
  if (8 - schema < exactShift) _build(schema);
  f64[0] = a;
  const hi = i32[HI];
  if (hi <= 0xfffff || hi >= 0x7ff00000) return _unusual(a, schema);
  // t = i8 + 2^18 - 1, with i8 the index at schema 8 (written out again in
  // NativeHistogramCounts.observeBucket). Then (t >> (8 - s)) - 2^(10 + s) + 1
  // is ceil(i8 / 2^(8-s)): the 2^18 - 1 makes the shift round up, and is a
  // multiple of 2^(8-s) once the 1 is taken back.
  const m = hi & 0xfffff, c = m >> 11, cell = CELLS[c], high = cell >> 9;
  // Above bound j's high word, or equal to it with a higher low word: bucket j + 1.
  const t = ((hi >> 20) << 8) + (cell & 511) - ((high - m) >> 31) +
    (m === high && (i32[LO] ^ SIGN) > (CELL_LO[c] ^ SIGN) ? 1 : 0);
  return (t >> (8 - schema)) - (1 << (10 + schema)) + 1;
}

/** Index of a subnormal `a` (scaled into the normal range, exactly) or of Infinity. */
function _unusual(a: number, schema: number): number {
  if (a === Infinity) return nativeBucketIndex(Number.MAX_VALUE, schema) + 1;
  // Scaling by 2^64 moves every bound by 64 powers of two.
  const shift = schema >= 0 ? 64 << schema : 64 >> -schema;
  return nativeBucketIndex(a * 18446744073709551616, schema) - shift;
}

/** Index `k` of schema `from` in schema `to <= from`: ceil(k / 2^(from - to)). */
function _lowered(k: number, from: number, to: number): number {
  const d = from - to;
  return (k + (1 << d) - 1) >> d;
}

const EMPTY = new Float64Array(0);

/**
 * Whether a series gets its whole positive window when it is made, centred
 * on values near 1, rather than as values arrive: on JavaScriptCore (Bun),
 * where that keeps observe's out-of-line call out of compiled code (see
 * NativeHistogramCounts.observeBucket). V8 compiles that call without
 * slowing the common path, and keeps the smaller series.
 */
const WHOLE_WINDOW: boolean =
  typeof (globalThis as { Bun?: { version?: unknown } }).Bun?.version === "string";

/**
 * The buckets of one sign: a dense window of counts starting at index
 * `offset`. Observing only adds to a slot; which slots are populated is found
 * by scanning the window (at most `limit` slots) when the window must move,
 * or the bucket limit be applied.
 */
class _Side {
  /** Most slots in the window (more only at schema -4, where buckets are no longer merged). */
  readonly limit: number;
  offset = 0;
  counts: Float64Array = EMPTY;
  /** Populated buckets, lowest and highest populated index (lo > hi when empty), as of the last {@link scan}. */
  populated = 0;
  lo = 1;
  hi = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Counts the populated buckets and finds the lowest and highest; returns the count. */
  scan(): number {
    const counts = this.counts;
    let n = 0, lo = 0, hi = -1;
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] !== 0) {
        if (n++ === 0) lo = i;
        hi = i;
      }
    }
    this.populated = n;
    this.lo = lo + this.offset;
    this.hi = n === 0 ? this.lo - 1 : hi + this.offset;
    return n;
  }

  /** Adds `c > 0` at index `k`, moving or growing the window if needed. */
  add(k: number, c: number): void {
    if (k < this.offset || k >= this.offset + this.counts.length) this._grow(k);
    this.counts[k - this.offset] += c;
  }

  /** Span of populated indexes if `k` were added. */
  spanWith(k: number): number {
    if (this.scan() === 0) return 1;
    return Math.max(this.hi, k) - Math.min(this.lo, k) + 1;
  }

  _grow(k: number): void {
    const old = this.counts, oldOffset = this.offset, n = this.scan();
    const lo = n === 0 ? k : Math.min(this.lo, k);
    const hi = n === 0 ? k : Math.max(this.hi, k);
    this._place(lo, hi, k < oldOffset);
    if (n > 0) {
      this.counts.set(
        old.subarray(this.lo - oldOffset, this.hi - oldOffset + 1),
        this.lo - this.offset,
      );
    }
  }

  /** A new, empty window holding indexes `lo..hi`, with room to grow (mostly downwards if `down`). */
  _place(lo: number, hi: number, down: boolean): void {
    const span = hi - lo + 1;
    const len = Math.max(span, Math.min(Math.max(span + 4, this.counts.length * 2, 8), this.limit));
    const extra = len - span;
    // Leave most of the slack on the side the window is growing towards.
    this.offset = down ? lo - (extra - (extra >> 2)) : lo - (extra >> 2);
    this.counts = new Float64Array(len);
  }

  /** Merges buckets pairwise `d` times (index k becomes ceil(k / 2^d)). */
  lower(d: number): void {
    if (this.scan() === 0) return;
    const old = this.counts, oldOffset = this.offset, lo = this.lo, hi = this.hi;
    this.counts = EMPTY;
    this._place(_lowered(lo, d, 0), _lowered(hi, d, 0), false);
    const counts = this.counts, offset = this.offset;
    for (let k = lo; k <= hi; k++) {
      const c = old[k - oldOffset];
      if (c !== 0) counts[_lowered(k, d, 0) - offset] += c;
    }
  }

  clear(): void {
    this.offset = 0;
    this.counts = EMPTY;
    this.populated = 0;
    this.lo = 1;
    this.hi = 0;
  }

  /** index -> count, ascending. */
  entries(): Map<number, number> {
    const out = new Map<number, number>();
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] !== 0) out.set(i + this.offset, counts[i]);
    }
    return out;
  }

  runs(): NativeBucketRuns {
    const out = new _Runs();
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] !== 0) out.add(i + this.offset, counts[i]);
    }
    return { spans: out.spans, deltas: out.deltas };
  }
}

/** Spans and deltas built from populated buckets given in rising index order. */
class _Runs {
  readonly spans: NativeBucketSpan[] = [];
  readonly deltas: number[] = [];
  #prev = 0;
  #next = 0;

  add(k: number, c: number): void {
    const spans = this.spans, deltas = this.deltas;
    const gap = k - this.#next;
    if (spans.length === 0) spans.push({ offset: k, length: 0 });
    else if (gap > 2) spans.push({ offset: gap, length: 0 });
    else {
      // A gap of one or two buckets costs less as zero counts than as a new span.
      for (let g = 0; g < gap; g++) deltas.push(-this.#prev), this.#prev = 0;
      spans[spans.length - 1].length += gap;
    }
    spans[spans.length - 1].length++;
    deltas.push(c - this.#prev);
    this.#prev = c;
    this.#next = k + 1;
  }
}

/**
 * Index -> count buckets (any order; zero counts skipped) as spans and
 * deltas, the form the protobuf encoders write.
 * @internal
 */
export function nativeRuns(buckets: ReadonlyMap<number, number>): NativeBucketRuns {
  const out = new _Runs();
  for (const k of [...buckets.keys()].sort((a, b) => a - b)) {
    const c = buckets.get(k)!;
    if (c !== 0) out.add(k, c);
  }
  return { spans: out.spans, deltas: out.deltas };
}

/**
 * A native part as a series snapshot carries it (`collector.ts`): schema,
 * zero bucket, and each sign's spans and deltas.
 * @internal
 */
export function nativeView(
  n: { readonly schema: number; readonly zeroThreshold: number; readonly zeroCount: number },
  positive: NativeBucketRuns,
  negative: NativeBucketRuns,
): NativeView {
  return {
    schema: n.schema,
    zeroThreshold: n.zeroThreshold,
    zeroCount: n.zeroCount,
    positiveSpans: positive.spans,
    positiveDeltas: positive.deltas,
    negativeSpans: negative.spans,
    negativeDeltas: negative.deltas,
  };
}

/**
 * Checks native histogram options and fills in the defaults; throws a
 * TypeError or RangeError naming the bad option, after `who` (e.g.
 * `Histogram "x": native.`).
 * @internal
 */
export function checkNativeOptions(
  opts: NativeHistogramOptions | undefined,
  who = "native histogram: ",
): Required<NativeHistogramOptions> {
  if (opts !== undefined && (opts === null || typeof opts !== "object")) {
    throw new TypeError(
      `${who}options must be an object { schema?, zeroThreshold?, maxBuckets? }, got ${
        opts === null ? "null" : typeof opts
      }`,
    );
  }
  for (const key in opts) {
    if (key !== "schema" && key !== "zeroThreshold" && key !== "maxBuckets") {
      throw new TypeError(
        `${who}${key} is not a native histogram option; they are schema, zeroThreshold and maxBuckets`,
      );
    }
  }
  const { schema = DEFAULT_NATIVE_SCHEMA, zeroThreshold = DEFAULT_ZERO_THRESHOLD } = opts ?? {};
  const { maxBuckets = DEFAULT_MAX_BUCKETS } = opts ?? {};
  if (!Number.isInteger(schema) || schema < NATIVE_SCHEMA_MIN || schema > NATIVE_SCHEMA_MAX) {
    throw new RangeError(
      `${who}schema ${String(schema)} is not a whole number from -4 to 8 ` +
        `(3 gives 8 buckets per power of two)`,
    );
  }
  if (typeof zeroThreshold !== "number" || !(zeroThreshold >= 0) || zeroThreshold === Infinity) {
    throw new RangeError(
      `${who}zeroThreshold ${String(zeroThreshold)} must be a finite number >= 0 ` +
        `(default 2**-128)`,
    );
  }
  if (!Number.isInteger(maxBuckets) || maxBuckets < 1) {
    throw new RangeError(
      `${who}maxBuckets ${String(maxBuckets)} must be a whole number >= 1 (default 160)`,
    );
  }
  return { schema, zeroThreshold, maxBuckets };
}

/**
 * The counts of one native histogram series: sparse exponential buckets for
 * positive and negative values, a zero bucket, count and sum.
 *
 * As in client_golang: NaN adds to count and sum but to no bucket; ±Infinity
 * goes to the bucket after that of `±Number.MAX_VALUE`. When more than
 * `maxBuckets` buckets are populated, or one sign's populated buckets span
 * more than `2 * maxBuckets` indexes, the schema is lowered (buckets merged
 * pairwise) until they fit or the schema is -4; count and sum never change.
 * The bucket limit is applied when the buckets are read and before the
 * window grows, not at every observe: the schema read is the one lowering
 * after every observe would give (the highest at which all values fit).
 * The counts of one sign are a window of at most `2 * maxBuckets` doubles
 * (2.5 KiB at the default), or of at most 133 at schema -4 if that is more;
 * on JavaScriptCore (Bun) the positive one has that size from the start.
 *
 * @example
 * ```ts
 * import { NativeHistogramCounts } from "./_native.ts";
 * const h = new NativeHistogramCounts({ schema: 0 });
 * h.observe(1); // bucket 0: (0.5, 1]
 * h.observe(3); // bucket 2: (2, 4]
 * h.snapshot().positive; // { spans: [{ offset: 0, length: 3 }], deltas: [1, -1, 1] }
 * ```
 */
export class NativeHistogramCounts {
  /** The configured (starting) schema; {@link reset} returns to it. */
  readonly initialSchema: number;
  /** Upper bound of the zero bucket. */
  readonly zeroThreshold: number;
  /** Limit on populated buckets before the schema is lowered. */
  readonly maxBuckets: number;
  /** Observations with `|v| <= zeroThreshold`. */
  zeroCount = 0;
  /** All observations, NaN included. */
  count = 0;
  /** Sum of all observations. */
  sum = 0;
  /** The schema observations are indexed at; `maxBuckets` is applied to it lazily (see {@link schema}). */
  #schema: number;
  #pos: _Side;
  #neg: _Side;
  // What observeBucket reads, kept in step with #schema and #pos by #sync.
  // Fields, not #private: JavaScriptCore's bytecode for a #field read is three
  // instructions, and observeBucket must stay small enough to be inlined.
  /** @internal The high word of zeroThreshold: |v| whose high word is below it is in the zero bucket. */
  _zeroHi: number;
  /** @internal A high word above this one is a normal, finite double above zeroThreshold. */
  _gate: number;
  /** @internal `8 - schema`: a schema-8 index shifted right by this many bits is one at the schema. */
  _shift = 0;
  /** @internal Subtracted from that for the slot in `_counts` (see #sync). */
  _bias = 0;
  /** @internal The positive window's counts. */
  _counts: Float64Array = EMPTY;

  /** Checks the options; throws a RangeError naming the bad one. */
  constructor(opts?: NativeHistogramOptions) {
    const o = checkNativeOptions(opts);
    if (8 - o.schema < exactShift) _build(o.schema);
    this.initialSchema = this.#schema = o.schema;
    this.zeroThreshold = o.zeroThreshold;
    this.maxBuckets = o.maxBuckets;
    this.#pos = new _Side(2 * o.maxBuckets);
    this.#neg = new _Side(2 * o.maxBuckets);
    f64[0] = o.zeroThreshold;
    this._zeroHi = i32[HI];
    this._gate = Math.max(this._zeroHi, 0xfffff);
    this.#open();
  }

  /**
   * An empty positive window; on JavaScriptCore one of `2 * maxBuckets`
   * slots centred on bucket 0, which at the default schema holds 2^-20 to
   * 2^20 (see WHOLE_WINDOW).
   */
  #open(): void {
    if (WHOLE_WINDOW) {
      const side = this.#pos;
      side.counts = new Float64Array(side.limit);
      side.offset = -(side.limit >> 1);
    }
    this.#sync();
  }

  /** Records one observation. */
  observe(v: number): void {
    this.count++;
    this.sum += v;
    this.observeBucket(v);
  }

  /**
   * Counts `v` in its bucket (or the zero bucket) leaving count and sum as
   * they are: for a caller that keeps those itself, as Histogram does.
   *
   * The common case, an index inside the window, only adds to a slot: the
   * bucket limit is applied when the buckets are read. A window holds at most
   * `2 * maxBuckets` indexes per sign, so an index outside it lowers the
   * schema at once when the window cannot take it.
   */
  observeBucket(v: number): void {
    // A positive value in the window, with nativeBucketIndex written out:
    // JavaScriptCore would not inline that call here.
    f64[0] = v;
    const hi = i32[HI];
    if (hi > this._gate && hi < 0x7ff00000) {
      const m = hi & 0xfffff, c = m >> 11, cell = CELLS[c], high = cell >> 9;
      const t = ((hi >> 20) << 8) + (cell & 511) - ((high - m) >> 31) +
        (m === high && (i32[LO] ^ SIGN) > (CELL_LO[c] ^ SIGN) ? 1 : 0);
      const i = (t >> this._shift) - this._bias, counts = this._counts;
      if (i >= 0 && i < counts.length) {
        counts[i]++;
        return;
      }
    } else if ((hi & 0x7fffffff) < this._zeroHi) {
      this.zeroCount++;
      return;
    }
    // The rest out of line (it tells whether v belongs in the zero bucket).
    // The result is used on purpose: JavaScriptCore compiles a call whose
    // result it has never seen as a bailout instead of a call, and a call in
    // a loop that observes costs more than the observe (the loop's values
    // then live in memory). With the window there from the start, the call
    // stays out until a value outside it arrives anywhere in the process.
    this.zeroCount += this._observeRare(v);
  }

  /**
   * @internal observeBucket out of line, for a value outside the positive
   * window (which moves, grows or is lowered to hold it), negative,
   * subnormal, infinite, NaN, or as large as zeroThreshold in its high
   * word: returns 1 when `v` belongs in the zero bucket, for the caller to
   * count, else 0.
   */
  _observeRare(v: number): number {
    if (v > this.zeroThreshold) this.#add(this.#pos, nativeBucketIndex(v, this.#schema), 1);
    else if (v < -this.zeroThreshold) this.#add(this.#neg, nativeBucketIndex(-v, this.#schema), 1);
    else return v === v ? 1 : 0;
    return 0;
  }

  /**
   * Adds `c` at index `k` of the current schema. Before the window grows or
   * moves, the schema is lowered as far as the bucket limit asks (so the
   * window stays as small as when lowering after every observation), then
   * further while the populated span with `k` would be too wide.
   */
  #add(side: _Side, k: number, c: number): void {
    if (k < side.offset || k >= side.offset + side.counts.length) {
      const s = this.#schema;
      this.#fit();
      k = _lowered(k, s, this.#schema);
      while (this.#schema > NATIVE_SCHEMA_MIN && side.spanWith(k) > 2 * this.maxBuckets) {
        this.#lower(1);
        k = (k + 1) >> 1;
      }
    }
    side.add(k, c);
    this.#sync();
  }

  /**
   * Copies what observeBucket reads after the schema or the positive window
   * changed: with `d = 8 - schema`, the slot of a value whose `t` (see
   * nativeBucketIndex) is known is `(t >> d) - (offset + 2^(18-d) - 1)`.
   */
  #sync(): void {
    const d = 8 - this.#schema;
    this._shift = d;
    this._bias = this.#pos.offset + (1 << (18 - d)) - 1;
    this._counts = this.#pos.counts;
  }

  /**
   * Lowers the schema while more than maxBuckets buckets are populated.
   * Lowering later rather than at each observation ends at the same schema:
   * the populated count and span only grow with more observations and only
   * shrink with a lower schema, so the schema kept is the highest at which
   * all the observations fit either way.
   */
  #fit(): void {
    while (
      this.#schema > NATIVE_SCHEMA_MIN &&
      this.#pos.scan() + this.#neg.scan() > this.maxBuckets
    ) {
      this.#lower(1);
    }
  }

  #lower(d: number): void {
    this.#schema -= d;
    this.#pos.lower(d);
    this.#neg.lower(d);
    this.#sync();
  }

  /** Current schema, at most {@link initialSchema}: lowered as far as `maxBuckets` requires. */
  get schema(): number {
    this.#fit();
    return this.#schema;
  }

  /** Populated buckets, negative and positive. */
  get bucketCount(): number {
    this.#fit();
    return this.#pos.scan() + this.#neg.scan();
  }

  /** Positive buckets: index -> count, ascending index, populated only. */
  positiveBuckets(): Map<number, number> {
    this.#fit();
    return this.#pos.entries();
  }

  /** Negative buckets (indexed by `|v|`): index -> count, ascending index, populated only. */
  negativeBuckets(): Map<number, number> {
    this.#fit();
    return this.#neg.entries();
  }

  /** Spans and deltas of both signs, with schema, zero bucket, count and sum. */
  snapshot(): NativeHistogramSnapshot {
    this.#fit();
    return {
      schema: this.#schema,
      zeroThreshold: this.zeroThreshold,
      zeroCount: this.zeroCount,
      count: this.count,
      sum: this.sum,
      positive: this.#pos.runs(),
      negative: this.#neg.runs(),
    };
  }

  /**
   * Adds `other`'s observations to these: both are brought to the lower
   * schema, then bucket counts, zero count, count and sum are added (and the
   * bucket limit applied). `other` is unchanged. Throws a RangeError when the
   * zero thresholds differ.
   */
  merge(other: NativeHistogramCounts): void {
    if (other.zeroThreshold !== this.zeroThreshold) {
      throw new RangeError(
        `native histogram: cannot merge buckets with zero threshold ${other.zeroThreshold} ` +
          `into ones with ${this.zeroThreshold}; configure both histograms alike`,
      );
    }
    const s = other.schema;
    if (s < this.schema) this.#lower(this.#schema - s);
    // Adding may lower this schema further: map each index at the current one.
    for (const [k, c] of other.positiveBuckets()) {
      this.#add(this.#pos, _lowered(k, s, this.#schema), c);
    }
    for (const [k, c] of other.negativeBuckets()) {
      this.#add(this.#neg, _lowered(k, s, this.#schema), c);
    }
    this.zeroCount += other.zeroCount;
    this.count += other.count;
    this.sum += other.sum;
    this.#fit();
  }

  /** Forgets every observation and returns to the configured schema. */
  reset(): void {
    this.#pos.clear();
    this.#neg.clear();
    this.#schema = this.initialSchema;
    this.#open();
    this.zeroCount = 0;
    this.count = 0;
    this.sum = 0;
  }
}
