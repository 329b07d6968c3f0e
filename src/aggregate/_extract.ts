/**
 * A registry's families as a {@link SourceState}: the one place that reads
 * a registry for aggregation. Everything else in `aggregate/` works on states.
 *
 * Values, labels, buckets and native histograms come from
 * `registry.collect()` (raw labels included). A summary's snapshot has quantiles,
 * which cannot be merged, so its sketch (or its window's live slots) is read
 * from the Summary itself, with the sum and count it belongs to.
 *
 * Only registered metrics (and other `Collectable`s) are carried; custom
 * collectors (the default process metrics among them) describe one process,
 * not a share of a total, and are left out, as are summaries whose sketch
 * cannot be read and `untyped` families.
 * @module
 */

import type {
  BucketSpan,
  FamilySnapshot,
  HistogramFamilySnapshot,
  NativeHistogramSnapshot,
  SeriesSnapshot,
  SummaryFamilySnapshot,
} from "../collector.ts";
import type { Registry } from "../registry.ts";
import { Summary } from "../metrics/summary.ts";
import { Sketch, WindowedSketch } from "../metrics/_sketch.ts";
import type { FamilyState, NativeState, SeriesState, SourceState } from "./_state.ts";

/**
 * Registered objects that keep their series in a core Summary they hold (the
 * prom-client entry's Summary), mapped to it: a summary's sketch is read from
 * the Summary itself, which a registry does not see behind such a shell.
 * @internal
 */
export const summaryBehind: WeakMap<object, Summary<string>> = new WeakMap();

/**
 * Collects the registry's metrics (running their collect hooks), then
 * returns a function that reads them as a state, synchronously: call it and
 * encode its result in the same turn, so no observation lands between a
 * summary's count and its sketch. `now` (ms, local clock) dates the state
 * and the window slots' expiry.
 * @internal
 */
export async function collectState(
  registry: Registry,
): Promise<(head: { source: string; seq: number; now: number; start?: number }) => SourceState> {
  const metrics = registry.getAll();
  const snapshots = metrics.length === 0
    ? []
    : await registry.collect({ names: metrics.map((m) => m.name), quantiles: false });
  return (head) => {
    const families: FamilyState[] = [];
    for (const snap of snapshots) {
      const m = registry.get(snap.name);
      if (m === undefined) continue;
      const declared = (m as { labelNames?: unknown }).labelNames;
      const fam = familyOf(snap, Array.isArray(declared) ? declared : undefined, m, head.now);
      if (fam !== undefined) families.push(fam);
    }
    return { source: head.source, seq: head.seq, time: head.now, start: head.start, families };
  };
}

function familyOf(
  snap: FamilySnapshot,
  declared: readonly string[] | undefined,
  metric: unknown,
  now: number,
): FamilyState | undefined {
  if (snap.type === "untyped") return undefined;
  const labelNames = declared ? [...declared] : Object.keys(snap.series[0]?.labels ?? {});
  const fam: FamilyState = {
    name: snap.name,
    help: snap.help,
    type: snap.type,
    unit: snap.unit,
    labelNames,
    series: [],
  };
  switch (snap.type) {
    case "counter":
    case "gauge":
      for (const s of snap.series) {
        fam.series.push(base(s, labelNames, s.created ?? 0, s.value));
      }
      return fam;
    case "info":
      for (const s of snap.series) fam.series.push(base(s, labelNames, 0, 0));
      return fam;
    case "histogram":
      histogram(fam, snap);
      return fam;
    case "summary": {
      const core = metric instanceof Summary
        ? metric
        : typeof metric === "object" && metric !== null
        ? summaryBehind.get(metric)
        : undefined;
      return core === undefined ? undefined : summary(fam, snap, core, now);
    }
  }
}

function base(s: SeriesSnapshot, names: readonly string[], created: number, value: number) {
  const labels = s.labels ?? {};
  const out: SeriesState = {
    labels: names.map((n) => labels[n] ?? ""),
    labelText: s.labelText,
    created,
    value,
    sum: 0,
    count: 0,
  };
  return out;
}

function histogram(fam: FamilyState, snap: HistogramFamilySnapshot): void {
  fam.buckets = [...snap.buckets];
  for (const s of snap.series) {
    const out = base(s, fam.labelNames, s.created ?? 0, 0);
    out.counts = Array.from(s.counts);
    out.sum = s.sum;
    out.count = s.count;
    if (s.native !== undefined) out.native = nativeOf(s.native);
    fam.series.push(out);
  }
}

/** Spans and deltas (the snapshot's form) as index -> count maps. */
export function nativeOf(n: NativeHistogramSnapshot): NativeState {
  return {
    schema: n.schema,
    zeroThreshold: n.zeroThreshold,
    zeroCount: n.zeroCount,
    positive: bucketsOf(n.positiveSpans, n.positiveDeltas),
    negative: bucketsOf(n.negativeSpans, n.negativeDeltas),
  };
}

function bucketsOf(spans: readonly BucketSpan[], deltas: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  let k = 0, d = 0, count = 0;
  for (let i = 0; i < spans.length; i++) {
    k += spans[i].offset;
    for (let j = 0; j < spans[i].length; j++, k++) {
      count += deltas[d++];
      if (count !== 0) out.set(k, count);
    }
  }
  return out;
}

function summary(
  fam: FamilyState,
  snap: SummaryFamilySnapshot,
  metric: Summary<string>,
  now: number,
): FamilyState {
  fam.percentiles = [...snap.quantiles];
  fam.maxAgeMs = metric.maxAgeSeconds === undefined ? 0 : metric.maxAgeSeconds * 1000;
  // Labels and created times from the snapshot; sum, count and sketch read
  // together now (an observation since the snapshot is in all three or none).
  // Matched by the metric's own label values: a snapshot's label text also
  // carries the registry's default labels, the summary's does not.
  const names = fam.labelNames;
  const key = (labels: Readonly<Record<string, string>> | undefined) =>
    JSON.stringify(names.map((n) => labels?.[n] ?? ""));
  const bySeries = new Map<string, SeriesSnapshot & { created?: number }>();
  for (const s of snap.series) bySeries.set(key(s.labels), s);
  for (const live of metric._sketches()) {
    const s = bySeries.get(key(live.labels));
    if (s === undefined) continue; // made since the snapshot: in the next state
    const out = base(s, names, s.created ?? 0, 0);
    out.sum = live.sum;
    out.count = live.count;
    const w = live.window;
    if (w instanceof WindowedSketch) {
      out.slots = w.liveSlots().map((x) => ({ expiresAt: now + x.endsInMs, sketch: x.sketch }));
    } else if (w instanceof Sketch) out.sketch = w;
    fam.series.push(out);
  }
  return fam;
}
