/**
 * prom-client's Counter, Gauge, Histogram and Summary, each a thin shell
 * around the core metric of the same name: prom-client's options, call
 * forms, label rules and error texts outside, the core's series store,
 * checks and formats inside.
 * @module
 */

import type { Collectable, CollectOptions, FamilySnapshot } from "../collector.ts";
import { Counter as CoreCounter, type CounterChild } from "../metrics/counter.ts";
import { Gauge as CoreGauge, type GaugeChild } from "../metrics/gauge.ts";
import { Histogram as CoreHistogram, type HistogramChild } from "../metrics/histogram.ts";
import { Summary as CoreSummary, type SummaryChild } from "../metrics/summary.ts";
import type { Metric as CoreMetric } from "../metrics/_metric.ts";
import { isLabelNameForm, isMetricName, show } from "../_names.ts";
import { summaryBehind } from "../aggregate/_extract.ts";
import { type LabelValues, type MetricObjectWithValues, toMetricObject } from "./_pc_json.ts";
import { globalRegistry, PROMETHEUS_CONTENT_TYPE, type Registry } from "./_pc_registry.ts";

export type { LabelValues, MetricObjectWithValues };

/** prom-client's metric name check: whether `name` is a valid metric name. */
export function validateMetricName(name: string): boolean {
  return isMetricName(name);
}

/** How prom-client (`util.inspect`) shows a list of label names. */
function inspect(names: readonly string[]): string {
  return names.length === 0 ? "[]" : "[ " + names.map((n) => `'${n}'`).join(", ") + " ]";
}

function format(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** prom-client's `labels(...)` / `remove(...)` arguments: one object, or the values in order. */
function labelArgs(names: readonly string[], args: readonly unknown[]): Record<string, unknown> {
  if (typeof args[0] === "object" && args[0] !== null) return args[0] as Record<string, unknown>;
  if (args.length !== names.length) {
    throw new Error(
      `Invalid number of arguments (${args.length}): "${
        args.join(", ")
      }" for label names (${names.length}): "${names.join(", ")}".`,
    );
  }
  const out: Record<string, unknown> = {};
  names.forEach((n, i) => out[n] = args[i]);
  return out;
}

/**
 * A label set as the core takes it: every name present, as text. prom-client
 * accepts a partial set (a missing label is left out of the series; here it
 * is the empty value, which Prometheus reads as the same), booleans and
 * numbers; a name not in `labelNames` throws prom-client's error, and an
 * object, array, symbol or function value (prom-client's `[object Object]`)
 * throws, naming the label.
 */
function normalize(
  metric: string,
  names: readonly string[],
  labels: unknown,
): Record<string, string> {
  const given = (labels ?? {}) as Record<string, unknown>;
  for (const k in given) {
    if (!names.includes(k)) {
      throw new Error(
        `Added label "${k}" is not included in initial labelset: ${inspect(names)}` +
          (k in EXEMPLAR_FORM && typeof given.value === "number" ? EXEMPLAR_HINT : ""),
      );
    }
  }
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = given[n];
    if (typeof v === "object" && v !== null || typeof v === "symbol" || typeof v === "function") {
      throw new TypeError(
        `Metric "${metric}": label "${n}" must be a string, number or boolean, got ${
          Array.isArray(v) ? "an array" : typeof v
        }; pass e.g. String(value) or one of its fields`,
      );
    }
    out[n] = v === undefined || v === null ? "" : typeof v === "string" ? v : String(v);
  }
  return out;
}

/** The keys of the `{ labels, value, exemplarLabels }` form. */
const EXEMPLAR_FORM = { labels: 1, value: 1, exemplarLabels: 1 };
/** Said after prom-client's error when labels look like that form. */
const EXEMPLAR_HINT = " (the { labels, value, exemplarLabels } form is taken by a Counter or " +
  "Histogram made with enableExemplars: true, never by a Summary; else pass (labels, value))";

function badValue(v: unknown): TypeError {
  return new TypeError(`Value is not a valid number: ${format(v)}`);
}

/** prom-client's exemplar label limit. */
function checkExemplar(labels: unknown): void {
  let size = 0;
  for (const [k, v] of Object.entries(labels ?? {})) size += k.length + String(v).length;
  if (size > 128) throw new RangeError("Label set size must be smaller than 128 UTF-8 chars");
}

/** Whether `exemplarLabels` asks for no exemplar (absent, or `{}`); anything else is checked. */
function noExemplar<E>(labels: E | undefined): labels is undefined {
  return labels === undefined || labels === null ||
    typeof labels === "object" && !Array.isArray(labels) && Object.keys(labels).length === 0;
}

/** Options every prom-client metric takes. */
export interface MetricConfiguration<T extends string> {
  /** The metric name. */
  name: string;
  /** The help text. */
  help: string;
  /** The label names. */
  labelNames?: readonly T[];
  /** The registries to join (default: `[register]`; `[]` for none). */
  registers?: readonly (Registry | { registerMetric(m: unknown): void })[];
  /**
   * The `aggregators` method `AggregatorRegistry.aggregate()` merges workers'
   * entries of this metric with: `sum` (default), `first`, `min`, `max`,
   * `average`, `omit`, or one added to `aggregators`.
   */
  aggregator?: string;
  /** Called before each read, with the metric as `this`. */
  // deno-lint-ignore no-explicit-any
  collect?: (this: any) => void | Promise<void>;
  /** Take `inc({ labels, value, exemplarLabels })` / `observe({ ... })` forms. */
  enableExemplars?: boolean;
}

// deno-lint-ignore no-explicit-any
type AnyCore = CoreMetric<string, any> & { snapshot(): FamilySnapshot };

/** prom-client's Metric base class: Counter, Gauge, Histogram and Summary extend it. */
export abstract class Metric<T extends string = string> implements Collectable {
  /** The metric name. */
  readonly name: string;
  /** The help text. */
  readonly help: string;
  /** The label names. */
  readonly labelNames: readonly T[];
  /** The `aggregators` method `AggregatorRegistry.aggregate()` merges workers' entries with. */
  aggregator: string;
  /** Whether the `{ labels, value, exemplarLabels }` forms are taken. */
  readonly enableExemplars: boolean;
  /** `counter`, `gauge`, `histogram` or `summary`. */
  abstract readonly type: string;
  /** @internal The core metric holding the series. */
  protected abstract readonly _core: AnyCore;
  #hook: ((this: unknown) => void | Promise<void>) | undefined;

  /** Checks the configuration with prom-client's messages. */
  constructor(config: MetricConfiguration<T>) {
    if (config === null || typeof config !== "object") {
      throw new TypeError("constructor expected a config object");
    }
    if (!config.help) throw new Error("Missing mandatory help parameter");
    if (!config.name) throw new Error("Missing mandatory name parameter");
    if (!validateMetricName(config.name)) throw new Error(`Invalid metric name: ${config.name}`);
    const labelNames = config.labelNames ?? [];
    // prom-client 15's form check and text, then the culprit ("Invalid label name: a-b"); the
    // core then refuses a reserved `__` name.
    const bad = labelNames.filter((n) => !isLabelNameForm(n));
    if (bad.length > 0) throw new Error(`Invalid label name: ${bad.join(",")}`);
    if (config.collect !== undefined && typeof config.collect !== "function") {
      throw new Error('Optional "collect" parameter must be a function');
    }
    this.name = config.name;
    this.help = config.help;
    this.labelNames = [...labelNames];
    this.aggregator = config.aggregator ?? "sum";
    this.enableExemplars = config.enableExemplars === true;
    this.#hook = config.collect;
  }

  /** @internal The core options shared by every type. */
  protected _coreOptions(config: MetricConfiguration<T>): {
    name: string;
    help: string;
    labelNames: readonly T[];
    registry: null;
  } {
    return { name: config.name, help: config.help, labelNames: this.labelNames, registry: null };
  }

  /** @internal Joins the registries named in the configuration. */
  protected _register(config: MetricConfiguration<T>): void {
    const registers = config.registers ?? [globalRegistry];
    if (!Array.isArray(registers)) {
      throw new TypeError(
        `Metric "${this.name}": registers must be an array of registries, e.g. [register] (or [] for none); got ${
          show(registers)
        }`,
      );
    }
    registers.forEach((r, i) => {
      const o = r as Partial<Registry> | null;
      if (
        o === null || typeof o !== "object" ||
        (typeof o.registerMetric !== "function" && typeof o.register !== "function")
      ) {
        throw new TypeError(
          `Metric "${this.name}": registers[${i}] is not a registry (got ${
            show(r)
          }); pass new Registry() or register`,
        );
      }
      if (this.enableExemplars && o.contentType === PROMETHEUS_CONTENT_TYPE) {
        throw new TypeError("Exemplars are supported only on OpenMetrics registries");
      }
    });
    // All or none: a registry that refuses the metric (a name taken) takes it
    // back out of those it already joined.
    const joined: unknown[] = [];
    try {
      for (const r of registers) {
        if (typeof (r as Registry).registerMetric === "function") r.registerMetric(this);
        else (r as unknown as { register(m: Collectable): void }).register(this);
        joined.push(r);
      }
    } catch (e) {
      for (const r of new Set(joined)) {
        const pc = r as Partial<Registry>;
        if (
          typeof pc.getSingleMetric === "function" && typeof pc.removeSingleMetric === "function"
        ) {
          if (pc.getSingleMetric(this.name) === this) pc.removeSingleMetric(this.name);
        } else (r as { unregister?(m: Collectable): unknown }).unregister?.(this);
      }
      throw e;
    }
  }

  /** The names this metric writes (for the registry's collision checks). */
  get reservedNames(): readonly string[] {
    return this._core.reservedNames;
  }

  /** Runs the collect hook, if any, with this metric as `this`. */
  #runHook(): void | Promise<void> {
    return this.#hook?.call(this);
  }

  /** The family, after the collect hook (what a registry reads). */
  collect(options?: CollectOptions): FamilySnapshot | Promise<FamilySnapshot> {
    const r = this.#runHook();
    if (r instanceof Promise) return r.then(() => this._core.collect(options));
    return this._core.collect(options);
  }

  /** prom-client's read: `{ name, help, type, values, aggregator }`, after the collect hook. */
  async get(): Promise<MetricObjectWithValues> {
    await this.#runHook();
    return toMetricObject(this._core.snapshot(), this.aggregator);
  }

  /** Removes every series; a metric without labels goes back to zero. */
  reset(): void {
    this._core.reset();
  }

  /** Removes the series with these labels (an object, or the values in order). */
  remove(...args: unknown[]): void {
    const labels = labelArgs(this.labelNames, args);
    if (this.labelNames.length === 0) return;
    (this._core as unknown as { remove(l: unknown): void }).remove(
      normalize(this.name, this.labelNames, labels),
    );
  }

  /** @internal Labels as the core takes them. */
  protected _labels(labels: unknown): Record<string, string> {
    return normalize(this.name, this.labelNames, labels);
  }

  /** @internal `labels(...)` arguments as the core takes them. */
  protected _labelArgs(args: unknown[]): Record<string, string> {
    return normalize(this.name, this.labelNames, labelArgs(this.labelNames, args));
  }

  /**
   * @internal The core child for `labels(...)` arguments: straight from the
   * core when they are complete, else through prom-client's rules.
   */
  protected _child<C>(args: unknown[]): C {
    const core = this._core as unknown as { labels(...a: unknown[]): C };
    try {
      return core.labels(...args);
    } catch {
      return core.labels(this._labelArgs(args));
    }
  }
}

/** The `{ labels, value, exemplarLabels }` form of `inc()` and `observe()`. */
export interface ExemplarData<T extends string> {
  /** The labels. */
  labels?: Partial<Record<T, string | number | boolean>>;
  /** The amount or observation. */
  value?: number;
  /** The exemplar's labels, e.g. `{ traceId }` (at most 128 characters in all). */
  exemplarLabels?: Record<string, string | number>;
}

/** A label set as prom-client takes it: values may be strings, numbers or booleans. */
// deno-lint-ignore no-explicit-any
export type Labelled = Record<string, any>;

/** A counter bound to one label set. */
export interface CounterInternal {
  /** Adds `value` (default 1). */
  inc(value?: number): void;
}

/** prom-client's Counter, on the core Counter. */
export class Counter<T extends string = string> extends Metric<T> {
  /** `counter` */
  readonly type = "counter";
  /** @internal */
  protected readonly _core: CoreCounter<string>;

  /** Creates the counter and joins `registers` (default: the global registry). */
  constructor(config: MetricConfiguration<T>) {
    super(config);
    this._core = new CoreCounter(this._coreOptions(config));
    if (this.enableExemplars) this.inc = this.#incWithExemplar;
    this._register(config);
  }

  /** Adds `value` (default 1) to the series with these labels, or to the counter without labels. */
  inc(labels?: Labelled | number | ExemplarData<T>, value?: number): void {
    const c = this._core;
    if (typeof labels === "object" && labels !== null) {
      if (value === undefined || (value >= 0 && value < Infinity)) {
        try {
          c.inc(labels as never, value);
          return;
        } catch { /* prom-client's forms and errors below */ }
      }
      return this.#slow(labels, value);
    }
    if (this._single && (labels === undefined || (labels >= 0 && labels < Infinity))) {
      c.inc(labels);
      return;
    }
    this.#slow({}, labels);
  }

  /** @internal Whether the counter has no labels. */
  private get _single(): boolean {
    return this.labelNames.length === 0;
  }

  #slow(labels: unknown, value: unknown): void {
    const l = this._labels(labels); // checked first, as prom-client does
    if (value === null || value === undefined) value = 1;
    if (typeof value !== "number" || !Number.isFinite(value)) throw badValue(value);
    if (value < 0) throw new Error("It is not possible to decrease a counter");
    this._core.inc(l as never, value);
  }

  #incWithExemplar(data?: Labelled | number): void {
    const { labels = {}, value = 1, exemplarLabels } = (data ?? {}) as ExemplarData<T>;
    if (noExemplar(exemplarLabels)) {
      return this.#slow(labels, value);
    }
    const l = this.labelNames.length === 0 ? undefined : this._labels(labels); // first, as prom-client
    checkExemplar(exemplarLabels);
    if (typeof value !== "number" || !Number.isFinite(value)) throw badValue(value);
    if (value < 0) throw new Error("It is not possible to decrease a counter");
    if (l === undefined) this._core.incWithExemplar(value, exemplarLabels);
    else this._core.incWithExemplar(l as never, { value, exemplarLabels });
  }

  /** The series for these labels (an object, or the values in order). */
  labels(...args: unknown[]): CounterInternal {
    return new CounterBound(this._child<CounterChild>(args));
  }
}

class CounterBound implements CounterInternal {
  #c: CounterChild;
  constructor(c: CounterChild) {
    this.#c = c;
  }
  inc(value?: number): void {
    if (value === undefined || value === null) this.#c.inc();
    else if (value >= 0 && value < Infinity) this.#c.inc(value);
    else if (typeof value !== "number" || !Number.isFinite(value)) throw badValue(value);
    else throw new Error("It is not possible to decrease a counter");
  }
}

/** A gauge bound to one label set. */
export interface GaugeInternal {
  /** Adds `value` (default 1). */
  inc(value?: number): void;
  /** Subtracts `value` (default 1). */
  dec(value?: number): void;
  /** Sets the value. */
  set(value: number): void;
  /** Sets the value to the current time in epoch seconds. */
  setToCurrentTime(): void;
  /** Starts a timer; the function it returns sets the elapsed seconds and returns them. */
  startTimer(): (labels?: Labelled) => number;
}

function badDelta(v: unknown): TypeError {
  return new TypeError(`Delta is not a valid number: ${format(v)}`);
}

/** prom-client's Gauge, on the core Gauge. */
export class Gauge<T extends string = string> extends Metric<T> {
  /** `gauge` */
  readonly type = "gauge";
  /** @internal */
  protected readonly _core: CoreGauge<string>;

  /** Creates the gauge and joins `registers` (default: the global registry). */
  constructor(config: MetricConfiguration<T>) {
    super(config);
    this._core = new CoreGauge(this._coreOptions(config));
    this._register(config);
  }

  #change(labels: unknown, value: unknown, sign: 1 | -1): void {
    const c = this._core;
    let l: unknown = labels, v: unknown = value;
    if (typeof labels !== "object" || labels === null) {
      l = {};
      v = labels;
    }
    if (v === undefined || v === null) v = 1;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      if (l === labels) this._labels(l); // a bad label set is named first, as prom-client does
      throw badDelta(v);
    }
    const d = sign * v;
    if (this.labelNames.length === 0 && l !== labels) c.inc(d);
    else {
      try {
        c.inc(l as never, d);
      } catch {
        c.inc(this._labels(l) as never, d);
      }
    }
  }

  /** Adds `value` (default 1). */
  inc(labels?: Labelled | number, value?: number): void {
    this.#change(labels, value, 1);
  }

  /** Subtracts `value` (default 1). */
  dec(labels?: Labelled | number, value?: number): void {
    this.#change(labels, value, -1);
  }

  /** Sets the value of the series with these labels, or of the gauge without labels. */
  set(labels: Labelled | number, value?: number): void {
    const c = this._core;
    if (typeof labels !== "object" || labels === null) {
      if (typeof labels !== "number") throw badValue(labels);
      if (this.labelNames.length === 0) c.set(labels);
      else c.set(this._labels({}) as never, labels);
      return;
    }
    if (typeof value !== "number") throw badValue(value);
    try {
      c.set(labels as never, value);
    } catch {
      c.set(this._labels(labels) as never, value);
    }
  }

  /** Sets the value to the current time in epoch seconds (read from `Date.now()`). */
  setToCurrentTime(labels?: Labelled): void {
    const now = Date.now() / 1000;
    if (labels === undefined) this.set(now);
    else this.set(labels, now);
  }

  /**
   * Starts a timer (read from `performance.now()`); the function it returns
   * sets the seconds elapsed, under the start and end labels, and returns them.
   */
  startTimer(labels?: Labelled): (endLabels?: Labelled) => number {
    const start = performance.now();
    return (endLabels) => {
      const seconds = (performance.now() - start) / 1000;
      this.set({ ...labels, ...endLabels }, seconds);
      return seconds;
    };
  }

  /** The series for these labels (an object, or the values in order). */
  labels(...args: unknown[]): GaugeInternal {
    return new GaugeBound(this._child<GaugeChild>(args), this, args);
  }
}

class GaugeBound implements GaugeInternal {
  #c: GaugeChild;
  #g: Gauge<string>;
  #args: unknown[];
  constructor(c: GaugeChild, g: Gauge<string>, args: unknown[]) {
    this.#c = c;
    this.#g = g;
    this.#args = args;
  }
  inc(value?: number): void {
    if (value !== undefined && value !== null && !Number.isFinite(value)) throw badDelta(value);
    this.#c.inc(value ?? 1);
  }
  dec(value?: number): void {
    if (value !== undefined && value !== null && !Number.isFinite(value)) throw badDelta(value);
    this.#c.dec(value ?? 1);
  }
  set(value: number): void {
    if (typeof value !== "number") throw badValue(value);
    this.#c.set(value);
  }
  setToCurrentTime(): void {
    this.#c.set(Date.now() / 1000);
  }
  startTimer(): (labels?: Labelled) => number {
    return this.#g.startTimer(labelArgs(this.#g.labelNames, this.#args));
  }
}

/** A histogram or summary bound to one label set. */
export interface ObserverInternal {
  /** Records one observation. */
  observe(value: number): void;
  /** Starts a timer; the function it returns observes the elapsed seconds and returns them. */
  startTimer(): (labels?: Labelled) => number;
}

/** Histogram and Summary: `observe`, `startTimer`, `labels`. */
export abstract class Observing<T extends string> extends Metric<T> {
  /** @internal */
  protected abstract override readonly _core: CoreHistogram<string> | CoreSummary<string>;

  /** Records `value` in the series with these labels, or in the metric without labels. */
  observe(labels: Labelled | number | ExemplarData<T>, value?: number): void {
    const c = this._core;
    if (typeof labels === "object" && labels !== null) {
      if (typeof value === "number" && value - value === 0) {
        try {
          c.observe(labels as never, value);
          return;
        } catch { /* prom-client's forms and errors below */ }
      }
      return this._slow(labels, value);
    }
    if (this.labelNames.length === 0 && typeof labels === "number" && labels - labels === 0) {
      c.observe(labels);
      return;
    }
    this._slow({}, labels);
  }

  /** @internal */
  protected _slow(labels: unknown, value: unknown): void {
    const l = this._labels(labels); // checked first, as prom-client does
    if (typeof value !== "number" || !Number.isFinite(value)) throw badValue(value);
    this._core.observe(l as never, value);
  }

  /** @internal The `{ labels, value, exemplarLabels }` form. */
  protected _observeWithExemplar(data?: Labelled | number): void {
    const { labels = {}, value, exemplarLabels } = (data ?? {}) as ExemplarData<T>;
    const core = this._core;
    if (
      noExemplar(exemplarLabels) ||
      !(core instanceof CoreHistogram)
    ) {
      return this._slow(labels, value);
    }
    const l = this.labelNames.length === 0 ? undefined : this._labels(labels); // first, as prom-client
    checkExemplar(exemplarLabels);
    if (typeof value !== "number" || !Number.isFinite(value)) throw badValue(value);
    if (l === undefined) core.observeWithExemplar(value, exemplarLabels);
    else core.observeWithExemplar(l as never, { value, exemplarLabels });
  }

  /**
   * Starts a timer (read from `performance.now()`); the function it returns
   * observes the seconds elapsed, under the start and end labels, and
   * returns them.
   */
  startTimer(labels?: Labelled, exemplarLabels?: Labelled): (
    endLabels?: Labelled,
    endExemplarLabels?: Labelled,
  ) => number {
    const start = performance.now();
    return (endLabels, endExemplarLabels) => {
      const seconds = (performance.now() - start) / 1000;
      const all = { ...labels, ...endLabels };
      if (this.enableExemplars) {
        this._observeWithExemplar({
          labels: all,
          value: seconds,
          exemplarLabels: { ...exemplarLabels, ...endExemplarLabels },
        });
      } else this._slow(all, seconds);
      return seconds;
    };
  }

  /** The series for these labels (an object, or the values in order). */
  labels(...args: unknown[]): ObserverInternal {
    return new ObserverBound(this._child<HistogramChild | SummaryChild>(args), this, args);
  }
}

class ObserverBound implements ObserverInternal {
  #c: HistogramChild | SummaryChild;
  #m: Observing<string>;
  #args: unknown[];
  constructor(c: HistogramChild | SummaryChild, m: Observing<string>, args: unknown[]) {
    this.#c = c;
    this.#m = m;
    this.#args = args;
  }
  observe(value: number): void {
    if (typeof value !== "number" || !Number.isFinite(value)) throw badValue(value);
    this.#c.observe(value);
  }
  startTimer(): (labels?: Labelled) => number {
    return this.#m.startTimer(labelArgs(this.#m.labelNames, this.#args));
  }
}

/** Options of prom-client's Histogram. */
export interface HistogramConfiguration<T extends string> extends MetricConfiguration<T> {
  /** The bucket upper bounds (default 0.005 ... 10). */
  buckets?: readonly number[];
}

/** prom-client's Histogram, on the core Histogram. */
export class Histogram<T extends string = string> extends Observing<T> {
  /** `histogram` */
  readonly type = "histogram";
  /** @internal */
  protected readonly _core: CoreHistogram<string>;

  /** Creates the histogram and joins `registers` (default: the global registry). */
  constructor(config: HistogramConfiguration<T>) {
    super(config);
    if (this.labelNames.includes("le" as T)) throw new Error("le is a reserved label keyword");
    this._core = new CoreHistogram({ ...this._coreOptions(config), buckets: config.buckets });
    if (this.enableExemplars) this.observe = this._observeWithExemplar;
    this._register(config);
  }

  /** The bucket upper bounds. */
  get buckets(): readonly number[] {
    return this._core.buckets;
  }

  /** Creates the series with these labels at zero, so it is exported before its first observation. */
  zero(labels: Labelled): void {
    this._core.zero(this._labels(labels) as never);
  }
}

/** Options of prom-client's Summary. */
export interface SummaryConfiguration<T extends string> extends MetricConfiguration<T> {
  /** The quantiles to report (default 0.01 ... 0.999). */
  percentiles?: readonly number[];
  /** Report quantiles over about the last `maxAgeSeconds` only. */
  maxAgeSeconds?: number;
  /** How many slots the window rotates through (default 5). */
  ageBuckets?: number;
  /** prom-client's t-digest setting: accepted, not needed (the sketch here has no such knob). */
  pruneAgedBuckets?: boolean;
  /** prom-client's t-digest setting: accepted, not needed. */
  compressCount?: number;
}

/** prom-client's Summary, on the core Summary. */
export class Summary<T extends string = string> extends Observing<T> {
  /** `summary` */
  readonly type = "summary";
  /** @internal */
  protected readonly _core: CoreSummary<string>;

  /** Creates the summary and joins `registers` (default: the global registry). */
  constructor(config: SummaryConfiguration<T>) {
    super(config);
    if (this.labelNames.includes("quantile" as T)) {
      throw new Error("quantile is a reserved label keyword");
    }
    this._core = new CoreSummary({
      ...this._coreOptions(config),
      percentiles: config.percentiles,
      maxAgeSeconds: config.maxAgeSeconds,
      ageBuckets: config.ageBuckets,
      now: () => Date.now(), // read at call time, so fake timers move the window
    });
    summaryBehind.set(this, this._core); // so that AggregatorRegistry's workers send its sketch
    this._register(config);
  }
}
