/**
 * The one place that reads metric internals: a registry's metrics as a
 * {@link SourceState}. Everything else in `aggregate/` works on states.
 *
 * It reads each metric's series (`_all()`), unescapes their label text back
 * into values, and takes a Summary's sketch (or its window's live slots).
 * Collectables that are not one of the five metric classes (custom
 * collectors, default process metrics) are not carried: they describe one
 * process, not a share of a total.
 * @module
 */

import type { Registry } from "../registry.ts";
import { Counter } from "../metrics/counter.ts";
import { Gauge } from "../metrics/gauge.ts";
import { Histogram } from "../metrics/histogram.ts";
import { Summary } from "../metrics/summary.ts";
import { Info } from "../metrics/info.ts";
import { Sketch, WindowedSketch } from "../metrics/_sketch.ts";
import type { Collectable } from "../metrics/_metric.ts";
import type { FamilyState, SeriesState, SourceState, StateType } from "./_state.ts";

interface RawSeries {
  labelText: string;
  created: number;
  value?: number;
  counts?: Float64Array;
  sum?: number;
  count?: number;
  window?: Sketch | WindowedSketch;
}

function seriesOf(m: Collectable): RawSeries[] {
  return (m as unknown as { _all(): RawSeries[] })._all();
}

function typeOf(m: Collectable): StateType | undefined {
  if (m instanceof Counter) return "counter";
  if (m instanceof Gauge) return "gauge";
  if (m instanceof Histogram) return "histogram";
  if (m instanceof Summary) return "summary";
  if (m instanceof Info) return "info";
  return undefined;
}

/**
 * The registry's metrics as a state (after their collect hooks ran), with
 * window slots' expiry on the local clock `now` (ms).
 * @internal
 */
export async function extractState(
  registry: Registry,
  head: { source: string; seq: number; now: number },
): Promise<SourceState> {
  const families: FamilyState[] = [];
  for (const m of registry.getAll()) {
    const type = typeOf(m);
    if (type === undefined) continue;
    // encode() runs the collect hook, then returns lazy pieces that are never written.
    const hook = m.encode(false);
    if (hook instanceof Promise) await hook;
    const metric = m as Counter<string> | Gauge<string> | Histogram<string> | Summary<string>;
    const labelNames = [...metric.labelNames];
    const fam: FamilyState = {
      name: m.name,
      help: metric.help,
      type,
      unit: metric.unit,
      labelNames,
      series: [],
    };
    if (m instanceof Histogram) fam.buckets = [...m.buckets];
    if (m instanceof Summary) {
      fam.percentiles = [...m.percentiles];
      fam.maxAgeMs = m.maxAgeSeconds === undefined ? 0 : m.maxAgeSeconds * 1000;
    }
    for (const s of seriesOf(m)) {
      const out: SeriesState = {
        labels: unescapeLabels(s.labelText, labelNames.length),
        labelText: s.labelText,
        created: s.created,
        value: s.value ?? 0,
        sum: s.sum ?? 0,
        count: s.count ?? 0,
      };
      if (s.counts !== undefined) out.counts = Array.from(s.counts);
      const w = s.window;
      if (w instanceof WindowedSketch) {
        out.slots = w.liveSlots().map((x) => ({
          expiresAt: head.now + x.endsInMs,
          sketch: x.sketch,
        }));
      } else if (w instanceof Sketch) out.sketch = w;
      fam.series.push(out);
    }
    families.push(fam);
  }
  return { source: head.source, seq: head.seq, time: head.now, families };
}

/** The values of `a="x",b="y\"z"` in order (the label text a metric writes). */
export function unescapeLabels(text: string, n: number): string[] {
  const out: string[] = new Array(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    p = text.indexOf('="', p) + 2;
    // Most values have no escapes: one slice.
    let end = p;
    while (text.charCodeAt(end) !== 34 && text.charCodeAt(end) !== 92) end++;
    let v = text.slice(p, end);
    p = end;
    if (text.charCodeAt(p) === 92) {
      for (;;) {
        const c = text[p++];
        if (c === '"') break;
        if (c === "\\") {
          const e = text[p++];
          v += e === "n" ? "\n" : e;
        } else v += c;
      }
    } else p++;
    out[i] = v;
    p++; // the comma
  }
  return out;
}
