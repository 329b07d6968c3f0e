/**
 * prom-client's Pushgateway and collectDefaultMetrics, on the core's
 * Pushgateway and default collectors.
 * @module
 */

import { Pushgateway as CorePushgateway } from "../push/pushgateway.ts";
import { collectDefaultMetrics as coreDefaults, defaultFamilies } from "../collectors/default.ts";
import type { MetricFamily } from "../collector.ts";
import { AlreadyRegisteredError, Registry as CoreRegistry } from "../registry.ts";
import { collectorAggregators, globalRegistry } from "./_pc_registry.ts";
import { isLabelName, loneSurrogateAt, notUnicode, show } from "../_names.ts";

/** Which group a push addresses, as prom-client names it. */
export interface PushParameters {
  /** The job name. */
  jobName: string;
  /** More grouping labels, e.g. `{ instance: "a" }`. */
  groupings?: Record<string, string>;
}

/** What a push resolves to: the response (with prom-client's `statusCode`) and its body. */
export interface PushResult {
  /** The fetch Response, with `statusCode` as on Node's IncomingMessage. */
  resp: Response & { statusCode: number };
  /** The gateway's reply text. */
  body: string;
}

/** Options of prom-client's Pushgateway that carry over to fetch. */
export interface PushgatewayOptions {
  /** Milliseconds before a request is given up. */
  timeout?: number;
  /** Headers for every request. */
  headers?: Record<string, string>;
  /** `user:password` for Basic auth (Node's `http.request` option). */
  auth?: string;
  /** Whether `jobName` is needed (default true); without it the base URL is pushed to. */
  requireJobName?: boolean;
  /** gzip the body. */
  compress?: boolean;
}

/** prom-client's Pushgateway: `(url, options, registry)`, `{ jobName, groupings }`, `{ resp, body }`. */
export class Pushgateway {
  #url: string;
  #options: PushgatewayOptions;
  #registry: CoreRegistry;

  /** `url` is the gateway's base URL; `registry` the one pushed (default: the global registry). */
  constructor(url: string, options?: PushgatewayOptions | null, registry?: CoreRegistry) {
    this.#url = url;
    this.#options = options ?? {};
    this.#registry = registry ?? globalRegistry;
  }

  /** Replaces only the metrics with the names pushed (HTTP POST). */
  pushAdd(params: PushParameters): Promise<PushResult> {
    return this.#send(params, "pushAdd");
  }

  /** Replaces the whole group (HTTP PUT). */
  push(params: PushParameters): Promise<PushResult> {
    return this.#send(params, "push");
  }

  /** Removes the group (HTTP DELETE). */
  delete(params: PushParameters): Promise<PushResult> {
    return this.#send(params, "delete");
  }

  async #send(params: PushParameters, op: "push" | "pushAdd" | "delete"): Promise<PushResult> {
    if (!params || !params.jobName) throw new Error("Missing jobName parameter");
    const o = this.#options;
    const headers: Record<string, string> = { ...o.headers };
    if (o.auth && !Object.keys(headers).some((h) => h.toLowerCase() === "authorization")) {
      headers.authorization = "Basic " + btoa(o.auth);
    }
    let captured: Response | undefined;
    const gw = new CorePushgateway(this.#url, {
      registry: this.#registry,
      headers,
      timeout: o.timeout,
      compress: o.compress,
      fetch: async (input, init) => {
        // The core sends a gzip body as a Blob, which fetch can resend on a 307/308.
        const res = await fetch(input, init);
        captured = res.clone();
        return res;
      },
    });
    await gw[op]({ job: params.jobName, groupingKey: params.groupings });
    const resp = captured as Response & { statusCode: number };
    const body = await resp.text();
    Object.defineProperty(resp, "statusCode", { value: resp.status, enumerable: true });
    return { resp, body };
  }
}

/** Options of prom-client's collectDefaultMetrics. */
export interface DefaultMetricsCollectorConfiguration {
  /** The registry (default: the global registry). */
  register?: CoreRegistry;
  /** A prefix for every name. */
  prefix?: string;
  /** Labels added to every default series. */
  labels?: Record<string, string | number>;
  /** prom-client's GC histogram buckets: accepted, not used (no GC metrics here; see README). */
  gcDurationBuckets?: readonly number[];
  /** prom-client's event-loop sampling: accepted, not used (lag is measured by a timer here). */
  eventLoopMonitoringPrecision?: number;
}

const installed = new WeakMap<CoreRegistry, Map<string, () => Promise<MetricFamily[]>>>();

/**
 * The `aggregator` of each default metric (unprefixed), as prom-client 15
 * sets it on its default metrics (`lib/metrics/*.js`); the rest are summed,
 * as there. `AggregatorRegistry.aggregate()` merges workers' entries by it.
 */
const DEFAULT_AGGREGATORS: Readonly<Record<string, string>> = {
  // The same names as prom-client's: its aggregator. It sums the other process_* metrics too.
  process_start_time_seconds: "omit",
  // No metric of this name in prom-client: its counterpart's (nodejs_eventloop_lag_max_seconds),
  // as the longest lag of any worker is the longest lag.
  js_eventloop_lag_max_seconds: "max",
  // Its counterpart's (nodejs_eventloop_lag_mean_seconds): a mean of workers' means, not a sum.
  js_eventloop_lag_mean_seconds: "average",
  // Its counterpart's (nodejs_version_info): one series per runtime version, of value 1.
  js_runtime_info: "first",
  // js_heap_used_bytes and js_heap_total_bytes: summed, as prom-client's nodejs_heap_size_*_bytes
  // are (each worker has a heap of its own).
};

/**
 * Adds the default metrics (process, heap, event-loop lag, runtime) to a
 * registry, under `prefix`, with `labels` on every series. Calling it again
 * with the same settings changes nothing (after `clear()` it puts them back).
 */
export function collectDefaultMetrics(config?: DefaultMetricsCollectorConfiguration | null): void {
  if (config !== undefined && config !== null && typeof config !== "object") {
    throw new TypeError("config must be null, undefined, or an object");
  }
  const { register = globalRegistry, prefix = "", labels = {} } = config ?? {};
  // Checked here, not at the first scrape: a bad label fails this call, by name.
  if (labels === null || typeof labels !== "object" || Array.isArray(labels)) {
    throw new TypeError(
      `collectDefaultMetrics(): labels must be an object such as { service: "api" }, got ${
        show(labels)
      }`,
    );
  }
  for (const k in labels) {
    if (!isLabelName(k) || k.startsWith("__")) {
      throw new TypeError(
        `collectDefaultMetrics(): invalid label name ${
          show(k)
        }: a label name must match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__"`,
      );
    }
    const v: unknown = labels[k];
    if (typeof v !== "string" && typeof v !== "number") {
      throw new TypeError(
        `collectDefaultMetrics(): label "${k}" must be a string or a number, got ${show(v)}`,
      );
    }
    const at = loneSurrogateAt("" + v);
    if (at >= 0) throw notUnicode(`collectDefaultMetrics(): label "${k}"`, "" + v, at);
  }
  const key = prefix + "\0" + JSON.stringify(labels);
  let mine = installed.get(register);
  if (mine === undefined) installed.set(register, mine = new Map());
  let collector = mine.get(key);
  if (collector === undefined) {
    const source = new CoreRegistry();
    coreDefaults({ registry: source, prefix });
    const extra: Record<string, string> = {};
    for (const k in labels) extra[k] = "" + labels[k];
    collector = async (): Promise<MetricFamily[]> =>
      (await source.collect()).map((f) => ({
        name: f.name,
        help: f.help,
        type: f.type as MetricFamily["type"],
        unit: f.unit,
        samples: (f.series as readonly { labels?: Record<string, string>; value?: number }[])
          // A series keeps its own labels (js_runtime_info's version), as with default labels.
          .map((s) => ({ labels: { ...extra, ...s.labels }, value: s.value ?? 1 })),
      }));
    mine.set(key, collector);
    collectorAggregators.set(
      collector,
      new Map(Object.entries(DEFAULT_AGGREGATORS).map(([name, a]) => [prefix + name, a])),
    );
  }
  // Declared, so that a metric of the same name is refused when it is created
  // (as in prom-client, where they are metrics) and Registry.merge carries them.
  try {
    register.registerCollector(collector, {
      name: "default metrics",
      families: defaultFamilies(prefix),
    });
  } catch (e) {
    const existing = (e as AlreadyRegisteredError).existing;
    if (!(e instanceof AlreadyRegisteredError) || ![...mine.values()].includes(existing as never)) {
      throw e;
    }
    throw new AlreadyRegisteredError(
      "collectDefaultMetrics(): this registry already has the default metrics, with other labels; " +
        "give another prefix, or clear() the registry first",
      existing,
    );
  }
}

/** prom-client's list of default metric names (the ones this library writes). */
collectDefaultMetrics.metricsList = [
  "process_cpu_seconds_total",
  "process_virtual_memory_bytes",
  "process_resident_memory_bytes",
  "process_start_time_seconds",
  "process_open_fds",
  "process_max_fds",
  "js_heap_used_bytes",
  "js_heap_total_bytes",
  "js_eventloop_lag_max_seconds",
  "js_eventloop_lag_mean_seconds",
  "js_runtime_info",
] as string[];
