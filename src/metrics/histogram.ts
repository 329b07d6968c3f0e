/**
 * Histogram: observations counted into buckets, with their sum and count.
 * @module
 */

import { reservedNames, show } from "../_names.ts";
import type { Exemplar, HistogramFamilySnapshot } from "../collector.ts";
import { type Labels, type LabelValue, type MetricOptions, nowSeconds } from "./_metric.ts";
import {
  type ExemplarLabels,
  type ExemplarOptions,
  exemplarOptions,
  newExemplar,
} from "./_exemplar.ts";
import { badObservation, ObserverChild, ObservingMetric } from "./_observer.ts";

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
  created: number = nowSeconds();
  readonly counts: Float64Array;
  constructor(readonly labelText: string, n: number) {
    this.counts = new Float64Array(n + 1);
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

/** Counts `v` in its bucket; returns the bucket's index. */
function record(
  s: HistogramSeries,
  bounds: Float64Array,
  v: number,
  name: string,
): number {
  if (typeof v !== "number" || v - v !== 0) throw badObservation("Histogram", name, v);
  const i = bucketIndex(bounds, v);
  s.counts[i]++;
  s.sum += v;
  s.count++;
  return i;
}

/** A histogram bound to one label set by {@link Histogram.labels}. */
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
    record(this.#s, this.#h.bounds, value, this.#h.name);
  }
  /**
   * Records one observation and keeps it as its bucket's exemplar (see
   * {@link Histogram.observeWithExemplar}).
   */
  observeWithExemplar(value: number, exemplarLabels: ExemplarLabels): void {
    this.#h._observeWithExemplar(this.#s, value, exemplarLabels);
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
  /**
   * Per series, the latest exemplar of each classic bucket (indexes as in
   * `counts`), made on a series' first exemplar: others cost nothing.
   */
  #exemplars: WeakMap<HistogramSeries, (Exemplar | undefined)[]> | undefined;

  /** Creates the histogram and registers it (see {@link MetricOptions.registry}). */
  constructor(opts: HistogramOptions<L>) {
    const buckets = checkBuckets(opts?.name, opts?.buckets);
    const bounds = new Float64Array(buckets);
    super(opts, "le");
    this.buckets = Object.freeze(buckets);
    this.bounds = bounds;
    this._checkUnit(this.name);
    this.reservedNames = reservedNames("histogram", this.name);
    this._ready(opts);
  }

  /** @internal */
  protected _newSeries(labelText: string): HistogramSeries {
    return new HistogramSeries(labelText, this.bounds.length);
  }

  /** @internal */
  protected _resetSeries(s: HistogramSeries): void {
    s.counts.fill(0);
    s.sum = 0;
    s.count = 0;
    s.created = nowSeconds();
    this.#exemplars?.delete(s);
  }

  /** @internal */
  protected _record(s: HistogramSeries, v: number): void {
    record(s, this.bounds, v, this.name);
  }

  /**
   * Records one observation in the histogram without labels and keeps it as
   * the exemplar of the bucket it falls in (a value equal to a bound in that
   * bound's bucket): the latest one per bucket is exported (OpenMetrics,
   * protobuf), with its labels, the value and the time of this call. A plain
   * `observe()` keeps the exemplars there are. Nothing changes when the value
   * or the labels are rejected: a RangeError for a value that is not a finite
   * number or labels over 128 code points (names and values together), a
   * TypeError for a bad label name or a lone surrogate.
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
   * `labels` when `s` is undefined), records the value and keeps the exemplar
   * on its bucket. Native histograms (not wired here yet) hook in at the
   * end: a series with native buckets keeps `e` in a `NativeExemplars` set
   * (`_exemplar.ts`: 10, oldest past 5 minutes replaced first) instead of the
   * per-bucket array, and its snapshot's `native.exemplars` is that set's
   * `list`.
   */
  _observeWithExemplar(
    s: HistogramSeries | undefined,
    value: unknown,
    exemplarLabels: unknown,
    labels?: Labels<L>,
  ): void {
    if (typeof value !== "number" || value - value !== 0) {
      throw badObservation("Histogram", this.name, value);
    }
    const e = newExemplar(this, exemplarLabels, value);
    s ??= this._series(labels as Labels<L>);
    const i = record(s, this.bounds, value, this.name);
    const ex = this.#exemplars ??= new WeakMap();
    let kept = ex.get(s);
    if (kept === undefined) ex.set(s, kept = new Array(this.bounds.length + 1).fill(undefined));
    kept[i] = e;
  }

  /** The series for these labels, resolved once. */
  labels(labels: Labels<L>): HistogramChild;
  /** The series for these label values, in `labelNames` order. */
  labels(...values: LabelValue[]): HistogramChild;
  labels(...args: unknown[]): HistogramChild {
    return new HistogramChild(this._seriesOf(args), this as Histogram<string>);
  }

  /** @internal */
  protected override _detach(s: HistogramSeries, labels: Record<string, string>): HistogramSeries {
    const d = { ...s, counts: s.counts.slice(), labels } as HistogramSeries & {
      exemplars?: (Exemplar | undefined)[];
    };
    const e = this.#exemplars?.get(s);
    if (e !== undefined) d.exemplars = e.slice();
    return d;
  }

  /** @internal */
  protected _family(series: HistogramSeries[]): HistogramFamilySnapshot {
    const ex = this.#exemplars;
    return {
      name: this.name,
      help: this.help,
      type: "histogram",
      unit: this.unit,
      buckets: this.buckets,
      series: ex === undefined ? series : series.map((s) => {
        const e = ex.get(s);
        return e === undefined ? s : { ...s, exemplars: e };
      }),
    };
  }
}
