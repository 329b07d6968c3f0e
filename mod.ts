/**
 * promedge: a Prometheus client for Deno, Bun, Node and edge runtimes.
 *
 * Counter, Gauge, Histogram, Summary (with quantiles) and Info metrics, a
 * registry that writes the Prometheus text format 0.0.4 and OpenMetrics 1.0,
 * and a typed snapshot of it (`registry.collect()`). Native histograms come
 * from `@promedge/client/native`, the protobuf exposition from
 * `@promedge/client/protobuf`: a bundle that does not import them does not
 * carry them.
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
  type NativeHistogram,
  type NativeHistogramOptions,
} from "./src/metrics/histogram.ts";
export {
  DEFAULT_PERCENTILES,
  Summary,
  SUMMARY_RELATIVE_ACCURACY,
  SummaryChild,
  type SummaryOptions,
} from "./src/metrics/summary.ts";
export { Info, type InfoOptions } from "./src/metrics/info.ts";
export {
  EXEMPLAR_MAX_CODE_POINTS,
  type ExemplarLabels,
  type ExemplarOptions,
} from "./src/metrics/_exemplar.ts";
export { type Labels, Metric, type MetricOptions, OVERFLOW_VALUE } from "./src/metrics/_metric.ts";
export { ObserverChild, ObservingMetric } from "./src/metrics/_observer.ts";
export type {
  BucketSpan,
  Collectable,
  CollectOptions,
  Collector,
  CounterFamilySnapshot,
  Exemplar,
  FamilyBase,
  FamilyDescription,
  FamilySnapshot,
  GaugeFamilySnapshot,
  HistogramFamilySnapshot,
  HistogramSeriesSnapshot,
  InfoFamilySnapshot,
  LabelValue,
  MetricFamily,
  MetricType,
  NativeHistogramSnapshot,
  SeriesSnapshot,
  SummaryFamilySnapshot,
  SummarySeriesSnapshot,
  ValueSeriesSnapshot,
} from "./src/collector.ts";
export {
  AlreadyRegisteredError,
  CollectError,
  type CollectionOptions,
  type CollectorOptions,
  type ExpositionOptions,
  type GatherOptions,
  Registry,
  type RegistryOptions,
  type StreamOptions,
} from "./src/registry.ts";
export type { Format, FormatWriter, PageOptions } from "./src/exposition/format.ts";
export { TEXT_CONTENT_TYPE, textFormat } from "./src/exposition/text.ts";
export { OPENMETRICS_CONTENT_TYPE, openMetricsFormat } from "./src/exposition/openmetrics.ts";
export { FORMATS, negotiate } from "./src/exposition/negotiate.ts";
export {
  collectDefaultMetrics,
  type DefaultMetricsOptions,
  defaultRegistry,
  register,
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
export { type TraceparentLabels, traceparentLabels } from "./src/http/traceparent.ts";
