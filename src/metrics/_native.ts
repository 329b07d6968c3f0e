/**
 * Native (sparse exponential) histogram buckets for one series: the bucket
 * index rule of the Prometheus native histogram spec, schema lowering past a
 * bucket limit, and the spans + deltas the protobuf encoders write.
 *
 * Bucket `i` of schema `s` is `(2^((i-1) * 2^-s), 2^(i * 2^-s)]`: a value
 * exactly on a bound lands in the bucket that bound closes. Indexes are found
 * from the float's bits (exponent and significand), with a per-schema table of
 * bounds rounded down, so no `Math.log2` rounding can move a value across a
 * bound.
 * @module
 */

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

/**
 * The in-octave bounds of every positive schema `s`, one table of `2^(s+1)`
 * cells each, starting at cell `2^(s+1) - 4`. Bound `j` (j < 2^s) is the
 * largest double `<= 2^(j/2^s - 1)`, within one power of two for the
 * significand in [0.5, 1); bound `2^s` is above every significand. Cell `c`
 * covers the significands whose top `s + 1` bits are `c`, and holds the first
 * `j` whose bound is `>=` the cell's low end, packed as `boundHigh20 << 9 | j`
 * in `CELLS`, with the bound's low 32 bits in `CELL_LO`. A cell is narrower
 * than a bucket, so a value in it belongs to bucket `j`, or `j + 1` when it is
 * above bound `j`.
 */
const CELLS = new Int32Array(1020);
const CELL_LO = new Int32Array(1020);
/** 1 once schema `s`'s cells are filled (on first use: the bounds are checked with BigInt). */
const BUILT = new Uint8Array(NATIVE_SCHEMA_MAX + 1);

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

/** The largest double `<= 2^(j/2^s - 1)` for `0 <= j < 2^s`, checked exactly. */
function _floorBound(j: number, s: number): number {
  if (j === 0) return 0.5;
  // d = m / 2^53 with m in [2^52, 2^53): d <= 2^(j/n - 1)  <=>  m^n <= 2^(j + 52n).
  const n = 1 << s, k = j + 52 * n;
  let m = BigInt(Math.round(2 ** (j / n - 1) * 2 ** 53));
  while (!_powAtMost(m, s, k)) m--;
  while (_powAtMost(m + 1n, s, k)) m++;
  return Number(m) / 2 ** 53;
}

/** Fills the cells of schema `s > 0`. */
function _build(s: number): void {
  const n = 1 << s, cells = 2 * n, base = cells - 4;
  const bounds = new Float64Array(n + 1);
  for (let j = 0; j < n; j++) bounds[j] = _floorBound(j, s);
  bounds[n] = 1;
  // The bounds' bits, through a view of their own (the caller's value is in f64).
  const words = new Int32Array(bounds.buffer);
  for (let c = 0, j = 0; c < cells; c++) {
    const low = 0.5 + c / (cells * 2);
    while (bounds[j] < low) j++;
    const high = j === n ? 0x100000 : words[2 * j + HI] & 0xfffff;
    CELLS[base + c] = (high << 9) | j;
    CELL_LO[base + c] = j === n ? 0 : words[2 * j + LO];
  }
  BUILT[s] = 1;
}

/**
 * The bucket index of `a > 0` (not NaN) at `schema`: the `i` with
 * `2^((i-1) * 2^-s) < a <= 2^(i * 2^-s)`. `Infinity` gets the index after that
 * of `Number.MAX_VALUE`, as in client_golang.
 */
export function nativeBucketIndex(a: number, schema: number): number {
  if (schema > 0) {
    if (BUILT[schema] === 0) _build(schema);
    return _indexAbove0(a, schema);
  }
  f64[0] = a;
  const hi = i32[HI];
  // a = frac * 2^(e - 1022) with frac in [0.5, 1), for a normal (e from 1 to 0x7fe).
  const e = hi >>> 20;
  if (e === 0 || e === 0x7ff) return _unusual(a, schema);
  // The schema-0 index is e - 1022, or e - 1023 when a is a power of two.
  const k = (hi & 0xfffff) === 0 && i32[LO] === 0 ? e - 1023 : e - 1022;
  return (k + (1 << -schema) - 1) >> -schema;
}

/** Builds the cells `_indexAbove0` needs for `schema`, if it is > 0 and they are not yet built. */
function _ensureCells(schema: number): void {
  if (schema > 0 && BUILT[schema] === 0) _build(schema);
}

/**
 * {@link nativeBucketIndex} for a schema > 0 whose cells are built. Kept
 * apart and small (the rare cases call out), so that JavaScriptCore and V8
 * inline it into an observe.
 */
function _indexAbove0(a: number, schema: number): number {
  f64[0] = a;
  // a > 0: the sign bit is clear, so >> is >>> (JavaScriptCore keeps >> in int32).
  const hi = i32[HI], e = hi >> 20, m = hi & 0xfffff;
  if (e === 0 || e === 0x7ff) return _unusual(a, schema);
  const c = (2 << schema) - 4 + (m >> (19 - schema)), cell = CELLS[c], high = cell >> 9;
  // Above bound j: the next bucket (no branch on the common, unpredictable case).
  const j = (cell & 511) - ((high - m) >> 31);
  return ((e - 1023) << schema) + (m === high ? j + _aboveLow(c) : j);
}

/** 1 if the low word of the double in `f64` is above that of cell `c`'s bound, else 0. */
function _aboveLow(c: number): number {
  return (i32[LO] ^ 0x80000000) > (CELL_LO[c] ^ 0x80000000) ? 1 : 0;
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
 * (2.5 KiB at the default), or of at most 133 at schema -4 if that is more.
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
  /** The positive window's offset and counts, copied here for observeBucket (one load less). */
  #posOffset = 0;
  #posCounts: Float64Array = EMPTY;

  /** Checks the options; throws a RangeError naming the bad one. */
  constructor(opts?: NativeHistogramOptions) {
    const o = checkNativeOptions(opts);
    this.initialSchema = this.#schema = o.schema;
    _ensureCells(o.schema);
    this.zeroThreshold = o.zeroThreshold;
    this.maxBuckets = o.maxBuckets;
    this.#pos = new _Side(2 * o.maxBuckets);
    this.#neg = new _Side(2 * o.maxBuckets);
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
    // The common case (a positive normal value, schema > 0, inside the window)
    // with _indexAbove0 written out: JavaScriptCore does not inline that call,
    // and the call alone cost more than a classic observe.
    const s = this.#schema;
    if (v > this.zeroThreshold && s > 0) {
      f64[0] = v;
      const hi = i32[HI], e = hi >> 20, m = hi & 0xfffff;
      if (e !== 0x7ff && e !== 0) {
        const c = (2 << s) - 4 + (m >> (19 - s)), cell = CELLS[c], high = cell >> 9;
        // Above bound j: the next bucket (no branch on the common, unpredictable case).
        const j = (cell & 511) - ((high - m) >> 31);
        const i = ((e - 1023) << s) + (m === high ? j + _aboveLow(c) : j) - this.#posOffset;
        const counts = this.#posCounts;
        if (i >= 0 && i < counts.length) {
          counts[i]++;
          return;
        }
      }
    }
    this.#observeOther(v);
  }

  /** observeBucket for the other cases, out of line. */
  #observeOther(v: number): void {
    if (v > this.zeroThreshold) this.#bump(this.#pos, nativeBucketIndex(v, this.#schema));
    else if (v < -this.zeroThreshold) this.#bump(this.#neg, nativeBucketIndex(-v, this.#schema));
    else if (v === v) this.zeroCount++;
  }

  /** Adds one at index `k` of `side`. */
  #bump(side: _Side, k: number): void {
    const i = k - side.offset;
    if (i >= 0 && i < side.counts.length) side.counts[i]++;
    else this.#add(side, k, 1);
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

  /** Copies the positive window's place after it moved. */
  #sync(): void {
    this.#posOffset = this.#pos.offset;
    this.#posCounts = this.#pos.counts;
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
    _ensureCells(this.#schema);
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
    this.#sync();
    this.#schema = this.initialSchema;
    this.zeroCount = 0;
    this.count = 0;
    this.sum = 0;
  }
}
