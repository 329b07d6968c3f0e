/**
 * Writers for one metric family in text 0.0.4 or OpenMetrics 1.0. Every
 * metric type and custom collector goes through these, so both formats are
 * written in one place.
 * @module
 */

import { escapeHelp, formatBound, formatValue } from "../metrics/_names.ts";

/** A series with one value. @internal */
export interface ScalarSample {
  readonly labelText: string;
  readonly value: number;
  readonly created?: number;
}

/** A histogram series: counts per bucket, not cumulative, the last for +Inf. @internal */
export interface HistogramSample {
  readonly labelText: string;
  readonly counts: ArrayLike<number>;
  readonly sum: number;
  readonly count: number;
  readonly created: number;
}

/** A summary series with its quantile values in the family's quantile order. @internal */
export interface SummarySample {
  readonly labelText: string;
  readonly quantiles: ArrayLike<number> | undefined;
  readonly sum: number;
  readonly count: number;
  readonly created: number;
}

/** Writes `# HELP`/`# TYPE` (and `# UNIT` in OpenMetrics). @internal */
export function header(
  name: string,
  help: string,
  type: string,
  unit: string | undefined,
  om: boolean,
): string {
  if (om) {
    return "# TYPE " + name + " " + type + "\n" +
      (unit ? "# UNIT " + name + " " + unit + "\n" : "") +
      "# HELP " + name + " " + escapeHelp(help, true) + "\n";
  }
  return "# HELP " + name + " " + escapeHelp(help, false) + "\n# TYPE " +
    name + " " + type + "\n";
}

function line(name: string, labelText: string, value: number): string {
  return labelText === ""
    ? name + " " + formatValue(value) + "\n"
    : name + "{" + labelText + "} " + formatValue(value) + "\n";
}

/** The OpenMetrics family name of a counter: the name without `_total`. @internal */
export function counterFamily(name: string): string {
  return name.endsWith("_total") ? name.slice(0, -6) : name;
}

/** The family name of an info metric: the name without `_info`. @internal */
export function infoFamily(name: string): string {
  return name.endsWith("_info") ? name.slice(0, -5) : name;
}

/** Writes a counter family. @internal */
export function writeCounter(
  name: string,
  help: string,
  unit: string | undefined,
  series: readonly ScalarSample[],
  om: boolean,
  head = true,
): string {
  if (!om) {
    let out = head ? header(name, help, "counter", unit, false) : "";
    for (let i = 0; i < series.length; i++) {
      out += line(name, series[i].labelText, series[i].value);
    }
    return out;
  }
  const fam = counterFamily(name);
  const total = fam + "_total";
  const created = fam + "_created";
  let out = head ? header(fam, help, "counter", unit, true) : "";
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    out += line(total, s.labelText, s.value);
    if (s.created !== undefined) out += line(created, s.labelText, s.created);
  }
  return out;
}

/** Writes a gauge or untyped family. @internal */
export function writeGauge(
  name: string,
  help: string,
  unit: string | undefined,
  series: readonly ScalarSample[],
  om: boolean,
  type: "gauge" | "untyped" = "gauge",
  head = true,
): string {
  let out = head ? header(name, help, om && type === "untyped" ? "unknown" : type, unit, om) : "";
  for (let i = 0; i < series.length; i++) {
    out += line(name, series[i].labelText, series[i].value);
  }
  return out;
}

/** Writes an info family: `name_info{...} 1` (a gauge in text 0.0.4). @internal */
export function writeInfo(
  name: string,
  help: string,
  series: readonly { readonly labelText: string }[],
  om: boolean,
  head = true,
): string {
  const fam = infoFamily(name);
  const sample = fam + "_info";
  let out = !head
    ? ""
    : om
    ? header(fam, help, "info", undefined, true)
    : header(sample, help, "gauge", undefined, false);
  for (let i = 0; i < series.length; i++) {
    out += line(sample, series[i].labelText, 1);
  }
  return out;
}

/** The `le="..."` texts for the bounds, +Inf last. @internal */
export function leTexts(bounds: readonly number[]): string[] {
  return [...bounds, Infinity].map((b) => 'le="' + formatBound(b) + '"');
}

/** The `quantile="..."` texts for the quantiles. @internal */
export function quantileTexts(qs: readonly number[]): string[] {
  return qs.map((q) => 'quantile="' + formatBound(q) + '"');
}

/** Writes a histogram family; `les` from {@link leTexts}. @internal */
export function writeHistogram(
  name: string,
  help: string,
  unit: string | undefined,
  les: readonly string[],
  series: readonly HistogramSample[],
  om: boolean,
  head = true,
  negativeBuckets = false,
): string {
  let out = head ? header(name, help, "histogram", unit, om) : "";
  const bucket = name + "_bucket{";
  const nb = les.length;
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    const lt = s.labelText;
    const prefix = lt === "" ? bucket : bucket + lt + ",";
    const counts = s.counts;
    let cum = 0;
    for (let b = 0; b < nb; b++) {
      cum += counts[b];
      out += prefix + les[b] + "} " + cum + "\n";
    }
    // OpenMetrics: _sum is a counter, never negative, and absent with negative
    // buckets; _count goes with it (the +Inf bucket still carries the count).
    if (!om || (s.sum >= 0 && !negativeBuckets)) {
      out += line(name + "_sum", lt, s.sum);
      out += line(name + "_count", lt, s.count);
    }
    if (om) out += line(name + "_created", lt, s.created);
  }
  return out;
}

/** Writes a summary family; `qs` from {@link quantileTexts}. @internal */
export function writeSummary(
  name: string,
  help: string,
  unit: string | undefined,
  qs: readonly string[],
  series: readonly SummarySample[],
  om: boolean,
  head = true,
): string {
  let out = head ? header(name, help, "summary", unit, om) : "";
  const open = name + "{";
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    const lt = s.labelText;
    const values = s.quantiles;
    if (values !== undefined) {
      const prefix = lt === "" ? open : open + lt + ",";
      for (let q = 0; q < qs.length; q++) {
        // OpenMetrics forbids negative quantile values; text 0.0.4 keeps them.
        if (!om || !(values[q] < 0)) out += prefix + qs[q] + "} " + formatValue(values[q]) + "\n";
      }
    }
    // OpenMetrics: _sum is a counter, never negative; _count goes with it.
    if (!om || s.sum >= 0) {
      out += line(name + "_sum", lt, s.sum);
      out += line(name + "_count", lt, s.count);
    }
    if (om) out += line(name + "_created", lt, s.created);
  }
  return out;
}
