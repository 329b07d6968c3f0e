/**
 * OpenMetrics 1.0: `# TYPE`, `# UNIT`, `# HELP` per family under the family
 * name (a counter without `_total`), `_total` samples, `_created` only when
 * asked for, exemplars, and the rules that are OpenMetrics' alone: no
 * negative `_sum`, no negative quantile, `# EOF` at the end.
 * @module
 */

import type {
  CounterFamilySnapshot,
  Exemplar,
  GaugeFamilySnapshot,
  HistogramFamilySnapshot,
  InfoFamilySnapshot,
  SummaryFamilySnapshot,
} from "../collector.ts";
import { counterFamily, infoFamily } from "../_names.ts";
import { escapeHelp, escapeLabelValue, formatValue, leTexts, quantileTexts } from "./_escape.ts";
import type { Format, FormatWriter, PageOptions } from "./format.ts";
import { line } from "./text.ts";

/** The Content-Type of OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE =
  "application/openmetrics-text; version=1.0.0; charset=utf-8";

function header(name: string, help: string, type: string, unit: string | undefined): string {
  return "# TYPE " + name + " " + type + "\n" +
    (unit ? "# UNIT " + name + " " + unit + "\n" : "") +
    "# HELP " + name + " " + escapeHelp(help, true) + "\n";
}

/** ` # {labels} value [timestamp]` after a sample line's value. */
function exemplarText(e: Exemplar): string {
  let labels = "";
  for (const k in e.labels) {
    labels += (labels ? "," : "") + k + '="' + escapeLabelValue(e.labels[k]) + '"';
  }
  return " # {" + labels + "} " + formatValue(e.value) +
    (e.timestamp === undefined ? "" : " " + e.timestamp);
}

/** `line()` with an exemplar before the newline. */
function lineWith(name: string, labelText: string, value: number, e: Exemplar | undefined): string {
  const l = line(name, labelText, value);
  return e === undefined ? l : l.slice(0, -1) + exemplarText(e) + "\n";
}

function makeWriter(created: boolean): FormatWriter {
  return {
    counter(f: CounterFamilySnapshot, from: number, to: number): string {
      const fam = counterFamily(f.name);
      const total = fam + "_total";
      const createdName = fam + "_created";
      let out = from === 0 ? header(fam, f.help, "counter", f.unit) : "";
      for (let i = from; i < to; i++) {
        const s = f.series[i];
        out += s.exemplar === undefined
          ? line(total, s.labelText, s.value)
          : lineWith(total, s.labelText, s.value, s.exemplar);
        if (created && s.created) out += line(createdName, s.labelText, s.created);
      }
      return out;
    },
    gauge(f: GaugeFamilySnapshot, from: number, to: number): string {
      const type = f.type === "untyped" ? "unknown" : "gauge";
      let out = from === 0 ? header(f.name, f.help, type, f.unit) : "";
      for (let i = from; i < to; i++) out += line(f.name, f.series[i].labelText, f.series[i].value);
      return out;
    },
    info(f: InfoFamilySnapshot, from: number, to: number): string {
      const fam = infoFamily(f.name);
      const sample = fam + "_info";
      let out = from === 0 ? header(fam, f.help, "info", undefined) : "";
      for (let i = from; i < to; i++) out += line(sample, f.series[i].labelText, 1);
      return out;
    },
    histogram(f: HistogramFamilySnapshot, from: number, to: number): string {
      const name = f.name;
      let out = from === 0 ? header(name, f.help, "histogram", f.unit) : "";
      const les = leTexts(f.buckets);
      const nb = les.length;
      const bucket = name + "_bucket{";
      // _sum is a counter here: never negative, and left out beside negative
      // buckets; _count goes with it (the +Inf bucket still carries the count).
      const negativeBuckets = f.buckets.length > 0 && f.buckets[0] < 0;
      for (let i = from; i < to; i++) {
        const s = f.series[i];
        const lt = s.labelText;
        const prefix = lt === "" ? bucket : bucket + lt + ",";
        const counts = s.counts;
        const ex = s.exemplars;
        let cum = 0;
        for (let b = 0; b < nb; b++) {
          cum += counts[b];
          const e = ex?.[b];
          out += prefix + les[b] + "} " + cum +
            (e === undefined ? "\n" : exemplarText(e) + "\n");
        }
        if (s.sum >= 0 && !negativeBuckets) {
          out += line(name + "_sum", lt, s.sum);
          out += line(name + "_count", lt, s.count);
        }
        if (created && s.created) out += line(name + "_created", lt, s.created);
      }
      return out;
    },
    summary(f: SummaryFamilySnapshot, from: number, to: number): string {
      const name = f.name;
      let out = from === 0 ? header(name, f.help, "summary", f.unit) : "";
      const qs = quantileTexts(f.quantiles);
      const open = name + "{";
      for (let i = from; i < to; i++) {
        const s = f.series[i];
        const lt = s.labelText;
        const prefix = lt === "" ? open : open + lt + ",";
        for (let q = 0; q < qs.length; q++) {
          const v = s.quantiles[q];
          // No negative quantile values here; text 0.0.4 keeps them.
          if (!(v < 0)) out += prefix + qs[q] + "} " + formatValue(v) + "\n";
        }
        if (s.sum >= 0) {
          out += line(name + "_sum", lt, s.sum);
          out += line(name + "_count", lt, s.count);
        }
        if (created && s.created) out += line(name + "_created", lt, s.created);
      }
      return out;
    },
    end(): string {
      return "# EOF\n";
    },
  };
}

const plain = makeWriter(false);
const withCreated = makeWriter(true);

/** OpenMetrics 1.0 (`application/openmetrics-text`, versions 1.0.0 and 0.0.1). */
export const openMetricsFormat: Format = {
  name: "openmetrics",
  contentType: OPENMETRICS_CONTENT_TYPE,
  needsLabels: false,
  nativeHistograms: false,
  accepts(type: string, params: Readonly<Record<string, string>>): boolean {
    const v = params.version;
    return type === "application/openmetrics-text" &&
      (v === undefined || v === "1.0.0" || v === "0.0.1");
  },
  writer(options?: PageOptions): FormatWriter {
    return options?.createdTimestamps === true ? withCreated : plain;
  },
};
