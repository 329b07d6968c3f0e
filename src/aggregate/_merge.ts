/**
 * Merge rules: counters, histogram buckets and summary `_sum`/`_count` add;
 * native histogram buckets merge at the lower schema (see `_native.ts`);
 * summary sketches merge (window slots are kept until they leave the
 * window); gauges follow the family's {@link GaugeMode}; info label sets
 * unite.
 * @module
 */

import { Sketch } from "../metrics/_sketch.ts";
import { copyNative, mergeNative } from "./_native.ts";
import type { FamilyState, SeriesState } from "./_state.ts";

/**
 * How the gauges of one family from several sources become one value:
 * `sum`, `min`, `max`, `average` (the mean over the sources that have the
 * series), `last` (the latest received), `first` (one source's: the first,
 * by source id, that has the series; for values every source has alike),
 * or `source` (one series per source, with a `source` label).
 */
export type GaugeMode = "sum" | "min" | "max" | "average" | "last" | "first" | "source";

/** Every {@link GaugeMode}. @internal */
export const GAUGE_MODES: readonly GaugeMode[] = [
  "sum",
  "min",
  "max",
  "average",
  "last",
  "first",
  "source",
];

/** One source's share of a family. @internal */
export interface Part {
  fam: FamilyState;
  source: string;
  receivedAt: number;
}

function blank(s: SeriesState, nb: number): SeriesState {
  return {
    labels: s.labels,
    labelText: s.labelText,
    created: s.created,
    value: 0,
    sum: 0,
    count: 0,
    counts: nb > 0 ? new Array(nb).fill(0) : undefined,
  };
}

/**
 * Adds the cumulative parts (counters, histograms, summaries) in the order
 * given, so the same inputs always give the same floating-point sums.
 * Window slots that ended before `now` are left out.
 * @internal
 */
export function addParts(
  schema: FamilyState,
  parts: readonly FamilyState[],
  now: number,
): SeriesState[] {
  const out = new Map<string, SeriesState>();
  const nb = schema.type === "histogram" ? schema.buckets!.length + 1 : 0;
  const windowed = schema.type === "summary" && !!schema.maxAgeMs;
  const sketched = schema.type === "summary" && schema.percentiles!.length > 0;
  for (const fam of parts) {
    for (const s of fam.series) {
      let m = out.get(s.labelText);
      if (m === undefined) {
        out.set(s.labelText, m = blank(s, nb));
        if (sketched && !windowed) m.sketch = new Sketch();
        if (windowed) m.slots = [];
        if (s.native !== undefined) m.native = copyNative(s.native);
      } else if (m.native !== undefined) {
        // Native buckets only when every part has them: else they would not add up to the count.
        if (s.native === undefined) m.native = undefined;
        else mergeNative(m.native, s.native);
      }
      if (s.created < m.created) m.created = s.created;
      m.value += s.value;
      m.sum += s.sum;
      m.count += s.count;
      if (nb > 0) {
        const c = m.counts!;
        for (let i = 0; i < nb; i++) c[i] += s.counts![i];
      }
      if (m.sketch !== undefined && s.sketch !== undefined) m.sketch.merge(s.sketch);
      if (m.slots !== undefined && s.slots !== undefined) {
        for (const x of s.slots) if (x.expiresAt > now) m.slots.push(x);
      }
    }
  }
  return [...out.values()];
}

/** The gauge series of the live parts, merged by `mode`. @internal */
export function mergeGauges(parts: readonly Part[], mode: GaugeMode): SeriesState[] {
  const out = new Map<string, SeriesState & { at: number; n: number }>();
  for (const { fam, source, receivedAt } of parts) {
    for (const s of fam.series) {
      if (mode === "source") {
        const labels = [...s.labels, source];
        const labelText = (s.labelText ? s.labelText + "," : "") + 'source="' +
          source.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : "\\" + c)) + '"';
        out.set(labelText, { ...s, labels, labelText, at: receivedAt, n: 1 });
        continue;
      }
      const m = out.get(s.labelText);
      if (m === undefined) {
        out.set(s.labelText, { ...s, at: receivedAt, n: 1 });
        continue;
      }
      const v = s.value;
      m.n++;
      switch (mode) {
        case "sum":
        case "average":
          m.value += v;
          break;
        case "min":
          if (v < m.value || Number.isNaN(m.value)) m.value = v;
          break;
        case "max":
          if (v > m.value || Number.isNaN(m.value)) m.value = v;
          break;
        case "last":
          if (receivedAt >= m.at) {
            m.value = v;
            m.at = receivedAt;
          }
          // "first": the parts come in source-id order, and the first one's value stays.
      }
    }
  }
  const merged = [...out.values()];
  if (mode === "average") { for (const m of merged) m.value /= m.n; }
  return merged;
}

/** The info label sets of the live parts, each once. @internal */
export function uniteInfo(parts: readonly FamilyState[]): SeriesState[] {
  const out = new Map<string, SeriesState>();
  for (const fam of parts) for (const s of fam.series) out.set(s.labelText, s);
  return [...out.values()];
}
