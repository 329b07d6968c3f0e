/**
 * Histogram: observations counted into buckets, with their sum and count.
 * @module
 */

import { picture, reservedNames, show } from "../_names.ts";
import type {
  CollectOptions,
  Exemplar,
  HistogramFamilySnapshot,
  HistogramSeriesSnapshot,
  NativeHistogramSnapshot,
} from "../collector.ts";
import type { Format } from "../exposition/format.ts";
import {
  checkMetricOptions,
  createdNow,
  createdSeconds,
  type Labels,
  type LabelValue,
  type MetricOptions,
} from "./_metric.ts";
import { checkObservation, ObserverChild, ObservingMetric } from "./_observer.ts";
import {
  type ExemplarLabels,
  type ExemplarOptions,
  exemplarOptions,
  newExemplar,
} from "./_exemplar.ts";
import type { NativeHistogramOptions } from "./_native.ts";

export type { NativeHistogramOptions };

/**
 * The native part of a {@link Histogram}: made by `nativeHistogram()` from
 * `@promedge/client/native` and passed as its `native` option.
 */
export interface NativeHistogram {
  /** The native histogram options, defaults filled in. */
  readonly options: Readonly<Required<NativeHistogramOptions>>;
  /** The formats that carry the native part (protobuf); a handler offers them. */
  readonly formats: readonly Format[];
  /** @internal A new series' native buckets. */
  _counts(): NativeCounts;
  /** @internal A new series' bounded exemplar set. */
  _exemplars(): { add(e: Exemplar): void; readonly list: readonly Exemplar[] };
  /** @internal The native part of a series as its snapshot. */
  _view(counts: NativeCounts): NativeHistogramSnapshot;
}

/** @internal The native buckets of one series, as a Histogram drives them. */
export interface NativeCounts {
  /** Adds one observation to its bucket (the series keeps count and sum). */
  observeBucket(v: number): void;
  /** Empties the buckets and returns to the configured schema. */
  reset(): void;
}

/** The default buckets, as in the other Prometheus client libraries: 5 ms to 10 s. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
]);

/** Options of a {@link Histogram}. */
export interface HistogramOptions<L extends string> extends MetricOptions<L> {
  /**
   * Upper bounds of the buckets, strictly increasing and finite (a last
   * `Infinity` is dropped: the `+Inf` bucket is always there). Default
   * {@link DEFAULT_BUCKETS}.
   */
  buckets?: readonly number[];
  /**
   * Also keep a native histogram per series (sparse exponential buckets,
   * sent in the protobuf exposition, which Prometheus started with
   * `--enable-feature=native-histograms` asks for):
   * `nativeHistogram(options?)` from `@promedge/client/native`; `false` (as
   * `undefined`) for none, so `native: enabled && nativeHistogram()` works.
   * The classic buckets stay, and are what the text formats show. Anything
   * else throws a TypeError naming it.
   */
  native?: NativeHistogram | false;
  /** Called at every scrape before the histogram is written, with it as `this`. */
  collect?: (this: Histogram<L>) => void | Promise<void>;
}

/** `count` buckets `start`, `start + width`, ... */
export function linearBuckets(
  start: number,
  width: number,
  count: number,
): number[] {
  if (!Number.isFinite(start) || !(width > 0) || !Number.isFinite(width)) {
    throw new RangeError(
      `linearBuckets(${start}, ${width}, ${count}): start must be finite and width a finite number > 0`,
    );
  }
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(
      `linearBuckets(${start}, ${width}, ${count}): count must be a whole number >= 1`,
    );
  }
  return Array.from({ length: count }, (_, i) => start + i * width);
}

/** `count` buckets `start`, `start * factor`, `start * factor²`, ... */
export function exponentialBuckets(
  start: number,
  factor: number,
  count: number,
): number[] {
  if (!(start > 0) || !Number.isFinite(start) || !(factor > 1) || !Number.isFinite(factor)) {
    throw new RangeError(
      `exponentialBuckets(${start}, ${factor}, ${count}): start must be > 0 and factor > 1`,
    );
  }
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(
      `exponentialBuckets(${start}, ${factor}, ${count}): count must be a whole number >= 1`,
    );
  }
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

function checkNative(name: string, native: unknown): NativeHistogram | undefined {
  if (native === undefined || native === false) return undefined;
  const n = native as Partial<NativeHistogram> | null;
  if (
    n !== null && typeof n === "object" && typeof n._counts === "function" &&
    typeof n._exemplars === "function" && typeof n._view === "function" &&
    n.options !== null && typeof n.options === "object" && Array.isArray(n.formats)
  ) return native as NativeHistogram;
  let fix: string;
  if (native === true) fix = "got true; write native: nativeHistogram()";
  else if (typeof native === "function") {
    fix = `got ${picture(native)} itself; call it: native: nativeHistogram()`;
  } else if (typeof n?._counts === "function") {
    fix = "got one made by another, incompatible copy of @promedge/client; import Histogram " +
      "and nativeHistogram from the same version";
  } else if (n !== null && typeof n === "object" && !Array.isArray(n)) {
    // The 0.2 options object: the same options go to nativeHistogram().
    const shown = picture(n);
    fix = shown.startsWith("{") && shown.endsWith("}")
      ? `got ${shown}; write native: nativeHistogram(${shown})`
      : `got ${shown}; pass its options to nativeHistogram()`;
  } else fix = `got ${picture(native)}`;
  throw new TypeError(
    `Histogram "${name}": native takes nativeHistogram(options?) from "@promedge/client/native" ` +
      `(or false for none); ${fix}`,
  );
}

function checkBuckets(name: string, buckets: unknown): number[] {
  if (buckets === undefined) return [...DEFAULT_BUCKETS];
  if (!Array.isArray(buckets)) {
    throw new TypeError(`Histogram "${name}": buckets must be an array of numbers`);
  }
  const b = buckets.at(-1) === Infinity ? buckets.slice(0, -1) : [...buckets];
  for (let i = 0; i < b.length; i++) {
    if (typeof b[i] !== "number" || !Number.isFinite(b[i])) {
      throw new RangeError(
        `Histogram "${name}": bucket ${
          show(b[i])
        } is not a finite number; the +Inf bucket is added for you`,
      );
    }
    if (i > 0 && !(b[i] > b[i - 1])) {
      throw new RangeError(
        `Histogram "${name}": buckets must be strictly increasing, but ${b[i]} follows ${b[i - 1]}`,
      );
    }
  }
  return b;
}

/**
 * The live state of one Histogram series, what its snapshot reads.
 * @ignore
 */
export class HistogramSeries {
  sum = 0;
  count = 0;
  /** Created, as kept by `createdNow()`. */
  c: number = createdNow();
  readonly counts: Float64Array;
  /** The native buckets, for a histogram with a native part. */
  readonly nativeCounts: NativeCounts | undefined;
  constructor(readonly k: string, n: number, native?: NativeHistogram) {
    this.counts = new Float64Array(n + 1);
    this.nativeCounts = native?._counts();
  }
}

/** Index of the first bucket whose upper bound is >= v (bounds.length for +Inf). */
function bucketIndex(bounds: Float64Array, v: number): number {
  const n = bounds.length;
  if (n <= 16) {
    let i = 0;
    while (i < n && v > bounds[i]) i++;
    return i;
  }
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v > bounds[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Records `v` in `s`; false, recording nothing, when `s` was taken out of its
 * histogram (its count is NaN then: see Metric._poison).
 */
function record(
  s: HistogramSeries,
  bounds: Float64Array,
  v: number,
  name: string,
): boolean {
  checkObservation("Histogram", name, v);
  const count = s.count + 1;
  if (count !== count) return false;
  s.counts[bucketIndex(bounds, v)]++;
  s.sum += v;
  s.count = count;
  if (s.nativeCounts !== undefined) s.nativeCounts.observeBucket(v);
  return true;
}

/** A histogram series snapshot being made. */
type SnapshotDraft = { -readonly [K in keyof HistogramSeriesSnapshot]: HistogramSeriesSnapshot[K] };

/**
 * The exemplars of one series: the latest per classic bucket (indexes as in
 * `counts`) and, for a native histogram, a bounded set.
 */
interface KeptExemplars {
  readonly buckets: readonly (Exemplar | undefined)[];
  readonly native: { add(e: Exemplar): void; readonly list: readonly Exemplar[] } | undefined;
}

/**
 * A histogram bound to one label set by {@link Histogram.labels}. After
 * `reset()` or `remove()` its next observation brings the series back, from
 * zero.
 */
export class HistogramChild extends ObserverChild {
  #s: HistogramSeries;
  #h: Histogram<string>;
  /** @internal */
  constructor(series: HistogramSeries, h: Histogram<string>) {
    super();
    this.#s = series;
    this.#h = h;
  }
  /** Records one observation. */
  observe(value: number): void {
    const h = this.#h;
    if (!record(this.#s, h.bounds, value, h.name)) {
      const s = h._reattach(this.#s, true)!;
      // Not ours: the overflow series (maxSeries); keep trying ours.
      if (h._own(this.#s, s)) this.#s = s;
      record(s, h.bounds, value, h.name);
    }
  }
  /**
   * Records one observation and keeps it as an exemplar (see
   * {@link Histogram.observeWithExemplar}).
   */
  observeWithExemplar(value: number, exemplarLabels: ExemplarLabels): void {
    const s = this.#h._observeWithExemplar(this.#s, value, exemplarLabels);
    if (this.#h._own(this.#s, s)) this.#s = s; // not the overflow series: see observe()
  }
}

/**
 * A histogram, exported as `name_bucket{le="..."}` (cumulative), `name_sum`
 * and `name_count`.
 *
 * @example
 * ```ts
 * import { Histogram, Registry } from "../../mod.ts";
 * const latency = new Histogram({
 *   name: "http_request_duration_seconds",
 *   help: "Request latency.",
 *   labelNames: ["route"],
 *   buckets: [0.01, 0.1, 1],
 *   registry: new Registry(),
 * });
 * latency.observe({ route: "/users/:id" }, 0.042);
 * const handler = latency.labels({ route: "/" }).time(async () => "ok");
 * await handler();
 * ```
 */
export class Histogram<L extends string = never> extends ObservingMetric<L, HistogramSeries> {
  /** Always `"histogram"`. */
  readonly type = "histogram" as const;
  /** @internal */
  readonly reservedNames: readonly string[];
  /** The bucket upper bounds, without +Inf. */
  readonly buckets: readonly number[];
  /** @internal */
  readonly bounds: Float64Array;
  /** The native histogram options (defaults filled in), or undefined without a native part. */
  readonly native: Readonly<Required<NativeHistogramOptions>> | undefined;
  /** The formats its native part needs (protobuf); empty without one. */
  readonly formats: readonly Format[];
  #native: NativeHistogram | undefined;
  /** Each series' exemplars, made on the first one: series without one cost nothing. */
  #exemplars: WeakMap<HistogramSeries, KeptExemplars> | undefined;

  /** Creates the histogram and registers it (see {@link MetricOptions.registry}). */
  constructor(opts: HistogramOptions<L>) {
    checkMetricOptions("Histogram", opts, ["buckets", "native"]);
    const buckets = checkBuckets(opts?.name, opts?.buckets);
    const bounds = new Float64Array(buckets);
    const native = checkNative(opts?.name, opts?.native);
    super(opts, "le");
    this.#native = native;
    this.native = native?.options;
    this.formats = native?.formats ?? [];
    this.buckets = Object.freeze(buckets);
    this.bounds = bounds;
    this._checkUnit(this.name);
    this.reservedNames = reservedNames("histogram", this.name);
    this._ready(opts);
  }

  /** @internal */
  protected _newSeries(k: string): HistogramSeries {
    return new HistogramSeries(k, this.bounds.length, this.#native);
  }

  /** @internal */
  protected override _poison(s: HistogramSeries): void {
    s.count = NaN;
  }

  /**
   * @internal A series taken out of the tree while a page was being written
   * is written as it was then: its count, poisoned, is the sum of its bucket
   * counts (observations made after the page read the tree are in the buckets
   * and the sum, so the count read then would not match them).
   */
  protected override _unpoison(
    view: HistogramSeriesSnapshot,
    _v: number,
    _s: HistogramSeries,
  ): void {
    let count = 0;
    for (const c of view.counts as Float64Array) count += c;
    (view as SnapshotDraft).count = count;
  }

  /** @internal */
  protected _resetSeries(s: HistogramSeries): void {
    s.counts.fill(0);
    s.sum = 0;
    s.count = 0;
    s.nativeCounts?.reset();
    s.c = createdNow();
    this.#exemplars?.delete(s);
  }

  /** @internal */
  protected _record(s: HistogramSeries, v: number): void {
    record(s, this.bounds, v, this.name);
  }

  /**
   * The series now, as data, each with its raw `labels` (see
   * {@link Metric.snapshot}).
   */
  override snapshot(): HistogramFamilySnapshot {
    return super.snapshot() as HistogramFamilySnapshot;
  }

  /**
   * Records one observation in the histogram without labels and keeps it as
   * an exemplar: the latest one of the classic bucket it falls in (a value
   * equal to a bound in that bound's bucket) and, for a native histogram, one
   * of a bounded set per series (10; once full, the oldest past 5 minutes
   * goes first, else the one nearest in value). They are exported with their
   * labels, the value and the time of this call (OpenMetrics: the classic
   * buckets; protobuf: both). A plain `observe()` keeps the exemplars there
   * are. Nothing changes when the value or the labels are rejected: a
   * RangeError for a value that is not a finite number or labels over 128
   * code points (names and values together), a TypeError for a bad label
   * name or a lone surrogate.
   *
   * @example
   * ```ts
   * import { Histogram, Registry } from "../../mod.ts";
   * const latency = new Histogram({ name: "job_seconds", help: "Job time.", registry: new Registry() });
   * latency.observeWithExemplar(0.42, { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" });
   * ```
   */
  observeWithExemplar(value: number, exemplarLabels: ExemplarLabels): void;
  /** The same for the series with these labels: `observeWithExemplar(labels, { value, exemplarLabels })`. */
  observeWithExemplar(labels: Labels<L>, options: ExemplarOptions): void;
  observeWithExemplar(a: number | Labels<L>, b: ExemplarLabels | ExemplarOptions): void {
    if (typeof a === "object" && a !== null) {
      const o = exemplarOptions(this, "observeWithExemplar", b);
      this._observeWithExemplar(undefined, o.value, o.exemplarLabels, a);
    } else this._observeWithExemplar(this._single, a, b as ExemplarLabels);
  }

  /**
   * @internal Checks the value and the exemplar, then finds the series (from
   * `labels` when `s` is undefined; a bound child's series that reset() or
   * remove() took out comes back), records the value, keeps the exemplar on
   * its classic bucket and in the native set, and returns the series.
   */
  _observeWithExemplar(
    s: HistogramSeries | undefined,
    value: unknown,
    exemplarLabels: unknown,
    labels?: Labels<L>,
  ): HistogramSeries {
    checkObservation("Histogram", this.name, value);
    const v = value as number;
    const e = newExemplar(this, exemplarLabels, v);
    if (s === undefined) s = this._series(labels as Labels<L>);
    else if (s.count !== s.count) s = this._reattach(s, true)!; // poisoned: see _poison
    record(s, this.bounds, v, this.name);
    const ex = this.#exemplars ??= new WeakMap();
    let kept = ex.get(s) as { buckets: (Exemplar | undefined)[]; native?: KeptExemplars["native"] };
    if (kept === undefined) {
      kept = {
        buckets: new Array(this.bounds.length + 1).fill(undefined),
        native: this.#native?._exemplars(),
      };
      ex.set(s, kept as KeptExemplars);
    }
    kept.buckets[bucketIndex(this.bounds, v)] = e;
    kept.native?.add(e);
    return s;
  }

  /** The series for these labels, resolved once. */
  labels(labels: Labels<L>): HistogramChild;
  /** The series for these label values, in `labelNames` order. */
  labels(...values: LabelValue[]): HistogramChild;
  labels(...args: unknown[]): HistogramChild {
    return this._child(this._seriesOf(args));
  }

  /** @internal */
  protected _child(s: HistogramSeries): HistogramChild {
    return new HistogramChild(s, this as Histogram<string>);
  }

  /**
   * @internal A series as its snapshot: the live classic counts, or with
   * `labels` (detached) a plain-array copy that serialises with
   * JSON.stringify; the native part and the exemplars as they are now. The
   * series of a histogram without labels is read when a page is gathered,
   * not when it is written (a labelled one's just before it is written), so
   * its counts are copied: observations in between would move them on
   * without its count and sum.
   */
  protected _view(
    s: HistogramSeries,
    labelText: string,
    labels: Record<string, string> | undefined,
    options?: CollectOptions,
  ): HistogramSeriesSnapshot {
    const detached = labels !== undefined;
    // Left out for a page whose format does not write it (text, OpenMetrics).
    const n = options?.native === false ? undefined : s.nativeCounts;
    const live = n === undefined && s !== this._single;
    const v: SnapshotDraft = {
      labelText,
      counts: detached ? Array.from(s.counts) : live ? s.counts : s.counts.slice(),
      sum: s.sum,
      count: s.count,
      created: createdSeconds(s.c),
    };
    if (detached) v.labels = labels;
    if (n !== undefined) v.native = this.#native!._view(n);
    const kept = this.#exemplars?.get(s);
    if (kept !== undefined) {
      v.exemplars = detached || !live ? kept.buckets.slice() : kept.buckets;
      if (n !== undefined && kept.native && kept.native.list.length > 0) {
        v.native = { ...v.native!, exemplars: kept.native.list.slice() };
      }
    }
    return v;
  }

  /** @internal */
  protected _family(series: HistogramSeriesSnapshot[]): HistogramFamilySnapshot {
    return {
      name: this.name,
      help: this.help,
      type: "histogram",
      unit: this.unit,
      buckets: this.buckets,
      series,
    };
  }
}
