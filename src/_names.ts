/**
 * The name rules: metric, label and unit names, the names each family type
 * writes. Shared by metrics, collectors, the registry and the formats.
 * @module
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether `name` has the form of a label name, `[a-zA-Z_][a-zA-Z0-9_]*` (reserved ones included). */
export function isLabelNameForm(name: string): boolean {
  return LABEL_NAME.test(name);
}

/** Whether `name` is a label name a user may set: `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`. */
export function isLabelName(name: string): boolean {
  return LABEL_NAME.test(name) && !name.startsWith("__");
}

/** Whether `name` is a valid Prometheus metric name. */
export function isMetricName(name: unknown): name is string {
  return typeof name === "string" && METRIC_NAME.test(name);
}

/** Throws a TypeError unless `name` is a valid Prometheus metric name. */
export function checkMetricName(name: unknown): asserts name is string {
  if (!isMetricName(name)) {
    throw new TypeError(
      `Invalid metric name ${
        JSON.stringify(name)
      }: a metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*, e.g. "http_requests_total"`,
    );
  }
}

/**
 * Throws a TypeError unless `label` is a valid label name that a user may set
 * on metric `metric` (not reserved, not `reserved` such as `le`).
 */
export function checkLabelName(
  metric: string,
  label: unknown,
  reserved?: string,
): asserts label is string {
  if (typeof label !== "string" || !LABEL_NAME.test(label)) {
    throw new TypeError(
      `Metric "${metric}": invalid label name ${
        JSON.stringify(label)
      }: a label name must match [a-zA-Z_][a-zA-Z0-9_]*`,
    );
  }
  if (label.startsWith("__")) {
    throw new TypeError(
      `Metric "${metric}": label name "${label}" starts with "__", which is reserved for Prometheus; rename it`,
    );
  }
  if (label === reserved) {
    throw new TypeError(
      `Metric "${metric}": label name "${label}" is reserved for the ${
        reserved === "le" ? "histogram bucket bound" : "summary quantile"
      }; rename it`,
    );
  }
}

/** Checks a list of label names: each valid, none repeated. Returns a frozen copy. */
export function checkLabelNames(
  metric: string,
  names: unknown,
  reserved?: string,
): readonly string[] {
  if (names === undefined) return [];
  if (!Array.isArray(names)) {
    throw new TypeError(
      `Metric "${metric}": labelNames must be an array of strings, got ${typeof names}`,
    );
  }
  const seen = new Set<string>();
  for (const n of names) {
    checkLabelName(metric, n, reserved);
    if (seen.has(n)) {
      throw new TypeError(
        `Metric "${metric}": label name "${n}" is listed twice in labelNames`,
      );
    }
    seen.add(n);
  }
  return Object.freeze([...names]);
}

/** `String.prototype.isWellFormed` (ES2024), where the runtime has it. */
interface WellFormed {
  isWellFormed(): boolean;
}
/** Whether the runtime checks well-formed text itself (faster than a loop here). */
const nativeWellFormed = typeof (String.prototype as Partial<WellFormed>).isWellFormed ===
  "function";

/**
 * The index of the first lone UTF-16 surrogate in `s` (half of a pair, with
 * no other half), or -1. Such a string has no UTF-8 form: an encoder writes
 * U+FFFD for it, so distinct strings would reach the scraper as one.
 */
export function loneSurrogateAt(s: string): number {
  if (nativeWellFormed && (s as unknown as WellFormed).isWellFormed()) return -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}

/**
 * The TypeError for text `s` with a lone surrogate at `at` (see
 * {@link loneSurrogateAt}), as client_golang rejects invalid UTF-8. `what`
 * names the text, e.g. `Metric "x" label "path"`.
 */
export function notUnicode(what: string, s: string, at: number): TypeError {
  const unit = s.charCodeAt(at).toString(16).toUpperCase();
  const shown = s.length > 60 ? JSON.stringify(s.slice(0, 60)) + "..." : JSON.stringify(s);
  return new TypeError(
    `${what}: ${shown} holds a lone UTF-16 surrogate (\\u${unit} at index ${at}), which has no UTF-8 form and would be written as U+FFFD, merging distinct values; pass valid Unicode, e.g. value.toWellFormed()`,
  );
}

/**
 * A label value as text: a string as it is, a number as JavaScript writes
 * it. Anything else, or text with a lone surrogate, is a TypeError naming
 * `what`, e.g. `Registry: default label "service"`.
 */
export function labelValueText(what: string, v: unknown): string {
  if (typeof v !== "string" && typeof v !== "number") {
    throw new TypeError(`${what} must be a string or a number, got ${show(v)}`);
  }
  const text = "" + v;
  const at = loneSurrogateAt(text);
  if (at >= 0) throw notUnicode(what, text, at);
  return text;
}

const UNIT = /^[a-zA-Z0-9_:]+$/;

/**
 * Throws a TypeError unless `unit` is a valid unit for family `metric` whose
 * name without type suffix is `base`: the unit's characters are those of a
 * metric name and `base` ends with `_<unit>`. The one unit rule, for metrics
 * and collected families alike.
 */
export function checkUnit(metric: string, unit: unknown, base: string): void {
  if (unit === undefined) return;
  if (typeof unit !== "string" || !UNIT.test(unit)) {
    throw new TypeError(
      `Metric "${metric}": invalid unit ${
        JSON.stringify(unit)
      }: a unit must match [a-zA-Z0-9_:]+, e.g. "seconds"`,
    );
  }
  if (!base.endsWith("_" + unit)) {
    throw new TypeError(
      `Metric "${metric}": the name must end with "_${unit}" to carry unit "${unit}"; rename it to "${base}_${unit}"`,
    );
  }
}

/** The OpenMetrics family name of a counter: the name without `_total`. */
export function counterFamily(name: string): string {
  return name.endsWith("_total") ? name.slice(0, -6) : name;
}

/** The family name of an info metric: the name without `_info`. */
export function infoFamily(name: string): string {
  return name.endsWith("_info") ? name.slice(0, -5) : name;
}

/**
 * Every name a family of this type may write in any format: the name as
 * given, the OpenMetrics family name and each sample name. Two families
 * whose sets meet would write a page no parser accepts.
 */
export function reservedNames(
  type: "counter" | "gauge" | "histogram" | "summary" | "info" | "untyped",
  name: string,
): string[] {
  switch (type) {
    case "counter": {
      const fam = counterFamily(name);
      return [...new Set([name, fam, fam + "_total", fam + "_created"])];
    }
    case "histogram":
      return [name, name + "_bucket", name + "_sum", name + "_count", name + "_created"];
    case "summary":
      return [name, name + "_sum", name + "_count", name + "_created"];
    case "info": {
      const fam = infoFamily(name);
      return [...new Set([name, fam, fam + "_info"])];
    }
    default:
      return [name];
  }
}

/** A value as an error message shows it: numbers as JavaScript writes them, the rest as JSON. */
export function show(v: unknown): string {
  return typeof v === "number" ? "" + v : JSON.stringify(v) ?? String(v);
}

/**
 * A short picture of any value for a message: its JSON, cut at 60
 * characters; a function by its name; an object JSON cannot write (cyclic)
 * as "an object" or "an array".
 */
export function picture(v: unknown): string {
  if (typeof v === "function") return `the function ${v.name || "(anonymous)"}`;
  if (v === null || v === undefined || typeof v !== "object") return show(v);
  let s: string;
  try {
    s = JSON.stringify(v) ?? typeof v;
  } catch {
    s = Array.isArray(v) ? "an array" : "an object";
  }
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

/** Most code points an exemplar's label names and values may take together (OpenMetrics 1.0). */
export const EXEMPLAR_MAX_CODE_POINTS = 128;
