/**
 * prom-client's Registry on the core Registry: content type per registry,
 * `registerMetric` (also of plain `{ name, get() }` objects), JSON, merge.
 * @module
 */

import type { Collectable, Collector, FamilySnapshot } from "../collector.ts";
import { AlreadyRegisteredError, Registry as CoreRegistry } from "../registry.ts";
import { TEXT_CONTENT_TYPE } from "../exposition/text.ts";
import { OPENMETRICS_CONTENT_TYPE as OM, openMetricsFormat } from "../exposition/openmetrics.ts";
import type { CollectorOptions, ExpositionOptions } from "../registry.ts";
import { fromMetricObject, type MetricObjectWithValues, toMetricObject } from "./_pc_json.ts";

/** `text/plain; version=0.0.4; charset=utf-8` */
export const PROMETHEUS_CONTENT_TYPE: string = TEXT_CONTENT_TYPE;
/** `application/openmetrics-text; version=1.0.0; charset=utf-8` */
export const OPENMETRICS_CONTENT_TYPE: string = OM;

/** What prom-client registers: one of its metrics, or any `{ name, get() }`. */
export interface MetricLike {
  /** The metric name. */
  name: string;
  /** prom-client's read. */
  get(): Promise<Partial<MetricObjectWithValues>> | Partial<MetricObjectWithValues>;
  /** prom-client's reset, called by `resetMetrics()`. */
  reset?(): void;
}

function isCollectable(m: unknown): m is Collectable {
  const c = m as Partial<Collectable> | null;
  return c !== null && typeof c === "object" && Array.isArray(c.reservedNames) &&
    typeof c.collect === "function";
}

let unnamed = 0;

/**
 * The `aggregator` of each family a collector writes, by family name (the
 * default metrics set theirs here), for {@link Registry.getMetricsAsJSON}.
 * Kept with the collector, so that `Registry.merge` carries it along.
 */
export const collectorAggregators: WeakMap<Collector, ReadonlyMap<string, string>> = new WeakMap();

let readAggregators: (registry: Registry) => Map<string, string>;
let readCollectors: (registry: Registry) => ReadonlyMap<Collector, CollectorOptions>;

/**
 * The `aggregator` of a registry's metrics and collector families that have
 * one, by name (the others are summed). Empty for a registry of the core.
 */
export function aggregatorsOf(registry: Registry): Map<string, string> {
  return readAggregators(registry);
}

/**
 * A registry's collectors (the default metrics among them) with the options
 * they were registered with. Empty for a registry of the core.
 */
export function collectorsOf(registry: Registry): ReadonlyMap<Collector, CollectorOptions> {
  return readCollectors(registry);
}

/** prom-client's Registry: a core Registry with prom-client's methods. */
export class Registry extends CoreRegistry {
  /** `text/plain; version=0.0.4; charset=utf-8` */
  static readonly PROMETHEUS_CONTENT_TYPE: string = PROMETHEUS_CONTENT_TYPE;
  /** `application/openmetrics-text; version=1.0.0; charset=utf-8` */
  static readonly OPENMETRICS_CONTENT_TYPE: string = OPENMETRICS_CONTENT_TYPE;

  /** What `registerMetric` was given, by name (a plain object's wrapper maps back to it). */
  #given = new Map<string, unknown>();
  /** The collectors (default metrics, ...) with their options, for `merge`. */
  #collectors = new Map<Collector, CollectorOptions>();

  static {
    readAggregators = (r) => (#given in r ? r.#aggregators() : new Map());
    readCollectors = (r) => (#given in r ? r.#collectors : new Map());
  }

  /** An empty registry writing `contentType` (text 0.0.4 by default). */
  constructor(contentType: string = PROMETHEUS_CONTENT_TYPE) {
    super();
    this.setContentType(contentType);
  }

  /** Sets the format `metrics()` writes: text 0.0.4 or OpenMetrics 1.0. */
  setContentType(contentType: string): void {
    if (contentType !== PROMETHEUS_CONTENT_TYPE && contentType !== OPENMETRICS_CONTENT_TYPE) {
      throw new TypeError(`Content type ${contentType} is unsupported`);
    }
    (this as { contentType: string }).contentType = contentType;
  }

  /** The page in this registry's content type. */
  override metrics(options: ExpositionOptions = {}): Promise<string> {
    return super.metrics({
      format: this.contentType === OPENMETRICS_CONTENT_TYPE ? openMetricsFormat : undefined,
      ...options,
    });
  }

  /** Adds a metric: one of ours, or any object with `name` and `get()`. */
  registerMetric(metric: Collectable | MetricLike): void {
    const name = (metric as { name?: unknown })?.name;
    const existing = typeof name === "string" ? this.#given.get(name) : undefined;
    if (existing === metric) return;
    if (existing !== undefined) {
      throw new AlreadyRegisteredError(
        `A metric with the name ${name} has already been registered.`,
        existing,
      );
    }
    if (isCollectable(metric)) {
      this.register(metric);
      this.#given.set(name as string, metric);
      return;
    }
    const m = metric as MetricLike;
    if (m === null || typeof m !== "object" || typeof m.get !== "function") {
      throw new TypeError("registerMetric() takes a metric, or an object with a get() method");
    }
    // prom-client takes an object without a name too (the name comes from get()):
    // it is held under a key of its own and checked when it is read.
    const key = typeof name === "string" ? name : `\u0000unnamed ${++unnamed}`;
    this.register({
      name: key,
      reservedNames: typeof name === "string" ? [name] : [],
      collect: async () => fromMetricObject(key, await m.get()),
    });
    this.#given.set(key, metric);
  }

  /** Adds a collector (as the core Registry does), remembered for {@link Registry.merge}. */
  override registerCollector(collector: Collector, options: CollectorOptions = {}): void {
    super.registerCollector(collector, options);
    this.#collectors.set(collector, options);
  }

  /** Removes a collector; returns whether it was there. */
  override unregisterCollector(collector: Collector): boolean {
    this.#collectors.delete(collector);
    return super.unregisterCollector(collector);
  }

  /** Takes the metric with this name out. */
  removeSingleMetric(name: string): void {
    this.unregister(name);
    this.#given.delete(name);
  }

  /** The metric registered under this name. */
  getSingleMetric(name: string): unknown {
    return this.#given.get(name) ?? this.get(name);
  }

  /** Every registered metric, as given. */
  getMetricsAsArray(): unknown[] {
    return this.getAll().map((m) => this.#given.get(m.name) ?? m);
  }

  /** The page of one metric. */
  getSingleMetricAsString(name: string): Promise<string> {
    return this.metrics({ names: [name] });
  }

  /**
   * Every family in prom-client's `get()` shape, with the registry's default
   * labels (and collectors' families, such as the default metrics).
   */
  async getMetricsAsJSON(): Promise<MetricObjectWithValues[]> {
    const families: FamilySnapshot[] = await this.collect();
    const aggregators = this.#aggregators();
    return families.map((f) => toMetricObject(f, aggregators.get(f.name) ?? "sum"));
  }

  /** The `aggregator` of each metric that has one, and of its collectors' families. */
  #aggregators(): Map<string, string> {
    const out = new Map<string, string>();
    for (const c of this.#collectors.keys()) {
      for (const [name, a] of collectorAggregators.get(c) ?? []) out.set(name, a);
    }
    for (const [name, m] of this.#given) {
      const a = (m as { aggregator?: string } | null)?.aggregator;
      if (a !== undefined && a !== null) out.set(name, a); // as given: aggregate() names a bad one
    }
    return out;
  }

  /** Resets every metric (counters to 0, labelled series removed). */
  resetMetrics(): void {
    for (const m of this.getMetricsAsArray()) (m as { reset?: () => void }).reset?.();
  }

  /** Removes every metric and collector, and the default labels. */
  override clear(): void {
    super.clear();
    this.#given.clear();
    this.#collectors.clear();
    this.setDefaultLabels({});
  }

  /**
   * A registry holding the metrics and collectors (default metrics) of all of
   * these (same content type; names must not repeat).
   */
  static merge(registers: readonly Registry[]): Registry {
    const ct = registers[0]?.contentType ?? PROMETHEUS_CONTENT_TYPE;
    for (const r of registers) {
      if (r.contentType !== ct) {
        throw new Error("Registers can only be merged if they have the same content type");
      }
    }
    const merged = new Registry(ct);
    for (const r of registers) {
      for (const m of r.getMetricsAsArray()) merged.registerMetric(m as MetricLike);
      for (const [c, options] of r.#collectors) merged.registerCollector(c, options);
    }
    return merged;
  }
}

/** prom-client's global registry (`register`): empty until metrics join it. */
export const globalRegistry: Registry = new Registry();
