/**
 * A drop-in for prom-client 15: the same module surface (named and default
 * exports) and prom-client's behaviour, built on this library's metrics,
 * registry and formats. Moving over is one import:
 *
 * ```ts ignore
 * // import client from "prom-client";
 * import client from "@promedge/client/prom-client";
 * ```
 *
 * The few differences that remain are listed in the README ("Migrating from
 * prom-client").
 *
 * @example
 * ```ts
 * import client from "./prom-client.ts";
 * const registry = new client.Registry();
 * const requests = new client.Counter({
 *   name: "http_requests_total",
 *   help: "Requests.",
 *   labelNames: ["method", "code"],
 *   registers: [registry],
 * });
 * requests.inc({ method: "GET", code: 200 });
 * requests.labels("POST", "201").inc(2);
 * console.log((await requests.get()).values); // [{ value: 1, labels: {...} }, ...]
 * console.log(await registry.metrics());
 * ```
 * @module
 */

import {
  globalRegistry,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  Registry,
} from "./_pc_registry.ts";
import { Counter, Gauge, Histogram, Metric, Summary, validateMetricName } from "./_pc_metrics.ts";
import { collectDefaultMetrics, Pushgateway } from "./_pc_extras.ts";
import { AggregatorRegistry } from "./_pc_cluster.ts";
import { type Aggregators, aggregators } from "./_pc_aggregators.ts";
import { exponentialBuckets, linearBuckets } from "../metrics/histogram.ts";

export { Counter, Gauge, Histogram, Metric, Registry, Summary, validateMetricName };
export { AggregatorRegistry, aggregators, collectDefaultMetrics, Pushgateway };
export type { AggregatorFunction, Aggregators } from "./_pc_aggregators.ts";
export { exponentialBuckets, linearBuckets };
export { Observing } from "./_pc_metrics.ts";
export type { MetricValue } from "./_pc_json.ts";
export type {
  CounterInternal,
  ExemplarData,
  GaugeInternal,
  HistogramConfiguration,
  Labelled,
  LabelValues,
  MetricConfiguration,
  MetricObjectWithValues,
  ObserverInternal,
  SummaryConfiguration,
} from "./_pc_metrics.ts";
export type { MetricLike } from "./_pc_registry.ts";
export type {
  DefaultMetricsCollectorConfiguration,
  PushgatewayOptions,
  PushParameters,
  PushResult,
} from "./_pc_extras.ts";

/** The global registry, where metrics go unless `registers` says otherwise. */
export const register: Registry = globalRegistry;
/** `text/plain; version=0.0.4; charset=utf-8` */
export const prometheusContentType: string = PROMETHEUS_CONTENT_TYPE;
/** `application/openmetrics-text; version=1.0.0; charset=utf-8` */
export const openMetricsContentType: string = OPENMETRICS_CONTENT_TYPE;

/** The module as one object: `import client from ".../prom-client"`, `client.Counter`, ... */
const client: {
  register: Registry;
  Registry: typeof Registry;
  readonly contentType: string;
  prometheusContentType: string;
  openMetricsContentType: string;
  validateMetricName: typeof validateMetricName;
  Metric: typeof Metric;
  Counter: typeof Counter;
  Gauge: typeof Gauge;
  Histogram: typeof Histogram;
  Summary: typeof Summary;
  Pushgateway: typeof Pushgateway;
  linearBuckets: typeof linearBuckets;
  exponentialBuckets: typeof exponentialBuckets;
  collectDefaultMetrics: typeof collectDefaultMetrics;
  aggregators: Aggregators;
  AggregatorRegistry: typeof AggregatorRegistry;
} = {
  register,
  Registry,
  get contentType(): string {
    return register.contentType;
  },
  prometheusContentType,
  openMetricsContentType,
  validateMetricName,
  Metric,
  Counter,
  Gauge,
  Histogram,
  Summary,
  Pushgateway,
  linearBuckets,
  exponentialBuckets,
  collectDefaultMetrics,
  aggregators,
  AggregatorRegistry,
};
export default client;
