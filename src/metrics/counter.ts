/**
 * Counter: a value that only goes up (and resets when the process restarts).
 * @module
 */

import { counterFamily, reservedNames, show } from "../_names.ts";
import type { CounterFamilySnapshot, Exemplar, ValueSeriesSnapshot } from "../collector.ts";
import {
  checkMetricOptions,
  createdNow,
  createdSeconds,
  type Labels,
  type LabelValue,
  Metric,
  type MetricOptions,
} from "./_metric.ts";
import {
  type ExemplarLabels,
  type ExemplarOptions,
  exemplarOptions,
  newExemplar,
} from "./_exemplar.ts";

/** Options of a {@link Counter}. */
export interface CounterOptions<L extends string> extends MetricOptions<L> {
  /** Called at every scrape before the counter is written, with the counter as `this`. */
  collect?: (this: Counter<L>) => void | Promise<void>;
}

/**
 * The live state of one Counter series, what its snapshot reads.
 * @ignore
 */
export class CounterSeries {
  value = 0;
  /** Created, as kept by `createdNow()`. */
  c: number = createdNow();
  constructor(readonly k: string) {}
}

function badAmount(name: string, v: unknown): RangeError {
  return new RangeError(
    typeof v === "number" && v < 0
      ? `Counter "${name}" cannot be increased by ${v}: counters only go up; use a Gauge for values that go down`
      : `Counter "${name}" cannot be increased by ${
        show(v)
      }: the amount must be a finite number >= 0`,
  );
}

/** Whether `v` is an amount a counter can add: a finite number >= 0. */
function goodAmount(v: unknown): v is number {
  return typeof v === "number" && v >= 0 && v < Infinity;
}

/**
 * A counter bound to one label set by {@link Counter.labels}: `inc()` is a
 * plain add. After `reset()` or `remove()` its next `inc()` brings the
 * series back, from zero.
 */
export class CounterChild {
  #s: CounterSeries;
  #m: Counter<string>;
  /** @internal */
  constructor(series: CounterSeries, metric: Counter<string>) {
    this.#s = series;
    this.#m = metric;
  }
  /** Adds `amount` (default 1). */
  inc(amount?: number): void {
    const s = this.#s;
    let v: number;
    if (amount === undefined) v = s.value + 1;
    else if (typeof amount === "number" && amount >= 0 && amount < Infinity) v = s.value + amount;
    else throw badAmount(this.#m.name, amount);
    // NaN only when reset() or remove() took the series out (see Metric._poison).
    if (v === v) s.value = v;
    else this.#reattach().value += amount ?? 1;
  }
  #reattach(): CounterSeries {
    const s = this.#m._reattach(this.#s, true)!;
    // Not ours: the overflow series (maxSeries); keep trying ours.
    return this.#m._own(this.#s, s) ? this.#s = s : s;
  }
  /**
   * Adds `value` and keeps it as the series' exemplar, with these labels and
   * the time of the call (see {@link Counter.incWithExemplar}).
   */
  incWithExemplar(value: number, exemplarLabels: ExemplarLabels): void {
    const s = this.#m._incWithExemplar(this.#s, value, exemplarLabels);
    if (this.#m._own(this.#s, s)) this.#s = s; // not the overflow series: see inc()
  }
  /** The current value (0 while reset() or remove() left the series out). */
  get(): number {
    const v = this.#s.value;
    return v === v ? v : this.#m._reattach(this.#s, false)?.value ?? 0;
  }
}

/**
 * A counter, exported as `# TYPE name counter` (OpenMetrics: the family
 * without `_total`, samples `name_total` and `name_created`).
 *
 * @example
 * ```ts
 * import { Counter, Registry } from "../../mod.ts";
 * const registry = new Registry();
 * const requests = new Counter({
 *   name: "http_requests_total",
 *   help: "HTTP requests handled.",
 *   labelNames: ["method", "code"],
 *   registry,
 * });
 * requests.inc({ method: "GET", code: 200 });
 * const ok = requests.labels({ method: "GET", code: 200 }); // bind once
 * ok.inc();
 * console.log(requests.get({ method: "GET", code: "200" })); // 2
 * ```
 */
export class Counter<L extends string = never> extends Metric<L, CounterSeries> {
  /** Always `"counter"`. */
  readonly type = "counter" as const;
  /** @internal */
  readonly reservedNames: readonly string[];
  /** Each series' latest exemplar, made on the first one: series without one cost nothing. */
  #exemplars: WeakMap<CounterSeries, Exemplar> | undefined;

  /** Creates the counter and registers it (see {@link MetricOptions.registry}). */
  constructor(opts: CounterOptions<L>) {
    checkMetricOptions("Counter", opts);
    super(opts);
    this._checkUnit(counterFamily(this.name));
    this.reservedNames = reservedNames("counter", this.name);
    this._ready(opts);
  }

  /** @internal */
  protected _newSeries(k: string): CounterSeries {
    return new CounterSeries(k);
  }

  /** @internal */
  protected override _poison(s: CounterSeries): void {
    s.value = NaN;
  }

  /** @internal */
  protected _resetSeries(s: CounterSeries): void {
    s.value = 0;
    s.c = createdNow();
    this.#exemplars?.delete(s);
  }

  /** Adds `amount` (default 1) to the counter without labels. */
  inc(amount?: number): void;
  /** Adds `amount` (default 1) to the series with these labels. */
  inc(labels: Labels<L>, amount?: number): void;
  inc(a?: number | Labels<L>, b?: number): void {
    const s = this._single;
    if (s !== undefined && a === undefined) s.value++;
    else this._add(a, b);
  }

  /** The rest of inc(): an amount, or labels. Kept apart so inc() stays small enough to inline. */
  private _add(a: number | Labels<L> | undefined, b: number | undefined): void {
    const labelled = typeof a === "object";
    const v: unknown = labelled ? b : a;
    // The amount is checked before the series is looked up: a rejected call creates nothing.
    if (v !== undefined && !(typeof v === "number" && v >= 0 && v < Infinity)) {
      throw badAmount(this.name, v);
    }
    const s = labelled ? this._series(a) : this._single ?? this._series(a as never);
    if (v === undefined) s.value++;
    else s.value += v as number;
  }

  /**
   * The series now, as data, each with its raw `labels` (see
   * {@link Metric.snapshot}).
   */
  override snapshot(): CounterFamilySnapshot {
    return super.snapshot() as CounterFamilySnapshot;
  }

  /**
   * Creates the series with these labels at zero, so it is exported before
   * its first update (`rate()` then sees the first one). An existing series
   * is left as it is.
   */
  zero(labels: Labels<L>): void {
    this._series(labels);
  }

  /**
   * Adds `value` to the counter without labels and keeps it as the series'
   * exemplar: the latest one per series is exported (OpenMetrics, protobuf),
   * with its labels, `value` and the time of this call. A plain `inc()` keeps
   * the exemplar there is. Nothing changes when the value or the labels are
   * rejected: a RangeError for a value that is not a finite number >= 0 or
   * labels over 128 code points (names and values together), a TypeError for
   * a bad label name or a lone surrogate.
   *
   * @example
   * ```ts
   * import { Counter, Registry } from "../../mod.ts";
   * const jobs = new Counter({ name: "jobs_total", help: "Jobs.", registry: new Registry() });
   * jobs.incWithExemplar(1, { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" });
   * ```
   */
  incWithExemplar(value: number, exemplarLabels: ExemplarLabels): void;
  /** The same for the series with these labels: `incWithExemplar(labels, { value, exemplarLabels })`. */
  incWithExemplar(labels: Labels<L>, options: ExemplarOptions): void;
  incWithExemplar(a: number | Labels<L>, b: ExemplarLabels | ExemplarOptions): void {
    if (typeof a === "object" && a !== null) {
      const o = exemplarOptions(this, "incWithExemplar", b);
      this._incWithExemplar(undefined, o.value, o.exemplarLabels, a);
    } else this._incWithExemplar(this._single, a, b as ExemplarLabels);
  }

  /**
   * @internal Checks the value and the exemplar, then finds the series (from
   * `labels` when `s` is undefined; a bound child's series that reset() or
   * remove() took out comes back), adds, keeps the exemplar and returns the
   * series.
   */
  _incWithExemplar(
    s: CounterSeries | undefined,
    value: unknown,
    exemplarLabels: unknown,
    labels?: Labels<L>,
  ): CounterSeries {
    if (!goodAmount(value)) throw badAmount(this.name, value);
    const e = newExemplar(this, exemplarLabels, value);
    if (s === undefined) s = this._series(labels as Labels<L>);
    else if (s.value !== s.value) s = this._reattach(s, true)!; // poisoned: see _poison
    s.value += value;
    (this.#exemplars ??= new WeakMap()).set(s, e);
    return s;
  }

  /** The current value of the series with these labels (0 if it does not exist yet). */
  get(labels?: Labels<L>): number {
    return (this._existing(labels ?? {} as Labels<L>))?.value ?? 0;
  }

  /**
   * The series for these labels, resolved once: keep the child and call
   * `inc()` on it in the hot path.
   */
  labels(labels: Labels<L>): CounterChild;
  /** The series for these label values, in `labelNames` order. */
  labels(...values: LabelValue[]): CounterChild;
  labels(...args: unknown[]): CounterChild {
    return new CounterChild(this._seriesOf(args), this as Counter<string>);
  }

  /** @internal */
  protected _view(
    s: CounterSeries,
    labelText: string,
    labels: Record<string, string> | undefined,
  ): ValueSeriesSnapshot {
    const v: { -readonly [K in keyof ValueSeriesSnapshot]: ValueSeriesSnapshot[K] } = {
      labelText,
      value: s.value,
      created: createdSeconds(s.c),
    };
    if (labels !== undefined) v.labels = labels;
    const e = this.#exemplars?.get(s);
    if (e !== undefined) v.exemplar = e;
    return v;
  }

  /** @internal */
  protected override _fill(
    into: ValueSeriesSnapshot | undefined,
    s: CounterSeries,
    labelText: string,
  ): ValueSeriesSnapshot {
    const value = s.value;
    const created = createdSeconds(s.c);
    const exemplar = this.#exemplars?.get(s);
    if (into === undefined) return { labelText, value, created, exemplar };
    const v = into as { -readonly [K in keyof ValueSeriesSnapshot]: ValueSeriesSnapshot[K] };
    v.labelText = labelText;
    v.value = value;
    v.created = created;
    v.exemplar = exemplar;
    return v;
  }

  /** @internal */
  protected _family(series: ValueSeriesSnapshot[]): CounterFamilySnapshot {
    return { name: this.name, help: this.help, type: "counter", unit: this.unit, series };
  }
}
