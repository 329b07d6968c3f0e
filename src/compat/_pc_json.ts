/**
 * prom-client's data shapes: a family snapshot as prom-client's
 * `metric.get()` returns it, and back (for objects registered with only
 * `{ name, get() }`).
 * @module
 */

import type {
  Exemplar,
  FamilySnapshot,
  HistogramSeriesSnapshot,
  SummarySeriesSnapshot,
  ValueSeriesSnapshot,
} from "../collector.ts";
import { labelText } from "../exposition/_escape.ts";
import { checkMetricName } from "../_names.ts";

/** A label set as prom-client shows it. */
export type LabelValues = Record<string, string | number>;

/** One value of prom-client's `get()`: a sample with its labels (and its sample name). */
export interface MetricValue {
  /** The sample's labels (a bucket's `le` is a number, `"+Inf"` for the last). */
  labels: LabelValues;
  /** The value. */
  value: number;
  /** The sample name, for histograms and summaries (`x_bucket`, `x_sum`, `x_count`). */
  metricName?: string;
  /** A bucket's exemplar (prom-client gives `null` where none was recorded). */
  exemplar?: unknown;
}

/** What prom-client's `metric.get()` resolves to. */
export interface MetricObjectWithValues {
  /** The metric name. */
  name: string;
  /** The help text. */
  help: string;
  /** `counter`, `gauge`, `histogram` or `summary`. */
  type: string;
  /** The samples. */
  values: MetricValue[];
  /** The `aggregators` method `AggregatorRegistry.aggregate()` merges workers' entries with. */
  aggregator: string;
}

/** prom-client leaves a label out when it was never given: ours keeps it as "", shown out here. */
function present(labels: Readonly<Record<string, string>> | undefined): LabelValues {
  const out: LabelValues = {};
  if (labels) { for (const k in labels) if (labels[k] !== "") out[k] = labels[k]; }
  return out;
}

/** An exemplar as prom-client shows it: `{ labelSet, value, timestamp }` (ms), or null. */
function pcExemplar(e: Exemplar | undefined): unknown {
  if (e === undefined) return null;
  return {
    labelSet: e.labels,
    value: e.value,
    timestamp: e.timestamp === undefined ? undefined : e.timestamp * 1000,
  };
}

/** A family snapshot (collected with labels) in prom-client's `get()` shape. */
export function toMetricObject(f: FamilySnapshot, aggregator = "sum"): MetricObjectWithValues {
  const values: MetricValue[] = [];
  const type = f.type === "info" || f.type === "untyped" ? "gauge" : f.type;
  if (f.type === "histogram") {
    const bounds = f.buckets;
    for (const s of f.series as readonly HistogramSeriesSnapshot[]) {
      const own = present(s.labels);
      let cum = 0;
      for (let b = 0; b <= bounds.length; b++) {
        cum += s.counts[b];
        values.push({
          labels: { le: b < bounds.length ? bounds[b] : "+Inf", ...own },
          value: cum,
          metricName: f.name + "_bucket",
          exemplar: pcExemplar(s.exemplars?.[b]),
        });
      }
      values.push({ labels: own, value: s.sum, metricName: f.name + "_sum" });
      values.push({ labels: own, value: s.count, metricName: f.name + "_count" });
    }
  } else if (f.type === "summary") {
    for (const s of f.series as readonly SummarySeriesSnapshot[]) {
      const own = present(s.labels);
      f.quantiles.forEach((q, i) => {
        values.push({ labels: { quantile: q, ...own }, value: s.quantiles[i] });
      });
      values.push({ labels: own, value: s.sum, metricName: f.name + "_sum" });
      values.push({ labels: own, value: s.count, metricName: f.name + "_count" });
    }
  } else {
    for (const s of f.series as readonly ValueSeriesSnapshot[]) {
      const v: MetricValue = { value: f.type === "info" ? 1 : s.value, labels: present(s.labels) };
      if (s.exemplar) v.exemplar = pcExemplar(s.exemplar);
      values.push(v);
    }
  }
  return { name: f.name, help: f.help, type, values, aggregator };
}

function stringLabels(labels: unknown): [string[], string[], Record<string, string>] {
  const names: string[] = [];
  const vals: string[] = [];
  const rec: Record<string, string> = {};
  if (labels !== null && typeof labels === "object") {
    for (const [k, v] of Object.entries(labels)) {
      if (v === undefined) continue;
      names.push(k);
      vals.push("" + v);
      rec[k] = "" + v;
    }
  }
  return [names, vals, rec];
}

/**
 * prom-client's `get()` shape back to a family snapshot, for an object
 * registered with only `{ name, get() }`. Histograms and summaries are
 * regrouped by their labels (without `le` / `quantile`).
 */
export function fromMetricObject(name: string, o: Partial<MetricObjectWithValues>): FamilySnapshot {
  const help = typeof o?.help === "string" ? o.help : "";
  const values = Array.isArray(o?.values) ? o.values : [];
  const fname = typeof o?.name === "string" ? o.name : name;
  checkMetricName(fname); // a bad name fails the scrape by name, never an invalid page
  if (o?.type === "histogram" || o?.type === "summary") {
    const hist = o.type === "histogram";
    const special = hist ? "le" : "quantile";
    const groups = new Map<string, { rec: Record<string, string>; v: MetricValue[] }>();
    const points = new Set<number>();
    for (const v of values) {
      const { [special]: at, ...rest } = v.labels ?? {};
      const [names, vals, rec] = stringLabels(rest);
      const key = labelText(names, vals);
      let g = groups.get(key);
      if (!g) groups.set(key, g = { rec, v: [] });
      g.v.push(v);
      if (at !== undefined && at !== "+Inf") points.add(+at);
    }
    const sorted = [...points].sort((a, b) => a - b);
    const series = [...groups].map(([lt, g]) => {
      const by = (suffix: string) => g.v.find((v) => v.metricName === fname + suffix)?.value ?? 0;
      const at = (p: number | string) =>
        g.v.find((v) => v.labels?.[special] === p || +v.labels?.[special] === p)?.value;
      if (hist) {
        const counts: number[] = [];
        let prev = 0;
        for (const p of [...sorted, "+Inf"]) {
          const cum = at(p) ?? prev;
          counts.push(cum - prev);
          prev = cum;
        }
        return { labelText: lt, labels: g.rec, counts, sum: by("_sum"), count: by("_count") };
      }
      return {
        labelText: lt,
        labels: g.rec,
        quantiles: sorted.map((p) => at(p) ?? NaN),
        sum: by("_sum"),
        count: by("_count"),
      };
    });
    return (hist
      ? { name: fname, help, type: "histogram", buckets: sorted, series }
      : { name: fname, help, type: "summary", quantiles: sorted, series }) as FamilySnapshot;
  }
  const series = values.map((v) => {
    const [names, vals, rec] = stringLabels(v.labels);
    return { labelText: labelText(names, vals), labels: rec, value: +v.value };
  });
  const type = o?.type === "counter" ? "counter" : o?.type === "gauge" ? "gauge" : "untyped";
  return { name: fname, help, type, series } as FamilySnapshot;
}
