/**
 * The metrics every process gets for free, as in the Python client: the six
 * `process_*` metrics, `js_runtime_info`, the JavaScript heap and the
 * event-loop lag; and the default registry that comes with them.
 *
 * The default registry gets them when this module's `defaultRegistry` is
 * evaluated, which a bundler keeps only when something uses that binding
 * (`metricsHandler`, `serveMetrics()`, the Hono entry, `defaultRegistry`
 * itself, ...): a program that only scrapes a `new Registry()` carries none
 * of this code.
 * @module
 */

import type { Collector, FamilyDescription, MetricFamily } from "../collector.ts";
import { defaultRegistry as bareDefaultRegistry, type Registry } from "../registry.ts";
import { type ProcessFigures, readProcessFigures } from "../platform/process.ts";
import { detectRuntime, type RuntimeInfo, splitVersion } from "../platform/runtime.ts";
import { type LagFigures, readLag } from "../platform/eventloop.ts";
import { isMetricName, show } from "../_names.ts";
import { checkOptions } from "../_options.ts";

/** Options of {@link collectDefaultMetrics}. */
export interface DefaultMetricsOptions {
  /** The registry to add them to (default: the default registry). */
  registry?: Registry;
  /**
   * A prefix for every name, e.g. `myapp_`: letters, digits, `_` and `:`,
   * not starting with a digit.
   */
  prefix?: string;
}

/** A figure's key, and the name, type and help of the family it becomes. */
type Spec<K extends string> = [K, string, "gauge" | "counter", string];

const PROCESS: Spec<keyof ProcessFigures>[] = [
  [
    "cpuSeconds",
    "process_cpu_seconds_total",
    "counter",
    "Total user and system CPU time spent in seconds.",
  ],
  ["virtualBytes", "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes."],
  ["residentBytes", "process_resident_memory_bytes", "gauge", "Resident memory size in bytes."],
  [
    "startTimeSeconds",
    "process_start_time_seconds",
    "gauge",
    "Start time of the process since unix epoch in seconds.",
  ],
  ["openFds", "process_open_fds", "gauge", "Number of open file descriptors."],
  ["maxFds", "process_max_fds", "gauge", "Maximum number of open file descriptors."],
  ["heapUsedBytes", "js_heap_used_bytes", "gauge", "JavaScript heap in use, in bytes."],
  ["heapTotalBytes", "js_heap_total_bytes", "gauge", "JavaScript heap reserved, in bytes."],
];

/** The `js_runtime_info` family for a runtime. */
function runtimeInfoFamily(info: RuntimeInfo, prefix = ""): MetricFamily {
  return {
    name: prefix + "js_runtime_info",
    help: "JavaScript runtime information.",
    type: "info",
    samples: [{
      labels: {
        runtime: info.runtime,
        version: info.version,
        ...splitVersion(info.version),
        ...info.extra,
      },
      value: 1,
    }],
  };
}

const LAG: Spec<keyof LagFigures>[] = [
  [
    "max",
    "js_eventloop_lag_max_seconds",
    "gauge",
    "Longest event-loop lag in the last minute, in seconds.",
  ],
  [
    "mean",
    "js_eventloop_lag_mean_seconds",
    "gauge",
    "Mean event-loop lag in the last minute, in seconds.",
  ],
];

/** One family per figure that is there; absent figures are left out. */
function families<K extends string>(
  specs: readonly Spec<K>[],
  f: Partial<Record<K, number>> | undefined,
  prefix: string,
): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const [key, name, type, help] of specs) {
    const v = f?.[key];
    if (v !== undefined) out.push({ name: prefix + name, help, type, samples: [{ value: v }] });
  }
  return out;
}

/** The families for a set of process figures. */
export function processFamilies(f: ProcessFigures, prefix = ""): MetricFamily[] {
  return families(PROCESS, f, prefix);
}

/** The event-loop lag families; none before the first measurement. */
function lagFamilies(lag: LagFigures | undefined, prefix = ""): MetricFamily[] {
  return families(LAG, lag, prefix);
}

function makeCollector(prefix: string): Collector {
  let info: RuntimeInfo | undefined;
  let infoFamily: MetricFamily | undefined;
  return () => {
    info ??= detectRuntime();
    infoFamily ??= runtimeInfoFamily(info, prefix);
    return [
      infoFamily,
      ...processFamilies(readProcessFigures(), prefix),
      ...lagFamilies(readLag(info.runtime), prefix),
    ];
  };
}

/** Every family the default collector may write, declared when it is registered. @internal */
export function defaultFamilies(prefix: string): FamilyDescription[] {
  return [
    { name: prefix + "js_runtime_info", type: "info" },
    ...[...PROCESS, ...LAG].map(([, name, type]) => ({ name: prefix + name, type })),
  ];
}

const installed = new WeakMap<Registry, { prefix: string; collector: Collector }>();

function checkDefaultOptions(
  options: DefaultMetricsOptions,
): { registry: Registry; prefix: string } {
  if (options === null || typeof options !== "object") {
    throw new TypeError("collectDefaultMetrics() takes an options object: { registry?, prefix? }");
  }
  checkOptions("collectDefaultMetrics()", options, ["registry", "prefix"]);
  const registry = options.registry ?? defaultRegistry;
  if (typeof (registry as Partial<Registry>)?.registerCollector !== "function") {
    throw new TypeError("collectDefaultMetrics(): registry must be a Registry");
  }
  const prefix = options.prefix ?? "";
  if (typeof prefix !== "string" || (prefix !== "" && !isMetricName(prefix))) {
    throw new TypeError(
      `collectDefaultMetrics(): invalid prefix ${show(prefix)}: it starts every metric name, ` +
        `so it must match [a-zA-Z_:][a-zA-Z0-9_:]*, e.g. "myapp_"`,
    );
  }
  return { registry, prefix };
}

/**
 * Adds the default metrics to a registry (the default registry has them from
 * the start). Nothing is read until a scrape. Called again for the same
 * registry with another prefix, it replaces the defaults with ones under the
 * new prefix (so `collectDefaultMetrics({ prefix: "app_" })` renames those
 * of the default registry); with the same prefix it changes nothing, or
 * restores them after `registry.clear()`.
 *
 * @example
 * ```ts
 * import { collectDefaultMetrics, Registry } from "../../mod.ts";
 * const registry = new Registry();
 * collectDefaultMetrics({ registry, prefix: "myapp_" });
 * console.log(await registry.metrics()); // myapp_process_cpu_seconds_total ...
 * ```
 */
export function collectDefaultMetrics(options: DefaultMetricsOptions = {}): void {
  const { registry, prefix } = checkDefaultOptions(options);
  let c = installed.get(registry);
  if (c === undefined || c.prefix !== prefix) {
    if (c !== undefined) registry.unregisterCollector(c.collector);
    c = { prefix, collector: makeCollector(prefix) };
    installed.set(registry, c);
  }
  // Adding it again is harmless (a set), and restores it after registry.clear().
  registry.registerCollector(c.collector, {
    name: "default metrics",
    families: defaultFamilies(prefix),
  });
}

/** Removes the default metrics from a registry (default: the default registry). */
export function removeDefaultMetrics(registry: Registry = defaultRegistry): void {
  const c = installed.get(registry);
  if (c) registry.unregisterCollector(c.collector);
  installed.delete(registry);
}

/** The default registry with the default metrics added: what `defaultRegistry` is. */
function withDefaultMetrics(registry: Registry): Registry {
  collectDefaultMetrics({ registry });
  return registry;
}

/**
 * The registry metrics join when no `registry` option is given. It has the
 * default metrics from the start (see {@link collectDefaultMetrics}).
 */
export const defaultRegistry: Registry = /* @__PURE__ */ withDefaultMetrics(bareDefaultRegistry);

/** prom-client's name for the default registry. */
export const register: Registry = defaultRegistry;
