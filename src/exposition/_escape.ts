/**
 * Escaping and number formatting for the text formats (0.0.4 and
 * OpenMetrics), and the label text of a series: the one place these
 * rules are written.
 * @module
 */

/** Escapes a label value for both exposition formats: `\`, `"` and newline. */
export function escapeLabelValue(v: string): string {
  // A scan, not the regex, for the common short value: it runs per series per scrape.
  let i = 0;
  for (; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 92 || c === 34 || c === 10) break;
  }
  if (i === v.length) return v;
  return v.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : "\\" + c);
}

/** Escapes HELP text: text 0.0.4 escapes `\` and newline, OpenMetrics also `"`. */
export function escapeHelp(help: string, openMetrics: boolean): string {
  return openMetrics
    ? help.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : "\\" + c)
    : help.replace(/[\\\n]/g, (c) => c === "\n" ? "\\n" : "\\\\");
}

/**
 * Formats a sample value: integers and floats as JavaScript writes them (a
 * form Go's and Python's parsers accept), infinities as `+Inf` / `-Inf`.
 */
export function formatValue(v: number): string {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return "" + v;
}

/**
 * The canonical form of a bucket bound or quantile (OpenMetrics, and what Go
 * writes): the shortest float in Go's `%g` style, with `.0` added when it has
 * neither `.` nor an exponent. `1` -> `1.0`, `1e6` -> `1e+06`,
 * `0.00001` -> `1e-05`, `Infinity` -> `+Inf`.
 */
export function formatBound(v: number): string {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v !== v) return "NaN";
  if (v === 0) return "0.0";
  const e = v.toExponential(); // shortest round-trip digits, e.g. "1.5e-7"
  const at = e.indexOf("e");
  const exp = +e.slice(at + 1);
  if (exp < -4 || exp >= 6) {
    const digits = Math.abs(exp) < 10 ? "0" + Math.abs(exp) : "" + Math.abs(exp);
    return e.slice(0, at) + (exp < 0 ? "e-" : "e+") + digits;
  }
  const s = "" + v;
  return s.includes(".") ? s : s + ".0";
}

/**
 * The label text of a series: `name="value"` pairs, escaped, joined by
 * commas, without braces (`""` for no labels). One flat string (join, not a
 * rope). Metrics build theirs from their label tree as they are read; this is
 * for label sets that arrive whole (collectors, aggregation, remote sources).
 */
export function labelText(names: readonly string[], values: readonly string[]): string {
  const k = names.length;
  if (k === 0) return "";
  const parts: string[] = new Array(k);
  for (let j = 0; j < k; j++) parts[j] = names[j] + '="' + escapeLabelValue(values[j]) + '"';
  return parts.join(",");
}

const leCache = new WeakMap<readonly number[], string[]>();

/** The `le="..."` texts for a histogram's bounds, `+Inf` last; cached per bounds array. */
export function leTexts(bounds: readonly number[]): string[] {
  let t = leCache.get(bounds);
  if (t === undefined) {
    t = [...bounds, Infinity].map((b) => 'le="' + formatBound(b) + '"');
    leCache.set(bounds, t);
  }
  return t;
}

const quantileCache = new WeakMap<readonly number[], string[]>();

/** The `quantile="..."` texts for a summary's quantiles; cached per array. */
export function quantileTexts(qs: readonly number[]): string[] {
  let t = quantileCache.get(qs);
  if (t === undefined) {
    t = qs.map((q) => 'quantile="' + formatBound(q) + '"');
    quantileCache.set(qs, t);
  }
  return t;
}
