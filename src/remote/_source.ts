/**
 * The one adapter from a {@link Registry} to the families remote write sends:
 * `registry.collect()` snapshots mapped to {@link RemoteFamily}s. Counters are
 * sent as `<family>_total` and info as `<family>_info` (the OpenMetrics sample
 * names, what Prometheus stores when it scrapes them); classic buckets become
 * cumulative `{ le, count }` with `+Inf` last; times go from seconds to
 * milliseconds. Created times, exemplars (a counter's, one per classic bucket,
 * a native histogram's) and native histograms pass through as the snapshot
 * has them.
 * @module
 */

import type {
  Exemplar,
  FamilySnapshot,
  HistogramFamilySnapshot,
  HistogramSeriesSnapshot,
  NativeHistogramSnapshot,
} from "../collector.ts";
import { counterFamily, infoFamily } from "../_names.ts";
import type { Registry } from "../registry.ts";
import type {
  RemoteBucket,
  RemoteExemplar,
  RemoteFamily,
  RemoteFamilySeries,
  RemoteNativeHistogram,
} from "./family.ts";

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** Epoch seconds to whole milliseconds; 0 or absent: undefined (unknown). */
function ms(seconds: number | undefined): number | undefined {
  return seconds ? Math.round(seconds * 1000) : undefined;
}

function exemplarOf(e: Exemplar): RemoteExemplar {
  return { labels: e.labels, value: e.value, timestamp: ms(e.timestamp) };
}

function nativeOf(s: HistogramSeriesSnapshot, n: NativeHistogramSnapshot): RemoteNativeHistogram {
  return {
    schema: n.schema,
    zeroThreshold: n.zeroThreshold,
    zeroCount: n.zeroCount,
    count: s.count,
    sum: s.sum,
    positiveSpans: n.positiveSpans,
    positiveDeltas: n.positiveDeltas,
    negativeSpans: n.negativeSpans,
    negativeDeltas: n.negativeDeltas,
  };
}

/**
 * One histogram series: the native part when there is one; classic buckets
 * unless the histogram is native only (no classic bounds beside its native
 * part), with `_sum` and `_count` beside them.
 */
function histogramSeries(f: HistogramFamilySnapshot, s: HistogramSeriesSnapshot) {
  const out: RemoteFamilySeries = { labels: s.labels ?? NO_LABELS, created: ms(s.created) };
  if (s.native !== undefined) {
    out.native = nativeOf(s, s.native);
    if (s.native.exemplars && s.native.exemplars.length > 0) {
      out.exemplars = s.native.exemplars.map(exemplarOf);
    }
    if (f.buckets.length === 0) return out;
  }
  const bounds = f.buckets, counts = s.counts, ex = s.exemplars;
  const buckets: RemoteBucket[] = new Array(bounds.length + 1);
  let cumulative = 0;
  for (let i = 0; i <= bounds.length; i++) {
    cumulative += counts[i];
    const e = ex?.[i];
    buckets[i] = {
      le: i < bounds.length ? bounds[i] : Infinity,
      count: cumulative,
      exemplar: e === undefined ? undefined : exemplarOf(e),
    };
  }
  out.buckets = buckets;
  out.count = s.count;
  out.sum = s.sum;
  return out;
}

/** A snapshot family as remote write sends it. */
function remoteFamily(f: FamilySnapshot): RemoteFamily {
  const base = { help: f.help, unit: f.unit };
  switch (f.type) {
    case "counter":
      return {
        ...base,
        name: counterFamily(f.name) + "_total",
        type: "counter",
        series: f.series.map((s) => ({
          labels: s.labels ?? NO_LABELS,
          value: s.value,
          created: ms(s.created),
          exemplar: s.exemplar === undefined ? undefined : exemplarOf(s.exemplar),
        })),
      };
    case "gauge":
    case "untyped":
      return {
        ...base,
        name: f.name,
        type: f.type,
        series: f.series.map((s) => ({ labels: s.labels ?? NO_LABELS, value: s.value })),
      };
    case "info":
      return {
        name: infoFamily(f.name) + "_info",
        type: "info",
        help: f.help,
        series: f.series.map((s) => ({ labels: s.labels ?? NO_LABELS, value: 1 })),
      };
    case "summary":
      return {
        ...base,
        name: f.name,
        type: "summary",
        series: f.series.map((s) => ({
          labels: s.labels ?? NO_LABELS,
          quantiles: f.quantiles.map((quantile, i) => ({ quantile, value: s.quantiles[i] })),
          count: s.count,
          sum: s.sum,
          created: ms(s.created),
        })),
      };
    case "histogram":
      return {
        ...base,
        name: f.name,
        type: "histogram",
        series: f.series.map((s) => histogramSeries(f, s)),
      };
  }
}

/** Reads the families of `registry` now. */
export async function familiesOf(registry: Registry): Promise<RemoteFamily[]> {
  return (await registry.collect()).map(remoteFamily);
}
