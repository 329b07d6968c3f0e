/**
 * Gauge: a value that goes up and down.
 * @module
 */

import { show } from "../_names.ts";
import type { GaugeFamilySnapshot, ValueSeriesSnapshot } from "../collector.ts";
import {
  checkMetricOptions,
  type Labels,
  type LabelValue,
  Metric,
  type MetricOptions,
  nowSeconds,
} from "./_metric.ts";

/** Options of a {@link Gauge}. */
export interface GaugeOptions<L extends string> extends MetricOptions<L> {
  /**
   * Called at every scrape before the gauge is written, with the gauge as
   * `this`: the place to `set()` a value read on demand.
   */
  collect?: (this: Gauge<L>) => void | Promise<void>;
}

/**
 * The live state of one Gauge series, what its snapshot reads.
 * @ignore
 */
export class GaugeSeries {
  value = 0;
  constructor(readonly k: string) {}
}

function checkDelta(name: string, v: number): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  throw new RangeError(
    `Gauge "${name}" cannot change by ${
      show(v)
    }: the amount must be a finite number; use set() for NaN or infinities`,
  );
}

function checkValue(name: string, v: number): number {
  if (typeof v === "number") return v;
  throw new TypeError(
    `Gauge "${name}" cannot be set to ${show(v)}: the value must be a number`,
  );
}

/**
 * A gauge bound to one label set by {@link Gauge.labels}. After `reset()` or
 * `remove()` its next update brings the series back, from zero.
 */
export class GaugeChild {
  #s: GaugeSeries;
  #m: Gauge<string>;
  /** @internal */
  constructor(series: GaugeSeries, metric: Gauge<string>) {
    this.#s = series;
    this.#m = metric;
  }
  /** Adds `amount` (default 1). */
  inc(amount?: number): void {
    this.#add(amount === undefined ? 1 : checkDelta(this.#m.name, amount));
  }
  /** Subtracts `amount` (default 1). */
  dec(amount?: number): void {
    this.#add(amount === undefined ? -1 : -checkDelta(this.#m.name, amount));
  }
  #add(d: number): void {
    const s = this.#s;
    const v = s.value + d;
    // NaN when the gauge holds NaN, or when reset() or remove() took the series out.
    if (v === v) s.value = v;
    else this.#live().value += d;
  }
  /** Sets the value. */
  set(value: number): void {
    const v = checkValue(this.#m.name, value);
    const s = this.#s;
    const old = s.value;
    // NaN when the gauge holds NaN, or when reset() or remove() took the series out.
    if (old === old) s.value = v;
    else this.#live().value = v;
  }
  /** The series to update: a series taken out by reset() or remove() comes back. */
  #live(): GaugeSeries {
    const s = this.#m._reattach(this.#s, true)!;
    // Not ours: the overflow series (maxSeries); keep trying ours.
    return this.#m._own(this.#s, s) ? this.#s = s : s;
  }
  /** The current value (0 while reset() or remove() left the series out). */
  get(): number {
    const v = this.#s.value;
    return v === v ? v : this.#m._reattach(this.#s, false)?.value ?? 0;
  }
  /** @internal The series it updates. */
  get _series(): GaugeSeries {
    return this.#s;
  }
}

/**
 * The child of a gauge with `ttlSeconds`: every update tells the gauge, also
 * one that leaves the value as it was. A class of its own, so that the
 * children of other gauges pay nothing for it.
 */
class _TouchingGaugeChild extends GaugeChild {
  #m: Gauge<string>;
  constructor(series: GaugeSeries, metric: Gauge<string>) {
    super(series, metric);
    this.#m = metric;
  }
  override inc(amount?: number): void {
    super.inc(amount);
    this.#m._touch(this._series);
  }
  override dec(amount?: number): void {
    super.dec(amount);
    this.#m._touch(this._series);
  }
  override set(value: number): void {
    super.set(value);
    this.#m._touch(this._series);
  }
}

/**
 * A gauge, exported as `# TYPE name gauge`.
 *
 * @example
 * ```ts
 * import { Gauge, Registry } from "../../mod.ts";
 * const inFlight = new Gauge({
 *   name: "jobs_in_flight",
 *   help: "Jobs being processed.",
 *   registry: new Registry(),
 * });
 * await inFlight.trackInProgress(async () => {
 *   console.log(inFlight.get()); // 1
 * });
 * console.log(inFlight.get()); // 0
 * ```
 */
export class Gauge<L extends string = never> extends Metric<L, GaugeSeries> {
  /** Always `"gauge"`. */
  readonly type = "gauge" as const;
  /** @internal */
  readonly reservedNames: readonly string[];

  /** Creates the gauge and registers it (see {@link MetricOptions.registry}). */
  constructor(opts: GaugeOptions<L>) {
    checkMetricOptions("Gauge", opts);
    super(opts);
    this._checkUnit(this.name);
    this.reservedNames = [this.name];
    this._ready(opts);
  }

  /** @internal */
  protected _newSeries(k: string): GaugeSeries {
    return new GaugeSeries(k);
  }

  /** @internal */
  protected override _poison(s: GaugeSeries): void {
    s.value = NaN;
  }

  /** @internal */
  protected _resetSeries(s: GaugeSeries): void {
    s.value = 0;
  }

  #pick(a: unknown): GaugeSeries {
    const s = typeof a === "object"
      ? this._series(a as Labels<L>)
      : this._single ?? this._series(a as never);
    if (this._touches) this._touch(s);
    return s;
  }

  /** Adds `amount` (default 1) to the gauge without labels. */
  inc(amount?: number): void;
  /** Adds `amount` (default 1) to the series with these labels. */
  inc(labels: Labels<L>, amount?: number): void;
  inc(a?: number | Labels<L>, b?: number): void {
    const v = typeof a === "object" ? b : a;
    const d = v === undefined ? 1 : checkDelta(this.name, v); // before #pick: a rejected call creates nothing
    this.#pick(a).value += d;
  }

  /** Subtracts `amount` (default 1) from the gauge without labels. */
  dec(amount?: number): void;
  /** Subtracts `amount` (default 1) from the series with these labels. */
  dec(labels: Labels<L>, amount?: number): void;
  dec(a?: number | Labels<L>, b?: number): void {
    const v = typeof a === "object" ? b : a;
    const d = v === undefined ? 1 : checkDelta(this.name, v);
    this.#pick(a).value -= d;
  }

  /** Sets the gauge without labels. */
  set(value: number): void;
  /** Sets the series with these labels. */
  set(labels: Labels<L>, value: number): void;
  set(a: number | Labels<L>, b?: number): void {
    const v = checkValue(this.name, (typeof a === "object" ? b : a) as number);
    this.#pick(a).value = v;
  }

  /** Sets the gauge to the current time in epoch seconds. */
  setToCurrentTime(labels?: Labels<L>): void {
    this.#pick(labels).value = nowSeconds();
  }

  /**
   * Starts a timer; the function it returns sets the gauge to the seconds
   * elapsed and returns them.
   */
  startTimer(labels?: Partial<Labels<L>>): (endLabels?: Partial<Labels<L>>) => number {
    this._checkSome(labels);
    const start = performance.now();
    return (endLabels) => {
      const seconds = (performance.now() - start) / 1000;
      const all = (endLabels ? { ...labels, ...endLabels } : labels) as Labels<L> | undefined;
      this.#pick(all).value = seconds;
      return seconds;
    };
  }

  /**
   * Increments the gauge while `fn` runs (sync or async), decrements it after,
   * also when it throws; returns what `fn` returns.
   */
  trackInProgress<R>(fn: () => R, labels?: Labels<L>): R {
    if (typeof fn !== "function") {
      throw new TypeError(
        `Gauge "${this.name}": trackInProgress() takes the function to track, got ${typeof fn}`,
      );
    }
    const s = this.#pick(labels);
    s.value++;
    let r: R;
    try {
      r = fn();
    } catch (e) {
      s.value--;
      throw e;
    }
    if (r instanceof Promise) {
      return r.finally(() => {
        s.value--;
      }) as R;
    }
    s.value--;
    return r;
  }

  /**
   * The series now, as data, each with its raw `labels` (see
   * {@link Metric.snapshot}).
   */
  override snapshot(): GaugeFamilySnapshot {
    return super.snapshot() as GaugeFamilySnapshot;
  }

  /**
   * Creates the series with these labels at zero, so it is exported before
   * its first update (`rate()` then sees the first one). An existing series
   * is left as it is.
   */
  zero(labels: Labels<L>): void {
    this._series(labels);
  }

  /** The current value of the series with these labels (0 if it does not exist yet). */
  get(labels?: Labels<L>): number {
    return (this._existing(labels ?? {} as Labels<L>))?.value ?? 0;
  }

  /** The series for these labels, resolved once. */
  labels(labels: Labels<L>): GaugeChild;
  /** The series for these label values, in `labelNames` order. */
  labels(...values: LabelValue[]): GaugeChild;
  labels(...args: unknown[]): GaugeChild {
    const s = this._seriesOf(args);
    return this._touches
      ? new _TouchingGaugeChild(s, this as Gauge<string>)
      : new GaugeChild(s, this as Gauge<string>);
  }

  /** @internal */
  protected _view(
    s: GaugeSeries,
    labelText: string,
    labels: Record<string, string> | undefined,
  ): ValueSeriesSnapshot {
    return labels === undefined
      ? { labelText, value: s.value }
      : { labelText, labels, value: s.value };
  }

  /** @internal */
  protected override _fill(
    into: ValueSeriesSnapshot | undefined,
    s: GaugeSeries,
    labelText: string,
  ): ValueSeriesSnapshot {
    if (into === undefined) return { labelText, value: s.value };
    const v = into as { -readonly [K in keyof ValueSeriesSnapshot]: ValueSeriesSnapshot[K] };
    v.labelText = labelText;
    v.value = s.value;
    return v;
  }

  /** @internal */
  protected _family(series: ValueSeriesSnapshot[]): GaugeFamilySnapshot {
    return { name: this.name, help: this.help, type: "gauge", unit: this.unit, series };
  }
}
