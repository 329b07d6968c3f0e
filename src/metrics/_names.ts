/**
 * Name validation and escaping shared by metrics, collectors and encoders.
 * @module
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

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

/**
 * The index of the first lone UTF-16 surrogate in `s` (half of a pair, with
 * no other half), or -1. Such a string has no UTF-8 form: an encoder writes
 * U+FFFD for it, so distinct strings would reach the scraper as one.
 */
export function loneSurrogateAt(s: string): number {
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

const LABEL_VALUE_SPECIAL = /[\\"\n]/;

/** Escapes a label value for both exposition formats: `\`, `"` and newline. */
export function escapeLabelValue(v: string): string {
  if (!LABEL_VALUE_SPECIAL.test(v)) return v;
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

/** A value as an error message shows it: numbers as JavaScript writes them, the rest as JSON. */
export function show(v: unknown): string {
  return typeof v === "number" ? "" + v : JSON.stringify(v) ?? String(v);
}
