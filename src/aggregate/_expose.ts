/**
 * Merged families as registry entries: each is a `Collectable` whose
 * `collect()` returns a typed snapshot, so the aggregator's registry serves
 * them in every format (text, OpenMetrics, protobuf) and feeds anything that
 * reads `registry.collect()` (remote write).
 * @module
 */

import type {
  Collectable,
  CollectOptions,
  FamilySnapshot,
  NativeHistogramSnapshot,
} from "../collector.ts";
import { reservedNames } from "../_names.ts";
import type { Format } from "../exposition/format.ts";
import { protobufFormat } from "../exposition/protobuf.ts";
import { nativeRuns, nativeView } from "../metrics/_native.ts";
import { Sketch } from "../metrics/_sketch.ts";
import type { FamilyState, NativeState, SeriesState } from "./_state.ts";

const NO_VALUES = new Float64Array(0);
const PROTOBUF: readonly Format[] = [protobufFormat];

/**
 * A registry entry that reads whatever `series()` returns at scrape time,
 * in the family's schema.
 * @internal
 */
export class MergedFamily implements Collectable {
  readonly name: string;
  readonly reservedNames: readonly string[];
  /** A histogram may carry native parts: protobuf is offered for it. */
  readonly formats: readonly Format[];
  readonly #schema: FamilyState;
  readonly #series: () => SeriesState[];
  /** The last value written per counter series: a counter never goes back, even by rounding. */
  readonly #last = new Map<string, number>();

  constructor(schema: FamilyState, series: () => SeriesState[]) {
    this.name = schema.name;
    this.reservedNames = reservedNames(schema.type, schema.name);
    this.formats = schema.type === "histogram" ? PROTOBUF : [];
    this.#schema = schema;
    this.#series = series;
  }

  collect(options?: CollectOptions): FamilySnapshot {
    const f = this.#schema;
    const all = this.#series();
    const names = f.labelNames;
    const labelsOf = options?.labels === true
      ? (s: SeriesState) => {
        const out: Record<string, string> = {};
        for (let i = 0; i < names.length; i++) out[names[i]] = s.labels[i];
        // Gauge mode "source" adds one label after the family's own.
        if (s.labels.length > names.length) out.source = s.labels[names.length];
        return out;
      }
      : () => undefined;
    const head = { name: f.name, help: f.help, unit: f.unit };
    switch (f.type) {
      case "counter": {
        const last = this.#last;
        for (const s of all) {
          const before = last.get(s.labelText);
          if (before !== undefined && s.value < before) s.value = before;
          else last.set(s.labelText, s.value);
        }
        return {
          ...head,
          type: "counter",
          series: all.map((s) => ({
            labelText: s.labelText,
            labels: labelsOf(s),
            value: s.value,
            created: s.created,
          })),
        };
      }
      case "gauge":
        return {
          ...head,
          type: "gauge",
          series: all.map((s) => ({ labelText: s.labelText, labels: labelsOf(s), value: s.value })),
        };
      case "info":
        return {
          ...head,
          type: "info",
          series: all.map((s) => ({ labelText: s.labelText, labels: labelsOf(s) })),
        };
      case "histogram":
        return {
          ...head,
          type: "histogram",
          buckets: f.buckets!,
          series: all.map((s) => ({
            labelText: s.labelText,
            labels: labelsOf(s),
            counts: s.counts!,
            sum: s.sum,
            count: s.count,
            created: s.created,
            native: s.native && nativeSnapshot(s.native),
          })),
        };
      case "summary": {
        const qs = f.percentiles!;
        const scratch = new Sketch();
        return {
          ...head,
          type: "summary",
          quantiles: qs,
          series: all.map((s) => {
            let quantiles = NO_VALUES;
            if (qs.length > 0) {
              let sk = s.sketch;
              if (sk === undefined) {
                scratch.clear();
                for (const x of s.slots ?? []) scratch.merge(x.sketch);
                sk = scratch;
              }
              quantiles = new Float64Array(qs.length);
              sk.quantiles(qs, quantiles);
            }
            return {
              labelText: s.labelText,
              labels: labelsOf(s),
              quantiles,
              sum: s.sum,
              count: s.count,
              created: s.created,
            };
          }),
        };
      }
    }
  }
}

/** A merged series' native buckets in the snapshot's form. @internal */
function nativeSnapshot(n: NativeState): NativeHistogramSnapshot {
  return nativeView(n, nativeRuns(n.positive), nativeRuns(n.negative));
}
