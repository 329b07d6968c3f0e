/**
 * Merged families as registry entries: the one place `aggregate/` meets the
 * exposition writers (to be rewired to the typed snapshot when it lands).
 * @module
 */

import {
  counterFamily,
  infoFamily,
  leTexts,
  quantileTexts,
  type SummarySample,
  writeCounter,
  writeGauge,
  writeHistogram,
  writeInfo,
  writeSummary,
} from "../exposition/_encode.ts";
import type { Collectable } from "../metrics/_metric.ts";
import { Sketch } from "../metrics/_sketch.ts";
import type { FamilyState, SeriesState } from "./_state.ts";

/** The sample names a family of this shape writes, for the registry's collision check. @internal */
export function reservedNamesOf(f: FamilyState): string[] {
  const n = f.name;
  switch (f.type) {
    case "counter": {
      const fam = counterFamily(n);
      return [n, fam, fam + "_total", fam + "_created"];
    }
    case "histogram":
      return [n, n + "_bucket", n + "_sum", n + "_count", n + "_created"];
    case "summary":
      return [n, n + "_sum", n + "_count", n + "_created"];
    case "info": {
      const fam = infoFamily(n);
      return [n, fam, fam + "_info"];
    }
    default:
      return [n];
  }
}

/**
 * A registry entry that writes whatever `series()` returns at scrape time,
 * in the family's schema.
 * @internal
 */
export class MergedFamily implements Collectable {
  readonly name: string;
  readonly reservedNames: readonly string[];
  readonly #schema: FamilyState;
  readonly #series: () => SeriesState[];
  readonly #texts: string[];
  /** The last value written per counter series: a counter never goes back, even by rounding. */
  readonly #last = new Map<string, number>();

  constructor(schema: FamilyState, series: () => SeriesState[]) {
    this.name = schema.name;
    this.reservedNames = reservedNamesOf(schema);
    this.#schema = schema;
    this.#series = series;
    this.#texts = schema.type === "histogram"
      ? leTexts(schema.buckets!)
      : schema.type === "summary"
      ? quantileTexts(schema.percentiles!)
      : [];
  }

  encode(om: boolean): Iterable<string> {
    const f = this.#schema;
    const all = this.#series();
    switch (f.type) {
      case "counter": {
        const last = this.#last;
        for (const s of all) {
          const before = last.get(s.labelText);
          if (before !== undefined && s.value < before) s.value = before;
          else last.set(s.labelText, s.value);
        }
        return [writeCounter(f.name, f.help, f.unit, all, om)];
      }
      case "gauge":
        return [writeGauge(f.name, f.help, f.unit, all, om)];
      case "info":
        return [writeInfo(f.name, f.help, all, om)];
      case "histogram": {
        const negative = f.buckets!.length > 0 && f.buckets![0] < 0;
        return [
          writeHistogram(f.name, f.help, f.unit, this.#texts, all as never, om, true, negative),
        ];
      }
      case "summary": {
        const qs = f.percentiles!;
        const scratch = new Sketch();
        const samples: SummarySample[] = all.map((s) => {
          let quantiles: Float64Array | undefined;
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
            quantiles,
            sum: s.sum,
            count: s.count,
            created: s.created,
          };
        });
        return [writeSummary(f.name, f.help, f.unit, this.#texts, samples, om)];
      }
    }
  }
}
