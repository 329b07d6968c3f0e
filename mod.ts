/**
 * promedge: a Prometheus client for Deno, Bun, Node and edge runtimes.
 *
 * Counter, Gauge, Histogram, Summary (with quantiles) and Info metrics, a
 * registry that writes the Prometheus text format 0.0.4 and OpenMetrics 1.0.
 *
 * @example
 * ```ts
 * import { Registry, Summary } from "./mod.ts";
 * const registry = new Registry();
 * const REQUEST_TIME = new Summary({
 *   name: "request_processing_seconds",
 *   help: "Time spent processing request",
 *   registry,
 * });
 * const processRequest = REQUEST_TIME.time((t: number) => t * 2);
 * processRequest(1);
 * console.log(await registry.metrics());
 * ```
 * @module
 */

export { Counter, CounterChild, type CounterOptions } from "./src/metrics/counter.ts";
export { Gauge, GaugeChild, type GaugeOptions } from "./src/metrics/gauge.ts";
export {
  DEFAULT_BUCKETS,
  exponentialBuckets,
  Histogram,
  HistogramChild,
  type HistogramOptions,
  linearBuckets,
} from "./src/metrics/histogram.ts";
export {
  DEFAULT_PERCENTILES,
  Summary,
  SUMMARY_RELATIVE_ACCURACY,
  SummaryChild,
  type SummaryOptions,
} from "./src/metrics/summary.ts";
export { Info, type InfoOptions } from "./src/metrics/info.ts";
export type {
  Collectable,
  Labels,
  LabelValue,
  MetricOptions,
  MetricType,
} from "./src/metrics/_metric.ts";
export {
  AlreadyRegisteredError,
  CollectError,
  type Collector,
  defaultRegistry,
  type ExpositionOptions,
  type MetricFamily,
  OPENMETRICS_CONTENT_TYPE,
  register,
  Registry,
  TEXT_CONTENT_TYPE,
} from "./src/registry.ts";
export {
  collectDefaultMetrics,
  type DefaultMetricsOptions,
  removeDefaultMetrics,
} from "./src/collectors/default.ts";
export { detectRuntime, type RuntimeInfo, type RuntimeName } from "./src/platform/runtime.ts";
export {
  createMetricsHandler,
  type MetricsHandler,
  metricsHandler,
  type MetricsHandlerOptions,
} from "./src/http/handler.ts";
export { type MetricsServer, serveMetrics, type ServeMetricsOptions } from "./src/http/serve.ts";
export { Pushgateway, type PushgatewayOptions, type PushTarget } from "./src/push/pushgateway.ts";
