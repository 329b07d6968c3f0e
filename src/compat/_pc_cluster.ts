/**
 * prom-client's AggregatorRegistry on the aggregation layer's Node `cluster`
 * transport: the primary asks every worker for its state, each worker's
 * registries flush through `clusterSender()` and it answers with its
 * metrics' `aggregator`s, the primary's `Aggregator` merges the states
 * (gauges by the mode their aggregator maps to), and `clusterMetrics()`
 * writes the merged registry, without the metrics marked `omit`.
 * `AggregatorRegistry.aggregate()` merges `getMetricsAsJSON()` results
 * by hand with prom-client's `aggregators`.
 * @module
 */

import { AggregationSource } from "../aggregate/source.ts";
import { Aggregator } from "../aggregate/aggregator.ts";
import type { GaugeMode } from "../aggregate/_merge.ts";
import type { Collectable } from "../collector.ts";
import { type ClusterLike, clusterSender, listenCluster } from "../aggregate/cluster.ts";
import { aggregatorsOf, globalRegistry, Registry } from "./_pc_registry.ts";
import { openMetricsFormat } from "../exposition/openmetrics.ts";
import { isLabelName, isMetricName } from "../_names.ts";
import { aggregators, checkMetricObject, describe } from "./_pc_aggregators.ts";
import type { MetricObjectWithValues } from "./_pc_json.ts";
import { WorkerReport } from "./_pc_report.ts";

interface Worker {
  send(message: unknown): unknown;
  isDead?(): boolean;
}
interface ClusterModule extends ClusterLike {
  isWorker?: boolean;
  isPrimary?: boolean;
  workers?: Record<string, Worker | undefined>;
}
interface Proc {
  on(event: "message", listener: (m: unknown) => void): unknown;
  send?(message: unknown, callback?: (e: Error | null) => void): unknown;
}

/** `node:cluster`, reached at run time (never imported at the top: the core bundles for the edge). */
function clusterModule(): ClusterModule | undefined {
  const p = (globalThis as {
    process?: { getBuiltinModule?: (id: string) => unknown };
  }).process;
  try {
    return p?.getBuiltinModule?.("node:cluster") as ClusterModule | undefined;
  } catch {
    return undefined;
  }
}

const REQUEST = "promedgeCollect";
const DONE = "promedgeCollected";
const TIMEOUT_MS = 5000;

/**
 * The aggregation layer's gauge merge for each of prom-client's aggregators
 * it can run (`first`: one worker's value, the first by source id). Others
 * (`omit` aside) leave gauges summed, and counters, histograms and
 * summaries always add up.
 */
const GAUGE_MODES: Readonly<Record<string, GaugeMode>> = {
  sum: "sum",
  min: "min",
  max: "max",
  first: "first",
  average: "average",
};

let workerRegistries: Registry[] = [globalRegistry];
const sources = new WeakMap<Registry, Reported>();
let listening = false;

/** What a worker reports per registry, and the source that sends it. */
interface Reported {
  report: WorkerReport;
  source: AggregationSource;
  /** What the last failed flush threw (a flush never rejects). */
  failure?: unknown;
}

/** The report of `registry` from this worker, and its source. */
function reporter(registry: Registry, send: (state: Uint8Array) => unknown): Reported {
  const report = new WorkerReport();
  const onError = (e: unknown) => r.failure = e;
  const r: Reported = {
    report,
    source: new AggregationSource({ registry: report.registry, send, onError }),
  };
  sources.set(registry, r);
  return r;
}

/** In a cluster worker: answer the primary's requests by flushing each registry's state. */
function listenAsWorker(): void {
  const proc = (globalThis as { process?: Proc }).process;
  if (listening || proc === undefined || typeof proc.send !== "function") return;
  listening = true;
  const send = clusterSender(proc);
  proc.on("message", (m: unknown) => {
    const id = (m as Record<string, unknown> | null)?.[REQUEST];
    if (typeof id !== "number") return;
    void (async () => {
      let error: string | undefined;
      const methods: [string, string][] = [];
      const labels: Record<string, string> = {};
      for (const registry of workerRegistries) {
        let r = sources.get(registry);
        if (r === undefined) r = reporter(registry, send);
        try {
          // The metrics and the default metrics, as prom-client's workers send theirs.
          await r.report.read(registry);
          if (!(await r.source.flush())) throw r.failure;
        } catch (e) {
          error = e instanceof Error ? e.message : String(e);
        }
        for (const [name, method] of aggregatorsOf(registry)) {
          if (typeof method === "string") methods.push([name, method]);
        }
        // The aggregation layer sends a metric's own labels: the registry's default labels
        // go alongside, for the primary to put back.
        for (const [k, v] of Object.entries(registry.defaultLabels)) labels[k] ??= v;
      }
      proc.send?.({ [DONE]: id, error, aggregators: methods, labels });
    })();
  });
}

const cluster = clusterModule();
if (cluster?.isWorker) listenAsWorker(); // as prom-client does: workers answer without more code

let nextRequest = 0;

/**
 * prom-client's AggregatorRegistry: in the cluster primary, `clusterMetrics()`
 * gathers every worker's registries (`register` unless `setRegistries()` was
 * called in the worker), merged by the aggregation layer: counters,
 * histograms and summaries add up; gauges by their `aggregator` (`sum`,
 * `min`, `max`, `average`, `first`; others are summed); a metric whose
 * `aggregator` is `omit` is left out. `aggregate()` merges
 * `getMetricsAsJSON()` results gathered some other way, as prom-client does.
 */
export class AggregatorRegistry extends Registry {
  #aggregator: Aggregator | undefined;
  /** Each metric's `aggregator`, as the answering worker with the lowest id named it (kept for silent ones). */
  #methods = new Map<string, string>();
  /** The merged families taken off the page (`omit`), to put back if that changes. */
  #omitted = new Map<string, Collectable>();

  /**
   * The merged metrics of every live worker, in this registry's content
   * type. Rejects outside a cluster primary, or when a worker has not
   * answered within 5 s.
   */
  async clusterMetrics(): Promise<string> {
    const c = clusterModule();
    if (c === undefined || c.isWorker || c.workers === undefined) {
      throw new Error(
        "AggregatorRegistry.clusterMetrics() runs in the primary of a node:cluster; in a worker, serve its own registry",
      );
    }
    const aggregator = this.#aggregator ??= new Aggregator({ registry: new Registry() });
    const stop = listenCluster(aggregator, c);
    const id = ++nextRequest;
    const workers = Object.values(c.workers).filter((w): w is Worker =>
      w !== undefined && !w.isDead?.()
    );
    let listener: ((w: unknown, m: unknown) => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // By worker, in the order of their ids (cluster.workers is keyed by id), not in the order
    // they answer: what #follow takes from "the first" is then the same at every scrape.
    const replies: Record<string, unknown>[] = new Array(workers.length);
    try {
      await new Promise<void>((resolve, reject) => {
        const waiting = new Set(workers);
        if (waiting.size === 0) return resolve();
        listener = (w, m) => {
          const r = m as Record<string, unknown> | null;
          if (r?.[DONE] !== id) return;
          if (typeof r.error === "string") {
            return reject(new Error(`a worker could not send its metrics: ${r.error}`));
          }
          if (!waiting.delete(w as Worker)) return;
          replies[workers.indexOf(w as Worker)] = r;
          if (waiting.size === 0) resolve();
        };
        c.on("message", listener);
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `AggregatorRegistry.clusterMetrics(): ${waiting.size} worker(s) did not answer within ${TIMEOUT_MS} ms`,
              ),
            ),
          TIMEOUT_MS,
        );
        for (const w of workers) w.send({ [REQUEST]: id });
      });
    } finally {
      clearTimeout(timer);
      if (listener) c.off?.("message", listener);
      stop();
    }
    this.#follow(aggregator, replies.filter((r) => r !== undefined));
    const merged = aggregator.registry;
    return merged.metrics({
      format: this.contentType === Registry.OPENMETRICS_CONTENT_TYPE
        ? openMetricsFormat
        : undefined,
    });
  }

  /**
   * Takes the workers' `aggregator`s (the first worker's wins, as the first
   * entry does in prom-client) to the aggregator: gauge modes, and `omit`ted
   * families off the merged registry; and their registries' default labels
   * (per label name, the first worker's value) to the merged registry.
   * `replies` are in the order of the workers' ids.
   */
  #follow(aggregator: Aggregator, replies: readonly Record<string, unknown>[]): void {
    const named = new Set<string>();
    const labels: Record<string, string> = {};
    for (const reply of replies) {
      for (const [k, v] of Object.entries(reply.labels ?? {})) {
        if (typeof v === "string") labels[k] ??= v;
      }
      if (!Array.isArray(reply.aggregators)) continue;
      for (const pair of reply.aggregators) {
        const [name, method] = Array.isArray(pair) ? pair : [];
        if (typeof name !== "string" || typeof method !== "string" || named.has(name)) continue;
        named.add(name);
        this.#methods.set(name, method);
      }
    }
    // The workers' registry default labels, on every merged series that lacks them.
    aggregator.registry.setDefaultLabels(labels);
    const merged = aggregator.registry;
    for (const [name, method] of this.#methods) {
      aggregator.setGaugeMode(
        name,
        Object.hasOwn(GAUGE_MODES, method) ? GAUGE_MODES[method] : "sum",
      );
      const hidden = this.#omitted.get(name);
      if (method === "omit" && hidden === undefined) {
        const family = merged.get(name);
        if (family === undefined) continue;
        merged.unregister(name);
        this.#omitted.set(name, family);
      } else if (method !== "omit" && hidden !== undefined) {
        merged.register(hidden);
        this.#omitted.delete(name);
      }
    }
  }

  /**
   * prom-client's merge by hand: a new {@link Registry} (writing
   * `registryType`, text 0.0.4 by default) holding one metric per name found
   * in `metricsArr`, an array with one `getMetricsAsJSON()` result per worker
   * (or per registry). Each name's entries are merged by the method their
   * first entry's `aggregator` names in {@link aggregators} (`sum` when it
   * has none); `omit` leaves the metric out. Throws at this call, naming
   * the entry, when the input is not of that shape or an aggregator is
   * unknown; nothing is merged then.
   *
   * @example
   * ```ts
   * import { AggregatorRegistry, Gauge, Registry } from "./prom-client.ts";
   * const workers = [new Registry(), new Registry()];
   * workers.forEach((r, i) =>
   *   new Gauge({ name: "queue_depth", help: "Depth.", aggregator: "max", registers: [r] })
   *     .set(i + 4)
   * );
   * const merged = AggregatorRegistry.aggregate(
   *   await Promise.all(workers.map((r) => r.getMetricsAsJSON())),
   * );
   * console.log(await merged.metrics()); // ... queue_depth 5
   * ```
   */
  static aggregate(
    metricsArr: readonly unknown[],
    registryType: string = Registry.PROMETHEUS_CONTENT_TYPE,
  ): Registry {
    const at = "AggregatorRegistry.aggregate()";
    const registry = new Registry(registryType);
    if (!Array.isArray(metricsArr)) {
      throw new TypeError(
        `${at} takes an array holding one getMetricsAsJSON() result per worker (got ${
          describe(metricsArr)
        })`,
      );
    }
    const byName = new Map<string, MetricObjectWithValues[]>();
    metricsArr.forEach((metrics: unknown, i) => {
      if (!Array.isArray(metrics)) {
        throw new TypeError(
          `${at}: metricsArr[${i}] is ${
            describe(metrics)
          }, not an array of metrics as getMetricsAsJSON() returns it; wrap one worker's result: [result]`,
        );
      }
      metrics.forEach((m: unknown, j) => {
        const where = `${at}: metricsArr[${i}][${j}]`;
        checkMetricObject(m, where);
        if (!isMetricName(m.name)) {
          throw new TypeError(`${where} has an invalid metric name ${JSON.stringify(m.name)}`);
        }
        m.values.forEach((v, k) => {
          const bad = Object.keys(v.labels ?? {}).find((l) => !isLabelName(l));
          if (bad !== undefined) {
            throw new TypeError(
              `${where} ("${m.name}"): values[${k}] has an invalid label name ${
                JSON.stringify(bad)
              }`,
            );
          }
        });
        const same = byName.get(m.name);
        if (same === undefined) byName.set(m.name, [m]);
        else same.push(m);
      });
    });
    const merges = [...byName].map(([name, metrics]) => {
      const method = (metrics[0] as { aggregator?: unknown }).aggregator ?? "sum";
      const merge = typeof method === "string" && Object.hasOwn(aggregators, method)
        ? aggregators[method]
        : undefined;
      if (typeof merge !== "function") {
        const fix = typeof method === "string"
          ? `or add it first: aggregators[${JSON.stringify(method)}] = (metrics) => mergedMetric`
          : "an aggregator is named, not given: add the function to aggregators under a name and give that name";
        throw new Error(
          `'${
            typeof method === "string" ? method : describe(method)
          }' is not a defined aggregator. Metric "${name}" names it: use one of ${
            Object.keys(aggregators).join(", ")
          }, ${fix}`,
        );
      }
      return { name, metrics, merge, method };
    });
    for (const { name, metrics, merge, method } of merges) {
      const merged = merge(metrics);
      if (!merged) continue; // `omit`, or a method that leaves the metric out
      const where = `${at}: aggregators.${method}() for "${name}" returned`;
      checkMetricObject(merged, where);
      if (!isMetricName(merged.name)) {
        throw new TypeError(`${where} an invalid metric name ${JSON.stringify(merged.name)}`);
      }
      registry.registerMetric({ ...merged, get: () => merged });
    }
    return registry;
  }

  /** In a worker: the registries `clusterMetrics()` gathers (default: `register`). */
  static setRegistries(registries: Registry | readonly Registry[]): void {
    workerRegistries = Array.isArray(registries) ? [...registries] : [registries as Registry];
    listenAsWorker();
  }
}
