/**
 * The Prometheus text format 0.0.4: `# HELP` and `# TYPE` per family, one
 * line per sample, names as registered (a counter keeps its name, `_total`
 * or not), no `_created`, no `# UNIT`.
 * @module
 */

import type {
  CounterFamilySnapshot,
  GaugeFamilySnapshot,
  HistogramFamilySnapshot,
  InfoFamilySnapshot,
  SummaryFamilySnapshot,
  ValueSeriesSnapshot,
} from "../collector.ts";
import { infoFamily } from "../_names.ts";
import { escapeHelp, formatValue, leTexts, quantileTexts } from "./_escape.ts";
import type { Format, FormatWriter } from "./format.ts";

/** The Content-Type of the Prometheus text format 0.0.4. */
export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function header(name: string, help: string, type: string): string {
  return "# HELP " + name + " " + escapeHelp(help, false) + "\n# TYPE " + name + " " + type +
    "\n";
}

/** One sample line. @internal */
export function line(name: string, labelText: string, value: number): string {
  return labelText === ""
    ? name + " " + formatValue(value) + "\n"
    : name + "{" + labelText + "} " + formatValue(value) + "\n";
}

function values(
  name: string,
  series: readonly ValueSeriesSnapshot[],
  from: number,
  to: number,
  out: string,
): string {
  for (let i = from; i < to; i++) out += line(name, series[i].labelText, series[i].value);
  return out;
}

const writer: FormatWriter = {
  counter(f: CounterFamilySnapshot, from: number, to: number): string {
    return values(f.name, f.series, from, to, from === 0 ? header(f.name, f.help, "counter") : "");
  },
  gauge(f: GaugeFamilySnapshot, from: number, to: number): string {
    return values(f.name, f.series, from, to, from === 0 ? header(f.name, f.help, f.type) : "");
  },
  info(f: InfoFamilySnapshot, from: number, to: number): string {
    const sample = infoFamily(f.name) + "_info";
    let out = from === 0 ? header(sample, f.help, "gauge") : "";
    for (let i = from; i < to; i++) out += line(sample, f.series[i].labelText, 1);
    return out;
  },
  histogram(f: HistogramFamilySnapshot, from: number, to: number): string {
    const name = f.name;
    let out = from === 0 ? header(name, f.help, "histogram") : "";
    const les = leTexts(f.buckets);
    const bucket = name + "_bucket{";
    for (let i = from; i < to; i++) {
      const s = f.series[i];
      const lt = s.labelText;
      const prefix = lt === "" ? bucket : bucket + lt + ",";
      const counts = s.counts;
      let cum = 0;
      for (let b = 0; b < les.length; b++) {
        cum += counts[b];
        out += prefix + les[b] + "} " + cum + "\n";
      }
      out += line(name + "_sum", lt, s.sum);
      out += line(name + "_count", lt, s.count);
    }
    return out;
  },
  summary(f: SummaryFamilySnapshot, from: number, to: number): string {
    const name = f.name;
    let out = from === 0 ? header(name, f.help, "summary") : "";
    const qs = quantileTexts(f.quantiles);
    const open = name + "{";
    for (let i = from; i < to; i++) {
      const s = f.series[i];
      const lt = s.labelText;
      const prefix = lt === "" ? open : open + lt + ",";
      for (let q = 0; q < qs.length; q++) {
        out += prefix + qs[q] + "} " + formatValue(s.quantiles[q]) + "\n";
      }
      out += line(name + "_sum", lt, s.sum);
      out += line(name + "_count", lt, s.count);
    }
    return out;
  },
  end(): string {
    return "";
  },
};

/**
 * The text format 0.0.4, what every Prometheus reads; the fallback when the
 * Accept header names nothing else this library serves.
 */
export const textFormat: Format = {
  name: "text",
  contentType: TEXT_CONTENT_TYPE,
  needsLabels: false,
  nativeHistograms: false,
  accepts(type: string, params: Readonly<Record<string, string>>): boolean {
    if (type === "*/*" || type === "text/*") return true;
    return type === "text/plain" && (params.version === undefined || params.version === "0.0.4");
  },
  writer(): FormatWriter {
    return writer;
  },
};
