/**
 * Summary: count, sum and quantiles of observations, over all time or a
 * sliding window.
 * @module
 */

import { reservedNames, show } from "../_names.ts";
import type { CollectOptions, SummaryFamilySnapshot, SummarySeriesSnapshot } from "../collector.ts";
import {
  checkMetricOptions,
  createdNow,
  createdSeconds,
  type Labels,
  type LabelValue,
  type MetricOptions,
} from "./_metric.ts";
import { RELATIVE_ACCURACY, Sketch, WindowedSketch } from "./_sketch.ts";
import { checkObservation, ObserverChild, ObservingMetric } from "./_observer.ts";

/** The default quantiles, as in prom-client. */
export const DEFAULT_PERCENTILES: readonly number[] = Object.freeze([
  0.01,
  0.05,
  0.5,
  0.9,
  0.95,
  0.99,
  0.999,
]);

const NO_VALUES = new Float64Array(0);

/** The read options of `_sketches()`: views carry the live sketch instead of quantiles. */
const SKETCHES: CollectOptions = { quantiles: false };

/** The relative error bound of every reported quantile (0.5%). */
export const SUMMARY_RELATIVE_ACCURACY: number = RELATIVE_ACCURACY;

/** Options of a {@link Summary}. */
export interface SummaryOptions<L extends string> extends MetricOptions<L> {
  /**
   * The quantiles to report, each in (0, 1), increasing. Default
   * {@link DEFAULT_PERCENTILES}; `[]` for only `_sum` and `_count`.
   */
  percentiles?: readonly number[];
  /**
   * Report quantiles over roughly the last `maxAgeSeconds` only; without it
   * they cover every observation.
   */
  maxAgeSeconds?: number;
  /** How many slots the window rotates through (default 5). */
  ageBuckets?: number;
  /** The clock in epoch milliseconds, for the window (default `Date.now`); for tests. */
  now?: () => number;
  /** Called at every scrape before the summary is written, with it as `this`. */
  collect?: (this: Summary<L>) => void | Promise<void>;
}

interface Window {
  add(v: number): void;
}

/**
 * The live state of one Summary series, what its snapshot reads.
 * @ignore
 */
export class SummarySeries {
  sum = 0;
  count = 0;
  /** The count when reset() or remove() took the series out (`count` is NaN then). */
  gone = 0;
  /** Created, as kept by `createdNow()`. */
  c: number = createdNow();
  constructor(readonly k: string, readonly window: Window | undefined) {}
}

function checkPercentiles(name: string, p: unknown): number[] {
  if (p === undefined) return [...DEFAULT_PERCENTILES];
  if (!Array.isArray(p)) {
    throw new TypeError(`Summary "${name}": percentiles must be an array of numbers`);
  }
  for (let i = 0; i < p.length; i++) {
    if (typeof p[i] !== "number" || !(p[i] > 0 && p[i] < 1)) {
      throw new RangeError(
        `Summary "${name}": percentile ${
          show(p[i])
        } is outside (0, 1); write the 99th percentile as 0.99`,
      );
    }
    if (i > 0 && !(p[i] > p[i - 1])) {
      throw new RangeError(
        `Summary "${name}": percentiles must be strictly increasing, but ${p[i]} follows ${
          p[i - 1]
        }`,
      );
    }
  }
  return [...p];
}

/**
 * Records `v` in `s`; false, recording nothing, when `s` was taken out of its
 * summary (its count is NaN then: see Metric._poison).
 */
function record(s: SummarySeries, v: number, name: string): boolean {
  checkObservation("Summary", name, v);
  const count = s.count + 1;
  if (count !== count) return false;
  s.window?.add(v);
  s.sum += v;
  s.count = count;
  return true;
}

/**
 * A summary bound to one label set by {@link Summary.labels}. After `reset()`
 * or `remove()` its next observation brings the series back, from zero.
 */
export class SummaryChild extends ObserverChild {
  #s: SummarySeries;
  #m: Summary<string>;
  /** @internal */
  constructor(series: SummarySeries, metric: Summary<string>) {
    super();
    this.#s = series;
    this.#m = metric;
  }
  /** Records one observation. */
  observe(value: number): void {
    if (!record(this.#s, value, this.#m.name)) {
      const s = this.#m._reattach(this.#s, true)!;
      // Not ours: the overflow series (maxSeries); keep trying ours.
      if (this.#m._own(this.#s, s)) this.#s = s;
      record(s, value, this.#m.name);
    }
  }
}

/**
 * A summary, exported as `name{quantile="0.5"}` per quantile, `name_sum` and
 * `name_count`. Quantiles are within 0.5% relative error of the exact order
 * statistic (see README), over all observations or the last `maxAgeSeconds`.
 *
 * @example
 * ```ts
 * import { Registry, Summary } from "../../mod.ts";
 * const REQUEST_TIME = new Summary({
 *   name: "request_processing_seconds",
 *   help: "Time spent processing request",
 *   registry: new Registry(),
 * });
 * const processRequest = REQUEST_TIME.time(async (t: number) => {
 *   await new Promise((r) => setTimeout(r, t * 1000));
 * });
 * await processRequest(0.01);
 * ```
 */
export class Summary<L extends string = never> extends ObservingMetric<L, SummarySeries> {
  /** Always `"summary"`. */
  readonly type = "summary" as const;
  /** @internal */
  readonly reservedNames: readonly string[];
  /** The quantiles reported. */
  readonly percentiles: readonly number[];
  /** The window in seconds, if any. */
  readonly maxAgeSeconds: number | undefined;
  /** The number of window slots. */
  readonly ageBuckets: number;
  #now: () => number;

  /** Creates the summary and registers it (see {@link MetricOptions.registry}). */
  constructor(opts: SummaryOptions<L>) {
    checkMetricOptions("Summary", opts, ["percentiles", "maxAgeSeconds", "ageBuckets", "now"]);
    super(opts, "quantile");
    this.percentiles = Object.freeze(checkPercentiles(this.name, opts.percentiles));
    const { maxAgeSeconds, ageBuckets = 5, now = Date.now } = opts;
    if (maxAgeSeconds !== undefined && !(maxAgeSeconds > 0 && maxAgeSeconds < Infinity)) {
      throw new RangeError(
        `Summary "${this.name}": maxAgeSeconds must be a number of seconds > 0, got ${maxAgeSeconds}`,
      );
    }
    if (!Number.isInteger(ageBuckets) || ageBuckets < 1) {
      throw new RangeError(
        `Summary "${this.name}": ageBuckets must be a whole number >= 1, got ${ageBuckets}`,
      );
    }
    this.maxAgeSeconds = maxAgeSeconds;
    this.ageBuckets = ageBuckets;
    this.#now = now;
    this._checkUnit(this.name);
    this.reservedNames = reservedNames("summary", this.name);
    this._ready(opts);
  }

  /** @internal */
  protected _newSeries(k: string): SummarySeries {
    let w: Window | undefined;
    if (this.percentiles.length > 0) {
      w = this.maxAgeSeconds === undefined
        ? new Sketch()
        : new WindowedSketch(this.maxAgeSeconds * 1000, this.ageBuckets, this.#now);
    }
    return new SummarySeries(k, w);
  }

  /** @internal */
  protected override _poison(s: SummarySeries): void {
    s.gone = s.count;
    s.count = NaN;
  }

  /**
   * @internal A series taken out of the tree while a page was being written
   * is written as it was then: the count it had, with the sum and quantiles
   * it has (it takes no observation since), not the count read earlier.
   */
  protected override _unpoison(view: SummarySeriesSnapshot, _v: number, s: SummarySeries): void {
    (view as { count: number }).count = s.gone;
  }

  /** @internal */
  protected _resetSeries(s: SummarySeries): void {
    (s.window as Sketch | WindowedSketch | undefined)?.clear();
    s.sum = 0;
    s.count = 0;
    s.c = createdNow();
  }

  /** @internal */
  protected _record(s: SummarySeries, v: number): void {
    record(s, v, this.name);
  }

  /**
   * The series now, as data, each with its raw `labels` (see
   * {@link Metric.snapshot}).
   */
  override snapshot(): SummaryFamilySnapshot {
    return super.snapshot() as SummaryFamilySnapshot;
  }

  /** The series for these labels, resolved once. */
  labels(labels: Labels<L>): SummaryChild;
  /** The series for these label values, in `labelNames` order. */
  labels(...values: LabelValue[]): SummaryChild;
  labels(...args: unknown[]): SummaryChild {
    return this._child(this._seriesOf(args));
  }

  /** @internal */
  protected _child(s: SummarySeries): SummaryChild {
    return new SummaryChild(s, this as Summary<string>);
  }

  /**
   * The current quantile values of the series with these labels, in
   * `percentiles` order (NaN where the window is empty).
   */
  quantiles(labels?: Labels<L>): number[] {
    const s = this._existing(labels ?? {} as Labels<L>);
    const values = s && this.#values(s, new Sketch());
    // No series yet, or no percentiles (no window is kept): NaN for each, or [].
    return values ? [...values] : this.percentiles.map(() => NaN);
  }

  #values(s: SummarySeries, scratch: Sketch): Float64Array | undefined {
    const w = s.window;
    if (w === undefined) return undefined;
    let sk: Sketch;
    if (w instanceof WindowedSketch) {
      w.mergeInto(scratch);
      sk = scratch;
    } else sk = w as Sketch;
    const out = new Float64Array(this.percentiles.length);
    sk.quantiles(this.percentiles, out);
    return out;
  }

  /**
   * @internal For aggregation, which merges sketches rather than quantiles:
   * every series' raw labels (no registry's default labels, as in
   * `snapshot()`), sum, count and live sketch (a `Sketch`, or a
   * `WindowedSketch` and its slots), read together. Read-only.
   */
  _sketches(): {
    labels: Readonly<Record<string, string>>;
    sum: number;
    count: number;
    window: unknown;
  }[] {
    return this._views(true, SKETCHES) as unknown as ReturnType<Summary<L>["_sketches"]>;
  }

  /** Where a windowed summary merges its slots to read quantiles; reused by every read. */
  #scratch: Sketch | undefined;

  /** @internal */
  protected _view(
    s: SummarySeries,
    labelText: string,
    labels: Record<string, string> | undefined,
    options: CollectOptions | undefined,
  ): SummarySeriesSnapshot {
    if (options === SKETCHES) {
      return {
        labelText,
        labels,
        sum: s.sum,
        count: s.count,
        window: s.window,
      } as unknown as SummarySeriesSnapshot;
    }
    const q = options?.quantiles === false
      ? NO_VALUES
      : this.#values(s, this.#scratch ??= new Sketch()) ?? NO_VALUES;
    const v: { -readonly [K in keyof SummarySeriesSnapshot]: SummarySeriesSnapshot[K] } = {
      labelText,
      // Detached (with labels): a plain array, so the snapshot serialises with JSON.stringify.
      quantiles: labels === undefined ? q : Array.from(q),
      sum: s.sum,
      count: s.count,
      created: createdSeconds(s.c),
    };
    if (labels !== undefined) v.labels = labels;
    return v;
  }

  /** @internal */
  protected _family(series: SummarySeriesSnapshot[]): SummaryFamilySnapshot {
    return {
      name: this.name,
      help: this.help,
      type: "summary",
      unit: this.unit,
      quantiles: this.percentiles,
      series,
    };
  }
}
