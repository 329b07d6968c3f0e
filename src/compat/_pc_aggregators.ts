/**
 * prom-client's `aggregators`: the methods `AggregatorRegistry.aggregate()`
 * merges one metric's `getMetricsAsJSON()` entries from several workers
 * with, chosen by each metric's `aggregator` property.
 * @module
 */

import type { LabelValues, MetricObjectWithValues, MetricValue } from "./_pc_json.ts";

/**
 * One aggregation method: takes the same metric as every worker reported it
 * (`getMetricsAsJSON()` entries of one name) and returns the merged metric,
 * or `undefined` to leave the metric out.
 */
export type AggregatorFunction = (
  metrics: readonly MetricObjectWithValues[],
) => MetricObjectWithValues | undefined;

/**
 * prom-client's aggregation methods by name. A metric's `aggregator` option
 * names one; a method added here (`aggregators.median = ...`) can be named
 * too.
 */
export interface Aggregators {
  /** Adds up each series' values (the default). */
  sum: AggregatorFunction;
  /** Takes each series' value from the first worker that has it. */
  first: AggregatorFunction;
  /** Takes each series' smallest value. */
  min: AggregatorFunction;
  /** Takes each series' largest value. */
  max: AggregatorFunction;
  /** Takes the arithmetic mean of each series' values (over the workers that have it). */
  average: AggregatorFunction;
  /** Leaves the metric out: returns `undefined`. */
  omit: AggregatorFunction;
  /** A method added by the application. */
  [method: string]: AggregatorFunction;
}

/** A short description of a value for an error message. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "function") return "a function";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  return String(v);
}

/**
 * Throws a TypeError unless `m` has the shape `getMetricsAsJSON()` gives:
 * a string `name`, a `values` array of `{ labels?, value }` with `value` a
 * number (or `null`, what JSON writes for NaN and ±Infinity). `at` names
 * the entry in the message.
 */
export function checkMetricObject(m: unknown, at: string): asserts m is MetricObjectWithValues {
  if (m === null || typeof m !== "object" || Array.isArray(m)) {
    throw new TypeError(
      `${at} is ${
        describe(m)
      }, not a metric as getMetricsAsJSON() returns it ({ name, help, type, values, aggregator })`,
    );
  }
  const { name, values } = m as Partial<MetricObjectWithValues>;
  if (typeof name !== "string") {
    throw new TypeError(`${at} has no name (got ${describe(name)}); give it the metric's name`);
  }
  if (!Array.isArray(values)) {
    throw new TypeError(
      `${at} ("${name}") has no values array (got ${describe(values)}); give it values: []`,
    );
  }
  values.forEach((v: unknown, i) => {
    const where = `${at} ("${name}"): values[${i}]`;
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      throw new TypeError(`${where} is ${describe(v)}, not { labels, value }`);
    }
    const { labels, value } = v as Partial<MetricValue>;
    if (labels !== undefined && (labels === null || typeof labels !== "object")) {
      throw new TypeError(`${where}.labels is ${describe(labels)}; give an object of label values`);
    }
    if (typeof value !== "number" && value !== null) {
      throw new TypeError(`${where}.value is ${describe(value)}, not a number`);
    }
  });
}

/** A key telling series apart: the sample name and the labels given (in name order, as text). */
function seriesKey(v: MetricValue): string {
  const labels = v.labels ?? {};
  const pairs: string[] = [];
  for (const k of Object.keys(labels).sort()) {
    if (labels[k] !== undefined) pairs.push(k, "" + labels[k]);
  }
  return JSON.stringify([v.metricName ?? "", pairs]);
}

/**
 * An aggregation method that groups the values of every worker by sample
 * name and labels and merges each group's numbers with `merge`.
 */
function perSeries(method: string, merge: (values: number[]) => number): AggregatorFunction {
  return (metrics) => {
    if (!Array.isArray(metrics)) {
      throw new TypeError(
        `aggregators.${method}() takes an array of one metric's getMetricsAsJSON() entries (got ${
          describe(metrics)
        })`,
      );
    }
    metrics.forEach((m, i) => checkMetricObject(m, `aggregators.${method}(): metrics[${i}]`));
    if (metrics.length === 0) return undefined;
    const groups = new Map<string, { first: MetricValue; numbers: number[] }>();
    for (const m of metrics) {
      for (const v of m.values) {
        const key = seriesKey(v);
        let g = groups.get(key);
        if (g === undefined) groups.set(key, g = { first: v, numbers: [] });
        g.numbers.push(v.value ?? NaN); // JSON's null stood for NaN or ±Infinity
      }
    }
    const values: MetricValue[] = [];
    for (const { first, numbers } of groups.values()) {
      const out: MetricValue = { value: merge(numbers), labels: first.labels ?? {} as LabelValues };
      if (first.metricName) out.metricName = first.metricName;
      values.push(out);
    }
    const { name, help, type, aggregator } = metrics[0];
    return { name, help, type, values, aggregator };
  };
}

function total(values: number[]): number {
  let t = 0;
  for (const v of values) t += v;
  return t;
}

/**
 * prom-client's aggregation methods (`sum`, `first`, `min`, `max`,
 * `average`, `omit`), each taking one metric's entries from every worker.
 * Series are matched by sample name and labels (a label value `200` and
 * `"200"` match); a series only some workers have is merged over those.
 * Histogram buckets, `_sum` and `_count` are merged one by one, and so are a
 * summary's quantiles (summed by default, as prom-client does). Exemplars are
 * dropped. `AggregatorRegistry.aggregate()` looks methods up here when it
 * runs, so a method added to this object can be named as a metric's
 * `aggregator`.
 *
 * @example
 * ```ts
 * import { aggregators, Counter, Registry } from "./prom-client.ts";
 * const workers = [new Registry(), new Registry()];
 * workers.forEach((r, i) =>
 *   new Counter({ name: "jobs_total", help: "Jobs.", registers: [r] }).inc(i + 1)
 * );
 * const entries = await Promise.all(workers.map(async (r) => (await r.getMetricsAsJSON())[0]));
 * console.log(aggregators.sum(entries)?.values); // [{ value: 3, labels: {} }]
 * ```
 */
export const aggregators: Aggregators = {
  sum: perSeries("sum", total),
  first: perSeries("first", (values) => values[0]),
  min: perSeries("min", (values) => values.reduce((a, b) => Math.min(a, b), Infinity)),
  max: perSeries("max", (values) => values.reduce((a, b) => Math.max(a, b), -Infinity)),
  average: perSeries("average", (values) => total(values) / values.length),
  omit: () => undefined,
};
