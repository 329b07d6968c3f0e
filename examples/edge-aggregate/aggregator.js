// ../../src/_names.ts
var METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
var LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
function isMetricName(name) {
  return typeof name === "string" && METRIC_NAME.test(name);
}
function checkMetricName(name) {
  if (!isMetricName(name)) {
    throw new TypeError(
      `Invalid metric name ${JSON.stringify(name)}: a metric name must match [a-zA-Z_:][a-zA-Z0-9_:]*, e.g. "http_requests_total"`
    );
  }
}
function checkLabelName(metric, label, reserved) {
  if (typeof label !== "string" || !LABEL_NAME.test(label)) {
    throw new TypeError(
      `Metric "${metric}": invalid label name ${JSON.stringify(label)}: a label name must match [a-zA-Z_][a-zA-Z0-9_]*`
    );
  }
  if (label.startsWith("__")) {
    throw new TypeError(
      `Metric "${metric}": label name "${label}" starts with "__", which is reserved for Prometheus; rename it`
    );
  }
  if (label === reserved) {
    throw new TypeError(
      `Metric "${metric}": label name "${label}" is reserved for the ${reserved === "le" ? "histogram bucket bound" : "summary quantile"}; rename it`
    );
  }
}
var nativeWellFormed = typeof String.prototype.isWellFormed === "function";
function loneSurrogateAt(s) {
  if (nativeWellFormed && s.isWellFormed()) return -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 55296 || c > 57343) continue;
    if (c <= 56319 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 56320 && d <= 57343) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}
function notUnicode(what, s, at) {
  const unit = s.charCodeAt(at).toString(16).toUpperCase();
  const shown = s.length > 60 ? JSON.stringify(s.slice(0, 60)) + "..." : JSON.stringify(s);
  return new TypeError(
    `${what}: ${shown} holds a lone UTF-16 surrogate (\\u${unit} at index ${at}), which has no UTF-8 form and would be written as U+FFFD, merging distinct values; pass valid Unicode, e.g. value.toWellFormed()`
  );
}
function labelValueText(what, v) {
  if (typeof v !== "string" && typeof v !== "number") {
    throw new TypeError(`${what} must be a string or a number, got ${show(v)}`);
  }
  const text = "" + v;
  const at = loneSurrogateAt(text);
  if (at >= 0) throw notUnicode(what, text, at);
  return text;
}
var UNIT = /^[a-zA-Z0-9_:]+$/;
function checkUnit(metric, unit, base) {
  if (unit === void 0) return;
  if (typeof unit !== "string" || !UNIT.test(unit)) {
    throw new TypeError(
      `Metric "${metric}": invalid unit ${JSON.stringify(unit)}: a unit must match [a-zA-Z0-9_:]+, e.g. "seconds"`
    );
  }
  if (!base.endsWith("_" + unit)) {
    throw new TypeError(
      `Metric "${metric}": the name must end with "_${unit}" to carry unit "${unit}"; rename it to "${base}_${unit}"`
    );
  }
}
function counterFamily(name) {
  return name.endsWith("_total") ? name.slice(0, -6) : name;
}
function infoFamily(name) {
  return name.endsWith("_info") ? name.slice(0, -5) : name;
}
function reservedNames(type, name) {
  switch (type) {
    case "counter": {
      const fam = counterFamily(name);
      return [.../* @__PURE__ */ new Set([name, fam, fam + "_total", fam + "_created"])];
    }
    case "histogram":
      return [name, name + "_bucket", name + "_sum", name + "_count", name + "_created"];
    case "summary":
      return [name, name + "_sum", name + "_count", name + "_created"];
    case "info": {
      const fam = infoFamily(name);
      return [.../* @__PURE__ */ new Set([name, fam, fam + "_info"])];
    }
    default:
      return [name];
  }
}
function show(v) {
  return typeof v === "number" ? "" + v : JSON.stringify(v) ?? String(v);
}
function picture(v) {
  if (typeof v === "function") return `the function ${v.name || "(anonymous)"}`;
  if (v === null || v === void 0 || typeof v !== "object") return show(v);
  let s;
  try {
    s = JSON.stringify(v) ?? typeof v;
  } catch {
    s = Array.isArray(v) ? "an array" : "an object";
  }
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

// ../../src/_options.ts
var HINTS = {
  registers: 'use `registry: r` (one registry; null for none). Code written for prom-client\'s `registers: [r]` runs unchanged on "@promedge/client/prom-client"',
  register: 'use `registry: r`. Code written for prom-client\'s `register: r` runs unchanged on "@promedge/client/prom-client"',
  enableExemplars: 'exemplars need no switch here. Code written for prom-client\'s `enableExemplars` runs unchanged on "@promedge/client/prom-client"',
  openMetrics: "write OpenMetrics 1.0 with { format: openMetricsFormat }",
  aggregator: 'aggregation is set where metrics are merged (src/aggregate). Code written for prom-client\'s `aggregator` runs unchanged on "@promedge/client/prom-client"'
};
function distance(a, b) {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1)
      );
      prev = cur;
    }
  }
  return row[b.length];
}
function checkOptions(what, options, known) {
  if (options === null || typeof options !== "object") return;
  for (const key in options) {
    if (known.includes(key) || options[key] === void 0) continue;
    let hint = HINTS[key];
    if (hint === void 0) {
      const near = known.filter((k) => distance(key, k) <= Math.max(1, k.length >> 2));
      hint = near.length > 0 ? `did you mean "${near[0]}"?` : `the options are: ${known.join(", ")}`;
    }
    throw new TypeError(`${what}: unknown option "${key}"; ${hint}`);
  }
}

// ../../src/_timers.ts
var MAX_TIMER_MS = 2 ** 31 - 1;

// ../../src/exposition/_escape.ts
function escapeLabelValue(v) {
  let i = 0;
  for (; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 92 || c === 34 || c === 10) break;
  }
  if (i === v.length) return v;
  return v.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : "\\" + c);
}
function escapeHelp(help, openMetrics) {
  return openMetrics ? help.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : "\\" + c) : help.replace(/[\\\n]/g, (c) => c === "\n" ? "\\n" : "\\\\");
}
function formatValue(v) {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return "" + v;
}
function formatBound(v) {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (v !== v) return "NaN";
  if (v === 0) return "0.0";
  const e = v.toExponential();
  const at = e.indexOf("e");
  const exp = +e.slice(at + 1);
  if (exp < -4 || exp >= 6) {
    const digits = Math.abs(exp) < 10 ? "0" + Math.abs(exp) : "" + Math.abs(exp);
    return e.slice(0, at) + (exp < 0 ? "e-" : "e+") + digits;
  }
  const s = "" + v;
  return s.includes(".") ? s : s + ".0";
}
function labelText(names, values2) {
  const k = names.length;
  if (k === 0) return "";
  const parts = new Array(k);
  for (let j = 0; j < k; j++) parts[j] = names[j] + '="' + escapeLabelValue(values2[j]) + '"';
  return parts.join(",");
}
var leCache = /* @__PURE__ */ new WeakMap();
function leTexts(bounds) {
  let t = leCache.get(bounds);
  if (t === void 0) {
    t = [...bounds, Infinity].map((b) => 'le="' + formatBound(b) + '"');
    leCache.set(bounds, t);
  }
  return t;
}
var quantileCache = /* @__PURE__ */ new WeakMap();
function quantileTexts(qs) {
  let t = quantileCache.get(qs);
  if (t === void 0) {
    t = qs.map((q) => 'quantile="' + formatBound(q) + '"');
    quantileCache.set(qs, t);
  }
  return t;
}

// ../../src/_default_labels.ts
var fullText = /* @__PURE__ */ new WeakMap();
function withDefaultLabels(f, defaults) {
  let all = fullText.get(defaults);
  if (all === void 0) {
    all = labelText(defaults.names, defaults.values);
    fullText.set(defaults, all);
  }
  const series = f.series.map((s) => {
    const own = s.labels ?? {};
    const labels = { ...own };
    let text = all;
    let clash = false;
    for (const n of defaults.names) if (n in own) clash = true;
    if (clash) {
      const names = [];
      const values2 = [];
      defaults.names.forEach((n, i) => {
        if (!(n in own)) {
          names.push(n);
          values2.push(defaults.values[i]);
        }
      });
      text = labelText(names, values2);
    }
    defaults.names.forEach((n, i) => {
      if (!(n in own)) labels[n] = defaults.values[i];
    });
    const lt = s.labelText === "" ? text : text === "" ? s.labelText : s.labelText + "," + text;
    return { ...s, labelText: lt, labels };
  });
  return { ...f, series };
}

// ../../src/_collected.ts
var TYPES = ["counter", "gauge", "untyped", "info"];
function familiesOf(source, value) {
  if (!Array.isArray(value)) {
    const iterable = value !== null && typeof value === "object" && typeof value[Symbol.iterator] === "function";
    if (!iterable) {
      throw new TypeError(
        `${source} returned ${picture(value)}; a collector must return (or resolve to) an array of metric families`
      );
    }
    return [...value];
  }
  return value;
}
function collectedFamily(source, fam) {
  if (fam === null || typeof fam !== "object" || Array.isArray(fam)) {
    throw new TypeError(
      `${source} returned ${picture(fam)} in its array; each item must be a metric family { name, help, type, samples }`
    );
  }
  const { name, help, type, unit, samples } = fam;
  const where = () => `${source}, family ${JSON.stringify(name)}`;
  try {
    checkMetricName(name);
  } catch (e) {
    throw new TypeError(`${source}: ${e.message}`);
  }
  if (!TYPES.includes(type)) {
    throw new TypeError(
      `${where()}: type ${show(type)} is not one of counter, gauge, untyped, info`
    );
  }
  if (typeof help !== "string") {
    throw new TypeError(`${where()}: help must be a string, got ${show(help)}`);
  }
  const badHelp = loneSurrogateAt(help);
  if (badHelp >= 0) throw notUnicode(`${where()}: help`, help, badHelp);
  if (unit !== void 0) {
    if (type === "info") throw new TypeError(`${where()}: an info family has no unit`);
    try {
      checkUnit(name, unit, type === "counter" ? counterFamily(name) : name);
    } catch (e) {
      throw new TypeError(`${source}: ${e.message}`);
    }
  }
  if (!Array.isArray(samples)) {
    throw new TypeError(
      `${where()}: samples must be an array of { labels?, value }, got ${picture(samples)}`
    );
  }
  const series = new Array(samples.length);
  const seen = /* @__PURE__ */ new Set();
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (s === null || typeof s !== "object") {
      throw new TypeError(`${where()}: sample ${i} is ${picture(s)}, not { labels?, value }`);
    }
    const given = s.labels ?? {};
    if (given === null || typeof given !== "object" || Array.isArray(given)) {
      throw new TypeError(`${where()}: sample ${i} has labels ${picture(given)}, not an object`);
    }
    const names = [];
    const values2 = [];
    const labels = {};
    for (const k in given) {
      try {
        checkLabelName(name, k);
      } catch (e) {
        throw new TypeError(`${source}: ${e.message}`);
      }
      const text = labelValueText(`${where()}: label "${k}"`, given[k]);
      names.push(k);
      values2.push(text);
      labels[k] = text;
    }
    const key = JSON.stringify(names.map((n, j) => [n, values2[j]]).sort());
    if (seen.has(key)) {
      throw new TypeError(
        `${where()}: the label set {${names.map((n, j) => `${n}=${JSON.stringify(values2[j])}`).join(",")}} appears twice; each series must appear once`
      );
    }
    seen.add(key);
    const value = type === "info" ? 1 : s.value;
    if (typeof value !== "number") {
      throw new TypeError(`${where()}: sample ${i} has value ${show(value)}, not a number`);
    }
    if (type === "counter" && !(value >= 0)) {
      throw new RangeError(
        `${where()}: counter "${name}" has value ${value}: a counter must be >= 0`
      );
    }
    series[i] = { labelText: labelText(names, values2), labels, value };
  }
  if (type === "info") {
    return { name, help, type, series };
  }
  return { name, help, type, unit, series };
}

// ../../src/exposition/format.ts
function isFormat(f) {
  const o = f;
  return o !== null && typeof o === "object" && typeof o.name === "string" && typeof o.contentType === "string" && typeof o.accepts === "function" && typeof o.writer === "function";
}
function checkFormats(who, formats) {
  if (formats === void 0) return [];
  const list = Array.isArray(formats) ? formats : void 0;
  const bad = list ? [...list.keys()].find((i) => !isFormat(list[i])) : -1;
  if (bad === void 0) return list;
  throw new TypeError(
    `${who}formats must be an array of Formats such as [protobufFormat]; ${list ? `formats[${bad}] is ${picture(list[bad])}` : "got " + picture(formats)}`
  );
}
function writeFamily(w, f, from, to) {
  switch (f.type) {
    case "counter":
      return w.counter(f, from, to);
    case "gauge":
    case "untyped":
      return w.gauge(f, from, to);
    case "histogram":
      return w.histogram(f, from, to);
    case "summary":
      return w.summary(f, from, to);
    case "info":
      return w.info(f, from, to);
  }
}

// ../../src/collector.ts
var PREPARE = /* @__PURE__ */ Symbol("promedge.prepareSlice");
function prepareSlice(family, from, to) {
  family[PREPARE]?.(from, to);
}

// ../../src/exposition/_page.ts
var PIECE_SERIES = 2e3;
var g = globalThis;
function breath() {
  return new Promise((resolve) => {
    if (typeof g.setImmediate === "function") g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
async function* pagePieces(families, writer2, chunkSize = 65536) {
  let buf = "";
  for (const f of families) {
    const n = f.series.length;
    let from = 0;
    do {
      const to = Math.min(n, from + PIECE_SERIES);
      prepareSlice(f, from, to);
      const out = writeFamily(writer2, f, from, to);
      if (typeof out === "string") {
        buf += out;
        if (buf.length >= chunkSize) {
          yield buf;
          buf = "";
          await breath();
        }
      } else if (out.length > 0) {
        if (buf) yield buf;
        buf = "";
        yield out;
        await breath();
      } else if (to - from === PIECE_SERIES) {
        await breath();
      }
      from = to;
    } while (from < n);
  }
  const end = writer2.end();
  if (typeof end === "string") {
    buf += end;
    if (buf) yield buf;
  } else {
    if (buf) yield buf;
    if (end.length > 0) yield end;
  }
}
var encoder = /* @__PURE__ */ new TextEncoder();
function pageStream(pieces) {
  return new ReadableStream({
    async pull(controller) {
      const r = await pieces.next();
      if (r.done) controller.close();
      else controller.enqueue(typeof r.value === "string" ? encoder.encode(r.value) : r.value);
    },
    async cancel() {
      await pieces.return(void 0);
    }
  });
}

// ../../src/exposition/text.ts
var TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
function header(name, help, type) {
  return "# HELP " + name + " " + escapeHelp(help, false) + "\n# TYPE " + name + " " + type + "\n";
}
function line(name, labelText2, value) {
  return labelText2 === "" ? name + " " + formatValue(value) + "\n" : name + "{" + labelText2 + "} " + formatValue(value) + "\n";
}
function values(name, series, from, to, out) {
  for (let i = from; i < to; i++) out += line(name, series[i].labelText, series[i].value);
  return out;
}
var writer = {
  counter(f, from, to) {
    return values(f.name, f.series, from, to, from === 0 ? header(f.name, f.help, "counter") : "");
  },
  gauge(f, from, to) {
    return values(f.name, f.series, from, to, from === 0 ? header(f.name, f.help, f.type) : "");
  },
  info(f, from, to) {
    const sample = infoFamily(f.name) + "_info";
    let out = from === 0 ? header(sample, f.help, "gauge") : "";
    for (let i = from; i < to; i++) out += line(sample, f.series[i].labelText, 1);
    return out;
  },
  histogram(f, from, to) {
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
  summary(f, from, to) {
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
  end() {
    return "";
  }
};
var textFormat = {
  name: "text",
  contentType: TEXT_CONTENT_TYPE,
  needsLabels: false,
  nativeHistograms: false,
  accepts(type, params) {
    if (type === "*/*" || type === "text/*") return true;
    return type === "text/plain" && (params.version === void 0 || params.version === "0.0.4");
  },
  writer() {
    return writer;
  }
};

// ../../src/registry.ts
var AlreadyRegisteredError = class extends TypeError {
  /** The metric (or collector function) that holds the name. */
  existing;
  /** @internal */
  constructor(message, existing) {
    super(message);
    this.name = "AlreadyRegisteredError";
    this.existing = existing;
  }
};
var CollectError = class extends Error {
  /** What each failing metric or collector threw. */
  errors;
  /** @internal */
  constructor(errors, sources = []) {
    super(
      `${errors.length} collector(s) failed: ` + errors.map((e, i) => {
        const msg = e instanceof Error ? e.message : String(e);
        const src = sources[i];
        return src && !msg.startsWith(src) ? `${src}: ${msg}` : msg;
      }).join("; ")
    );
    this.name = "CollectError";
    this.errors = errors;
  }
};
function describe(h) {
  return "fn" in h ? h.label : `metric "${h.name}"`;
}
var DEFAULT_TIMEOUT_SECONDS = 10;
var BREATH_SERIES = 5 * PIECE_SERIES;
function checkTimeout(what, s) {
  if (typeof s !== "number" || !(s > 0)) {
    throw new RangeError(`${what} must be a number of seconds > 0, got ${show(s)}`);
  }
  return s;
}
var Registry = class {
  #metrics = /* @__PURE__ */ new Map();
  #reserved = /* @__PURE__ */ new Map();
  #collectors = /* @__PURE__ */ new Map();
  #sorted;
  /** Each metric's `formats`, as read when it was registered (only those that name some). */
  #formatsOf = /* @__PURE__ */ new Map();
  #formats;
  #timeout;
  #defaults;
  /** The Content-Type of {@link Registry.metrics}' default output. */
  contentType = TEXT_CONTENT_TYPE;
  /** Makes an empty registry. */
  constructor(options = {}) {
    checkOptions("Registry", options, ["collectTimeoutSeconds", "defaultLabels"]);
    if (options.defaultLabels !== void 0) this.setDefaultLabels(options.defaultLabels);
    this.#timeout = options.collectTimeoutSeconds === void 0 ? DEFAULT_TIMEOUT_SECONDS : checkTimeout("Registry: collectTimeoutSeconds", options.collectTimeoutSeconds);
  }
  /**
   * Sets the labels added to every series this registry writes (replacing
   * any set before; `{}` removes them): in every format and in `collect()`
   * snapshots. A series whose metric has a label of the same name keeps its
   * own value. Numbers are written as strings.
   *
   * @example
   * ```ts
   * import { Counter, Registry } from "../mod.ts";
   * const registry = new Registry();
   * registry.setDefaultLabels({ service: "api" });
   * new Counter({ name: "jobs_total", help: "Jobs.", registry }).inc();
   * console.log(await registry.metrics()); // jobs_total{service="api"} 1
   * ```
   */
  setDefaultLabels(labels) {
    if (labels === null || typeof labels !== "object" || Array.isArray(labels)) {
      throw new TypeError(
        `setDefaultLabels() takes an object of label names and values, e.g. { service: "api" }; got ${show(labels)}`
      );
    }
    const names = [];
    const values2 = [];
    for (const name in labels) {
      checkLabelName("default labels", name);
      if (name === "le" || name === "quantile") {
        throw new TypeError(
          `Registry: default label "${name}" would clash with the histogram bucket or summary quantile label; rename it`
        );
      }
      names.push(name);
      values2.push(labelValueText(`Registry: default label "${name}"`, labels[name]));
    }
    this.#defaults = names.length === 0 ? void 0 : { names, values: values2 };
  }
  /** The labels set by {@link Registry.setDefaultLabels}, as strings (`{}` when none). */
  get defaultLabels() {
    const out = {};
    const d = this.#defaults;
    if (d) {
      for (let i = 0; i < d.names.length; i++) out[d.names[i]] = d.values[i];
    }
    return out;
  }
  /**
   * Adds a metric. Throws {@link AlreadyRegisteredError} when its name, or a
   * sample name it writes (`_total`, `_bucket`, ...), is taken by a metric or
   * by a collector's declared family.
   */
  register(metric) {
    const m = metric;
    if (m === null || typeof m !== "object" || typeof m.name !== "string" || !Array.isArray(m.reservedNames) || typeof m.collect !== "function") {
      throw new TypeError(
        `register() takes a metric (Counter, Gauge, Histogram, Summary, Info) or an object with name, reservedNames and collect(); got ${show(metric)}`
      );
    }
    const formats = checkFormats(`register(): metric "${metric.name}": `, m.formats);
    this.#check(metric.name, metric.reservedNames, metric);
    for (const n of metric.reservedNames) this.#reserved.set(n, metric);
    this.#metrics.set(metric.name, metric);
    if (formats.length > 0) this.#formatsOf.set(metric.name, formats.slice());
    else this.#formatsOf.delete(metric.name);
    this.#sorted = this.#formats = void 0;
  }
  /** Throws unless every name that family `name` writes is free (or already `holder`'s). */
  #check(name, names, holder) {
    for (const n of names) {
      const h = this.#reserved.get(n);
      if (h === void 0 || h === holder) continue;
      const what = "fn" in holder ? `${holder.label}'s family "${name}"` : `Metric "${name}"`;
      throw new AlreadyRegisteredError(
        !("fn" in h) && h.name === name && !("fn" in holder) ? `A metric named "${name}" is already registered; reuse it (registry.get("${name}")) or pick another name` : `${what} would write "${n}", which ${describe(h)} already writes; pick another name`,
        "fn" in h ? h.fn : h
      );
    }
  }
  /** Removes a metric, by name or by itself; returns whether it was there. */
  unregister(metric) {
    const m = this.#metrics.get(typeof metric === "string" ? metric : metric.name);
    if (m === void 0 || typeof metric !== "string" && m !== metric) return false;
    this.#metrics.delete(m.name);
    this.#formatsOf.delete(m.name);
    for (const n of m.reservedNames) this.#reserved.delete(n);
    this.#sorted = this.#formats = void 0;
    return true;
  }
  /** The metric registered under `name`. */
  get(name) {
    return this.#metrics.get(name);
  }
  /** Every registered metric, sorted by name. */
  getAll() {
    return [...this.#sortedMetrics()];
  }
  /**
   * Adds a custom collector, called at every scrape. Declaring its
   * `families` reserves their names now and lets a `name[]` scrape skip it.
   */
  registerCollector(collector, options = {}) {
    if (typeof collector !== "function") {
      throw new TypeError(
        `registerCollector() takes a function returning metric families, got ${show(collector)}`
      );
    }
    if (this.#collectors.has(collector)) return;
    const label = `collector "${options.name ?? (collector.name || "anonymous")}"`;
    let families;
    if (options.families !== void 0) {
      families = /* @__PURE__ */ new Map();
      for (const f of options.families) families.set(f.name, f.type);
    }
    const entry2 = { fn: collector, label, families };
    if (families) {
      for (const [n, t] of families) this.#check(n, reservedNames(t, n), entry2);
      for (const [n, t] of families) {
        for (const r of reservedNames(t, n)) this.#reserved.set(r, entry2);
      }
    }
    this.#collectors.set(collector, entry2);
  }
  /** Removes a custom collector; returns whether it was there. */
  unregisterCollector(collector) {
    const entry2 = this.#collectors.get(collector);
    if (entry2 === void 0) return false;
    this.#collectors.delete(collector);
    for (const [n, h] of [...this.#reserved]) if (h === entry2) this.#reserved.delete(n);
    return true;
  }
  /** Removes every metric and collector. */
  clear() {
    this.#metrics.clear();
    this.#formatsOf.clear();
    this.#reserved.clear();
    this.#collectors.clear();
    this.#sorted = this.#formats = void 0;
  }
  /**
   * The formats its metrics need beyond text and OpenMetrics (protobuf, once
   * it holds a native histogram), each once, in the order registered: a
   * metrics handler serving the registry offers them. A metric's `formats`
   * are read when it is registered. The same array until a metric comes or
   * goes.
   */
  get formats() {
    return this.#formats ??= Object.freeze([...new Set([...this.#formatsOf.values()].flat())]);
  }
  #sortedMetrics() {
    return this.#sorted ??= [...this.#metrics.values()].sort(byName);
  }
  /**
   * Runs the collect hooks and collectors, concurrently, within the
   * deadline; checks the collectors' families; returns every family to
   * write, sorted by name. Throws {@link CollectError} naming every failure.
   */
  async #gather(options, labels, format) {
    const defaults = this.#defaults;
    const native = format?.nativeHistograms !== false;
    const families = await this.#gatherAll(options, labels || defaults !== void 0, native);
    return defaults === void 0 ? families : families.map((f) => withDefaultLabels(f, defaults));
  }
  async #gatherAll(options, labels, native) {
    const names = options.names;
    const want = names && names.length > 0 ? new Set(names) : void 0;
    let metrics = this.#sortedMetrics();
    if (want) metrics = metrics.filter((m) => want.has(m.name));
    let collectors = [...this.#collectors.values()];
    if (want) {
      collectors = collectors.filter(
        (c) => c.families === void 0 || [...c.families.keys()].some((n) => want.has(n))
      );
    }
    const errors = [];
    const sources = [];
    const fail = (source, e) => {
      errors.push(e);
      sources.push(source);
    };
    const running = /* @__PURE__ */ new Map();
    const opts = labels ? { labels: true, quantiles: options.quantiles } : { lazy: true };
    if (!native) opts.native = false;
    const out = new Array(metrics.length);
    let walked = 0;
    for (let i = 0; i < metrics.length; i++) {
      const m = metrics[i];
      if (walked > BREATH_SERIES) {
        walked = 0;
        await breath();
      }
      try {
        const r = m.collect(opts);
        if (r instanceof Promise) {
          const source = `metric "${m.name}"`;
          running.set(
            source,
            r.then((f) => {
              out[i] = f;
            }, (e) => fail(source, e)).finally(() => running.delete(source))
          );
        } else {
          out[i] = r;
          walked += r.series.length;
        }
      } catch (e) {
        fail(`metric "${m.name}"`, e);
      }
    }
    const returned = /* @__PURE__ */ new Map();
    for (const c of collectors) {
      try {
        const r = c.fn();
        if (r instanceof Promise) {
          running.set(
            c.label,
            r.then((v) => {
              returned.set(c, v);
            }, (e) => fail(c.label, e)).finally(() => running.delete(c.label))
          );
        } else returned.set(c, r);
      } catch (e) {
        fail(c.label, e);
      }
    }
    if (running.size > 0) {
      const seconds = options.timeoutSeconds === void 0 ? this.#timeout : checkTimeout("timeoutSeconds", options.timeoutSeconds);
      await within([...running.values()], seconds * 1e3);
      for (const source of running.keys()) {
        fail(
          source,
          new Error(`${source} did not finish within ${seconds} s (the scrape's deadline)`)
        );
      }
    }
    if (errors.length === 0 && returned.size === 0) return out;
    const seen = /* @__PURE__ */ new Map();
    const extra = [];
    for (const c of collectors) {
      if (!returned.has(c)) continue;
      try {
        for (const item of familiesOf(c.label, returned.get(c))) {
          const fam = collectedFamily(c.label, item);
          const what = `${fam.type} "${fam.name}" of ${c.label}`;
          if (c.families && c.families.get(fam.name) !== fam.type) {
            throw new TypeError(
              `${c.label} returned ${fam.type} "${fam.name}", which it did not declare (declared: ${[...c.families].map(([n, t]) => `${t} "${n}"`).join(", ")})`
            );
          }
          for (const n of reservedNames(fam.type, fam.name)) {
            const holder = this.#reserved.get(n);
            const other = holder === void 0 || holder === c ? seen.get(n) : describe(holder);
            if (other !== void 0) {
              throw new TypeError(
                `${c.label} returned ${fam.type} "${fam.name}", which would write "${n}" as ${other} does; rename one of them`
              );
            }
          }
          for (const n of reservedNames(fam.type, fam.name)) seen.set(n, what);
          if (!want || want.has(fam.name)) extra.push(fam);
        }
      } catch (e) {
        fail(c.label, e);
      }
    }
    if (errors.length > 0) throw new CollectError(errors, sources);
    return extra.length === 0 ? out : out.concat(extra).sort(byName);
  }
  /**
   * Reads every family now: a typed snapshot with each series' raw labels
   * and values, detached from the live metrics, sorted by name. For
   * exporters and aggregation; the formats read the same objects. Rejects
   * with {@link CollectError} when a metric or collector failed.
   *
   * @example
   * ```ts
   * import { Counter, Registry } from "../mod.ts";
   * const registry = new Registry();
   * new Counter({ name: "jobs_total", help: "Jobs.", labelNames: ["q"], registry })
   *   .inc({ q: "mail" }, 2);
   * const [jobs] = await registry.collect();
   * console.log(jobs.type, jobs.series[0].labels, jobs.series[0]); // counter { q: "mail" } ...
   * ```
   */
  collect(options = {}) {
    return this.#gather(options, true);
  }
  /**
   * Writes every family in text 0.0.4 (or the text format in `format`), in
   * pieces of about `chunkSize` characters, one family slice at least, and
   * lets the event loop run between pieces. Everything is collected first:
   * a failing collector throws {@link CollectError} before the first piece.
   */
  chunks(options = {}, chunkSize = 65536) {
    return this.#chunks("registry.chunks()", options, chunkSize);
  }
  async *#chunks(call, options, size) {
    const format = pageFormat(call, options);
    const families = await this.#gather(options, false, format);
    for await (const piece of pagePieces(families, format.writer(options), size)) {
      if (typeof piece !== "string") {
        throw new TypeError(
          `${call}: the ${format.name} format writes bytes, not text; use registry.stream({ format })`
        );
      }
      yield piece;
    }
  }
  /**
   * The whole exposition as one string: text 0.0.4 by default, OpenMetrics
   * 1.0 with `{ format: openMetricsFormat }` (`_created` samples only with
   * `createdTimestamps: true`). Rejects with {@link CollectError} when a
   * metric or collector failed.
   *
   * @example
   * ```ts
   * import { Counter, openMetricsFormat, Registry } from "../mod.ts";
   * const registry = new Registry();
   * new Counter({ name: "jobs_total", help: "Jobs.", registry }).inc();
   * console.log(await registry.metrics({ format: openMetricsFormat })); // ... # EOF
   * ```
   */
  async metrics(options = {}) {
    let out = "";
    for await (const c of this.#chunks("registry.metrics()", options)) out += c;
    return out;
  }
  /**
   * Collects every family, then returns the page in `format` (default text
   * 0.0.4) as a byte stream written piece by piece. Rejects with
   * {@link CollectError} (before any byte) when a metric or collector failed.
   */
  async stream(options = {}) {
    const format = pageFormat("registry.stream()", options);
    const families = await this.#gather(options, format.needsLabels, format);
    return pageStream(pagePieces(families, format.writer(options)));
  }
};
var PAGE_OPTIONS = ["names", "timeoutSeconds", "createdTimestamps", "format"];
function pageFormat(call, options) {
  checkOptions(call, options, PAGE_OPTIONS);
  const format = options.format ?? textFormat;
  if (typeof format?.writer !== "function") {
    throw new TypeError(
      `${call}: format must be a Format such as textFormat or openMetricsFormat, got ${show(format)}`
    );
  }
  return format;
}
function within(promises, ms) {
  let timer;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(resolve, Math.min(ms, MAX_TIMER_MS));
  });
  return Promise.race([Promise.all(promises).then(() => {
  }), deadline]).finally(
    () => clearTimeout(timer)
  );
}
function byName(a, b) {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

// ../../src/_protobuf.ts
var textEncoder = /* @__PURE__ */ new TextEncoder();
function uvarint(n) {
  const out = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push(n % 128 | 128);
  out.push(n);
  return out;
}
var ProtoWriter = class {
  /** The bytes written so far are `buf.subarray(0, pos)`. */
  buf;
  /** The write position. */
  pos = 0;
  #view;
  #stack = [];
  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
    this.#view = new DataView(this.buf.buffer);
  }
  #ensure(n) {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.#view = new DataView(next.buffer);
  }
  /** Writes a field key (field number and wire type). */
  tag(field, wireType) {
    this.uint32(field << 3 | wireType);
  }
  /** Writes an unsigned varint below 2^32. */
  uint32(v) {
    this.#ensure(5);
    const b = this.buf;
    v >>>= 0;
    while (v > 127) {
      b[this.pos++] = v & 127 | 128;
      v >>>= 7;
    }
    b[this.pos++] = v;
  }
  /** Writes an unsigned varint of any safe integer (>= 0). */
  uint64(v) {
    if (v < 2147483648) return this.uint32(v);
    this.#ensure(10);
    const b = this.buf;
    while (v > 127) {
      b[this.pos++] = v % 128 | 128;
      v = Math.floor(v / 128);
    }
    b[this.pos++] = v;
  }
  /** Writes a signed int64 as a plain varint (two's complement for negatives). */
  int64(v) {
    if (v >= 0) return this.uint64(v);
    this.#ensure(10);
    const b = this.buf;
    let lo = Number(BigInt.asUintN(32, BigInt(v)));
    let hi = Number(BigInt.asUintN(64, BigInt(v)) >> 32n);
    for (let i = 0; i < 9; i++) {
      b[this.pos++] = lo & 127 | 128;
      lo = lo >>> 7 | (hi & 127) << 25;
      hi >>>= 7;
    }
    b[this.pos++] = lo & 1;
  }
  /** Writes a zigzag-encoded signed integer (sint32 / sint64) of any safe integer. */
  sint(v) {
    this.uint64(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  /** Writes a little-endian IEEE 754 double (wire type 1, without its key). */
  double(v) {
    this.#ensure(8);
    this.#view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
  /** Writes raw bytes. */
  bytes(v) {
    this.#ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }
  /** Writes a length-prefixed UTF-8 string (without its key). */
  string(s) {
    const n = s.length;
    if (n < 128) {
      let ascii = true;
      for (let i = 0; i < n; i++) {
        if (s.charCodeAt(i) > 127) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.#ensure(n + 1);
        const b = this.buf;
        b[this.pos++] = n;
        for (let i = 0; i < n; i++) b[this.pos++] = s.charCodeAt(i);
        return;
      }
    }
    const bytes = textEncoder.encode(s);
    this.uint32(bytes.length);
    this.bytes(bytes);
  }
  /** Field helpers: key then value. */
  stringField(field, s) {
    this.tag(field, 2);
    this.string(s);
  }
  /** A double field (wire type 1). */
  doubleField(field, v) {
    this.tag(field, 1);
    this.double(v);
  }
  /** An unsigned varint field. */
  uintField(field, v) {
    this.tag(field, 0);
    this.uint64(v);
  }
  /** An int64 varint field (negatives as 10-byte two's complement). */
  int64Field(field, v) {
    this.tag(field, 0);
    this.int64(v);
  }
  /** A zigzag varint field (sint32 / sint64). */
  sintField(field, v) {
    this.tag(field, 0);
    this.sint(v);
  }
  /** Starts a length-delimited field (a nested message or packed values); end it with {@link join}. */
  fork(field) {
    if (field !== void 0) this.tag(field, 2);
    this.#ensure(1);
    this.#stack.push(this.pos);
    this.pos++;
  }
  /** Ends the innermost {@link fork}: writes its length before its body. */
  join() {
    const start = this.#stack.pop();
    const len = this.pos - start - 1;
    if (len < 128) {
      this.buf[start] = len;
      return;
    }
    let extra = 0;
    for (let l = len >>> 7; l > 0; l >>>= 7) extra++;
    this.#ensure(extra);
    const b = this.buf;
    b.copyWithin(start + 1 + extra, start + 1, this.pos);
    this.pos += extra;
    let p = start, v = len;
    while (v > 127) {
      b[p++] = v & 127 | 128;
      v >>>= 7;
    }
    b[p] = v;
  }
  /** A copy of the bytes written so far. */
  finish() {
    return this.buf.slice(0, this.pos);
  }
  /** Forgets what was written (the buffer is kept for reuse). */
  reset() {
    this.pos = 0;
    this.#stack.length = 0;
  }
};

// ../../src/metrics/_sketch.ts
var RELATIVE_ACCURACY = 5e-3;
var GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
var INV_LN_GAMMA = 1 / Math.log(GAMMA);
var MAX_BUCKETS = 16384;
var GROW = 128;
var EMPTY = new Float64Array(0);
function indexOf(v) {
  return Math.ceil(Math.log(v) * INV_LN_GAMMA);
}
function valueOf(i) {
  return 2 * Math.pow(GAMMA, i) / (GAMMA + 1);
}
var Store = class {
  counts = EMPTY;
  offset = 0;
  total = 0;
  add(index) {
    let i = index - this.offset;
    if (i < 0 || i >= this.counts.length) i = this.#grow(index);
    this.counts[i]++;
    this.total++;
  }
  /** Adds every count of `other` into this store. */
  merge(other) {
    const c = other.counts;
    for (let i = 0; i < c.length; i++) {
      if (c[i] !== 0) {
        let j = other.offset + i - this.offset;
        if (j < 0 || j >= this.counts.length) j = this.#grow(other.offset + i);
        this.counts[j] += c[i];
      }
    }
    this.total += other.total;
  }
  clear() {
    this.counts.fill(0);
    this.total = 0;
  }
  /** Makes room for `index`; returns its position (the lowest one if it folds). */
  #grow(index) {
    const old = this.counts;
    let lo, hi;
    if (old.length === 0) {
      lo = index - GROW / 2;
      hi = index + GROW / 2;
    } else {
      const top = this.offset + old.length - 1;
      lo = index < this.offset ? index - GROW : this.offset;
      hi = index > top ? index + GROW : top;
    }
    if (hi - lo + 1 > MAX_BUCKETS) lo = hi - MAX_BUCKETS + 1;
    const next = new Float64Array(hi - lo + 1);
    for (let i = 0; i < old.length; i++) {
      if (old[i] !== 0) {
        const j = this.offset + i - lo;
        next[j < 0 ? 0 : j] += old[i];
      }
    }
    this.counts = next;
    this.offset = lo;
    const p = index - lo;
    return p < 0 ? 0 : p;
  }
};
var Sketch = class {
  pos = new Store();
  neg = new Store();
  zero = 0;
  min = Infinity;
  max = -Infinity;
  add(v) {
    if (v > 0) this.pos.add(indexOf(v));
    else if (v < 0) this.neg.add(indexOf(-v));
    else this.zero++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
  get count() {
    return this.pos.total + this.neg.total + this.zero;
  }
  merge(o) {
    if (o.count === 0) return;
    this.pos.merge(o.pos);
    this.neg.merge(o.neg);
    this.zero += o.zero;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
  }
  clear() {
    this.pos.clear();
    this.neg.clear();
    this.zero = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
  /**
   * The values at ranks q·(n-1) for each q of `qs` (increasing), into `out`;
   * NaN for an empty sketch.
   */
  quantiles(qs, out) {
    const n = this.count;
    if (n === 0) {
      out.fill(NaN);
      return;
    }
    let k = 0;
    let seen = 0;
    const emit = (v, upTo) => {
      while (k < qs.length && qs[k] * (n - 1) < upTo) {
        out[k++] = v < this.min ? this.min : v > this.max ? this.max : v;
      }
    };
    const neg = this.neg.counts;
    for (let i = neg.length - 1; i >= 0 && k < qs.length; i--) {
      if (neg[i] !== 0) {
        seen += neg[i];
        emit(-valueOf(this.neg.offset + i), seen);
      }
    }
    if (this.zero !== 0) {
      seen += this.zero;
      emit(0, seen);
    }
    const pos = this.pos.counts;
    for (let i = 0; i < pos.length && k < qs.length; i++) {
      if (pos[i] !== 0) {
        seen += pos[i];
        emit(valueOf(this.pos.offset + i), seen);
      }
    }
    while (k < qs.length) out[k++] = this.max;
  }
};

// ../../src/aggregate/_codec.ts
var STATE_VERSION = 3;
var MAGIC0 = 112;
var MAGIC1 = 97;
var TYPES2 = ["counter", "gauge", "histogram", "summary", "info"];
var TWO52 = 2 ** 52;
var MAX_STORE = 16384;
var MAX_NATIVE_INDEX = 2 ** 19;
var MAX_EXPANDED = 64 * 1024 * 1024;
var MAX_SOURCE_ID = 200;
function badSourceId(id) {
  if (typeof id !== "string") return "it is not a string";
  if (id.length === 0 || id.length > MAX_SOURCE_ID) {
    return `it has ${id.length} characters; use 1 to ${MAX_SOURCE_ID}`;
  }
  if (/[\u0000-\u001f\u007f]/.test(id)) return "it holds a control character";
  if (loneSurrogateAt(id) >= 0) return "it holds a lone surrogate (not well-formed Unicode)";
  return void 0;
}
var StateError = class extends TypeError {
  /** @internal */
  constructor(message) {
    super(message);
    this.name = "StateError";
  }
};
function encodeState(state, w = new ProtoWriter(4096)) {
  w.reset();
  const strings = /* @__PURE__ */ new Map();
  const intern = (s) => {
    let i = strings.get(s);
    if (i === void 0) strings.set(s, i = strings.size);
    return i;
  };
  for (const f of state.families) {
    intern(f.name);
    intern(f.help);
    if (f.unit !== void 0) intern(f.unit);
    for (const n of f.labelNames) intern(n);
    for (const s of f.series) for (const v of s.labels) intern(v);
  }
  w.uint32(MAGIC0);
  w.uint32(MAGIC1);
  w.uint32(STATE_VERSION);
  w.uint32(0);
  w.string(state.source);
  w.uint64(state.seq);
  w.double(state.time);
  w.double(state.start ?? 0);
  w.uint64(strings.size);
  for (const s of strings.keys()) w.string(s);
  w.uint64(state.families.length);
  const time = state.time;
  for (const f of state.families) {
    w.uint32(TYPES2.indexOf(f.type));
    w.uint64(strings.get(f.name));
    w.uint64(strings.get(f.help));
    w.uint64(f.unit === void 0 ? 0 : strings.get(f.unit) + 1);
    w.uint64(f.labelNames.length);
    for (const n of f.labelNames) w.uint64(strings.get(n));
    if (f.type === "histogram") doubles(w, f.buckets);
    if (f.type === "summary") {
      doubles(w, f.percentiles);
      w.double(f.maxAgeMs ?? 0);
    }
    w.uint64(f.series.length);
    for (const s of f.series) {
      for (const v of s.labels) w.uint64(strings.get(v));
      const ago = Math.round(time - s.created * 1e3);
      w.uint64(ago > 0 && ago < TWO52 ? ago : 0);
      switch (f.type) {
        case "counter":
        case "gauge":
          num(w, s.value);
          break;
        case "histogram":
          num(w, s.sum);
          for (const c of s.counts) w.uint64(c);
          if (s.native === void 0) w.uint32(0);
          else writeNative(w, s.native);
          break;
        case "summary":
          num(w, s.sum);
          w.uint64(s.count);
          if (f.percentiles.length === 0) break;
          if (f.maxAgeMs) {
            const live = s.slots.filter((x) => x.expiresAt > time && x.sketch.count > 0);
            w.uint64(live.length);
            for (const x of live) {
              w.uint64(Math.ceil(x.expiresAt - time));
              writeSketch(w, x.sketch);
            }
          } else writeSketch(w, s.sketch);
      }
    }
  }
  return w.finish();
}
function doubles(w, xs) {
  w.uint64(xs.length);
  for (const x of xs) w.double(x);
}
function num(w, v) {
  if (v >= 0 && v <= TWO52 && Number.isInteger(v)) w.uint64(v * 2);
  else {
    w.uint32(1);
    w.double(v);
  }
}
function writeSketch(w, s) {
  w.uint64(s.zero);
  w.double(s.count === 0 ? 0 : s.min);
  w.double(s.count === 0 ? 0 : s.max);
  writeStore(w, s.pos);
  writeStore(w, s.neg);
}
function writeNative(w, n) {
  w.uint32(1);
  w.sint(n.schema);
  w.double(n.zeroThreshold);
  w.uint64(n.zeroCount);
  writeBuckets(w, n.positive);
  writeBuckets(w, n.negative);
}
function writeBuckets(w, buckets) {
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  w.uint64(keys.length);
  for (let i = 0; i < keys.length; i++) {
    if (i === 0) w.sint(keys[0]);
    else w.uint64(keys[i] - keys[i - 1] - 1);
    w.uint64(buckets.get(keys[i]));
  }
}
function writeStore(w, st) {
  const c = st.counts;
  let lo = 0, hi = c.length;
  while (lo < hi && c[lo] === 0) lo++;
  while (hi > lo && c[hi - 1] === 0) hi--;
  w.sint(st.offset + lo);
  w.uint64(hi - lo);
  for (let i = lo; i < hi; i++) w.uint64(c[i]);
}
var utf8 = /* @__PURE__ */ new TextDecoder("utf-8", { fatal: true });
var Reader = class {
  constructor(buf) {
    this.buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  buf;
  pos = 0;
  #view;
  get left() {
    return this.buf.length - this.pos;
  }
  fail(what) {
    throw new StateError(`Bad aggregation state at byte ${this.pos}: ${what}`);
  }
  uint() {
    let v = 0, mul = 1;
    const b = this.buf;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= b.length) this.fail("truncated");
      const x = b[this.pos++];
      v += (x & 127) * mul;
      if (x < 128) {
        if (v > Number.MAX_SAFE_INTEGER) this.fail("integer beyond 2^53");
        return v;
      }
      mul *= 128;
    }
    return this.fail("integer beyond 2^53");
  }
  /** A count of things each taking at least `size` bytes: never more than the bytes left. */
  len(size = 1) {
    const n = this.uint();
    if (n * size > this.left) this.fail(`count ${n} exceeds the ${this.left} bytes left`);
    return n;
  }
  double() {
    if (this.left < 8) this.fail("truncated");
    const v = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  sint() {
    const v = this.uint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
  num() {
    const v = this.uint();
    if (v === 1) return this.double();
    if (v % 2 !== 0) this.fail(`bad number tag ${v}`);
    return v / 2;
  }
  string() {
    const n = this.len();
    const s = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    try {
      return utf8.decode(s);
    } catch {
      return this.fail("a string is not UTF-8");
    }
  }
};
function decodeState(bytes, receivedAt) {
  if (!(bytes instanceof Uint8Array)) {
    throw new StateError("An aggregation state must be a Uint8Array");
  }
  const r = new Reader(bytes);
  if (bytes.length < 3 || bytes[0] !== MAGIC0 || bytes[1] !== MAGIC1) {
    r.fail('not a promedge aggregation state (no "pa" magic)');
  }
  r.pos = 2;
  const version = r.uint();
  if (version !== STATE_VERSION && version !== 2) {
    r.fail(
      `version ${version}, but this aggregator reads versions 2 and ${STATE_VERSION}; run the same promedge version on both sides`
    );
  }
  if (r.uint() !== 0) r.fail("unknown flags");
  const source = r.string();
  const badId = badSourceId(source);
  if (badId !== void 0) r.fail(`the source id cannot be used: ${badId}`);
  const seq = r.uint();
  const time = r.double();
  if (!Number.isFinite(time)) r.fail("the time is not finite");
  let start;
  if (version > 2) {
    start = r.double();
    if (!(start >= 0 && start < Infinity)) r.fail("the start time is not a finite number >= 0");
    if (start === 0) start = void 0;
  }
  const strings = new Array(r.len());
  for (let i = 0; i < strings.length; i++) strings[i] = r.string();
  const str = () => {
    const i = r.uint();
    return i < strings.length ? strings[i] : r.fail(`string index ${i} out of range`);
  };
  const families = new Array(r.len(6));
  const names = /* @__PURE__ */ new Set();
  let expanded = 0;
  const grow = (n) => {
    if ((expanded += n) > MAX_EXPANDED) {
      r.fail(
        "the state expands to more than 64 MiB of names, help and label text (its strings are used over and over)"
      );
    }
  };
  for (let f = 0; f < families.length; f++) {
    const type = TYPES2[r.uint()] ?? r.fail("unknown family type");
    const name = str();
    try {
      checkMetricName(name);
    } catch (e) {
      r.fail(e.message);
    }
    if (names.has(name)) r.fail(`family "${name}" appears twice`);
    names.add(name);
    const help = str();
    const u = r.uint();
    const unit = u === 0 ? void 0 : u - 1 < strings.length ? strings[u - 1] : r.fail("bad unit");
    const labelNames = new Array(r.len());
    for (let i = 0; i < labelNames.length; i++) {
      labelNames[i] = str();
      try {
        checkLabelName(name, labelNames[i]);
      } catch (e) {
        r.fail(e.message);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) r.fail(`"${name}" repeats a label name`);
    grow(name.length + help.length + (unit?.length ?? 0));
    const fam = { name, help, type, unit, labelNames, series: [] };
    if (type === "histogram") {
      fam.buckets = readBounds(r, name, "bucket", -Infinity, Infinity);
      if (labelNames.includes("le")) r.fail(`histogram "${name}" has a label "le"`);
    } else if (type === "summary") {
      fam.percentiles = readBounds(r, name, "quantile", 0, 1);
      const maxAgeMs = r.double();
      if (!(maxAgeMs >= 0 && maxAgeMs < Infinity)) r.fail(`"${name}": bad window ${maxAgeMs}`);
      fam.maxAgeMs = maxAgeMs;
      if (labelNames.includes("quantile")) r.fail(`summary "${name}" has a label "quantile"`);
    }
    const series = fam.series = new Array(r.len(1 + labelNames.length));
    const seen = /* @__PURE__ */ new Set();
    for (let i = 0; i < series.length; i++) {
      const labels = new Array(labelNames.length);
      for (let j = 0; j < labels.length; j++) labels[j] = str();
      for (let j = 0; j < labels.length; j++) grow(labelNames[j].length + labels[j].length + 4);
      const text = labelText(labelNames, labels);
      if (seen.has(text)) r.fail(`"${name}" has the series {${text}} twice`);
      seen.add(text);
      const created = (time - r.uint()) / 1e3;
      const s = { labels, labelText: text, created, value: 0, sum: 0, count: 0 };
      series[i] = s;
      readSeries(r, fam, s, receivedAt);
    }
    families[f] = fam;
  }
  if (r.left !== 0) r.fail(`${r.left} bytes after the end`);
  return start === void 0 ? { source, seq, time, families } : { source, seq, time, start, families };
}
function readBounds(r, name, what, lo, hi) {
  const xs = new Array(r.len(8));
  for (let i = 0; i < xs.length; i++) {
    xs[i] = r.double();
    if (!(xs[i] > lo && xs[i] < hi) || i > 0 && !(xs[i] > xs[i - 1])) {
      r.fail(`"${name}": ${what} ${xs[i]} is out of range or order`);
    }
  }
  return xs;
}
function readSeries(r, fam, s, receivedAt) {
  const name = fam.name;
  switch (fam.type) {
    case "counter":
      s.value = r.num();
      if (!(s.value >= 0 && s.value < Infinity)) r.fail(`counter "${name}" has value ${s.value}`);
      return;
    case "gauge":
      s.value = r.num();
      return;
    case "info":
      return;
    case "histogram": {
      s.sum = r.num();
      if (Number.isNaN(s.sum)) r.fail(`histogram "${name}" has sum NaN`);
      const n = fam.buckets.length + 1;
      if (n > r.left) r.fail("truncated");
      const counts = s.counts = new Array(n);
      let total = 0;
      for (let b = 0; b < n; b++) total += counts[b] = r.uint();
      if (total > Number.MAX_SAFE_INTEGER) r.fail(`histogram "${name}": count beyond 2^53`);
      s.count = total;
      const flag = r.uint();
      if (flag === 1) s.native = readNative(r, name, total);
      else if (flag !== 0) r.fail(`histogram "${name}": bad native flag ${flag}`);
      return;
    }
    case "summary": {
      s.sum = r.num();
      if (Number.isNaN(s.sum)) r.fail(`summary "${name}" has sum NaN`);
      s.count = r.uint();
      if (fam.percentiles.length === 0) return;
      if (!fam.maxAgeMs) {
        s.sketch = readSketch(r, name);
        if (s.sketch.count !== s.count) {
          r.fail(
            `summary "${name}": the sketch holds ${s.sketch.count} of ${s.count} observations`
          );
        }
        return;
      }
      const slots = s.slots = new Array(r.len(4));
      for (let i = 0; i < slots.length; i++) {
        const left = r.uint();
        if (left > fam.maxAgeMs) r.fail(`summary "${name}": a slot outlives the window`);
        slots[i] = { expiresAt: receivedAt + left, sketch: readSketch(r, name) };
      }
    }
  }
}
function readNative(r, name, count) {
  const schema = r.sint();
  if (!(schema >= -4 && schema <= 8)) r.fail(`histogram "${name}": native schema ${schema}`);
  const zeroThreshold = r.double();
  if (!(zeroThreshold >= 0 && zeroThreshold < Infinity)) {
    r.fail(`histogram "${name}": native zero threshold ${zeroThreshold}`);
  }
  const zeroCount = r.uint();
  const positive2 = readBuckets(r, name);
  const negative = readBuckets(r, name);
  let total = zeroCount;
  for (const c of positive2.values()) total += c;
  for (const c of negative.values()) total += c;
  if (total > count) {
    r.fail(`histogram "${name}": ${total} observations in native buckets but ${count} in all`);
  }
  return { schema, zeroThreshold, zeroCount, positive: positive2, negative };
}
function readBuckets(r, name) {
  const n = r.len(2);
  const out = /* @__PURE__ */ new Map();
  let k = 0;
  for (let i = 0; i < n; i++) {
    k = i === 0 ? r.sint() : k + 1 + r.uint();
    if (Math.abs(k) > MAX_NATIVE_INDEX) r.fail(`histogram "${name}": native bucket index ${k}`);
    const c = r.uint();
    if (c > 0) out.set(k, c);
  }
  return out;
}
function readSketch(r, name) {
  const s = new Sketch();
  s.zero = r.uint();
  const min = r.double();
  const max = r.double();
  readStore(r, s.pos, name);
  readStore(r, s.neg, name);
  if (s.count > Number.MAX_SAFE_INTEGER) r.fail(`summary "${name}": count beyond 2^53`);
  if (s.count > 0) {
    if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) {
      r.fail(`summary "${name}": bad min/max ${min}/${max}`);
    }
    s.min = min;
    s.max = max;
  }
  return s;
}
function readStore(r, st, name) {
  const offset = r.sint();
  const n = r.len();
  if (n > MAX_STORE) r.fail(`summary "${name}": a sketch of ${n} buckets`);
  if (Math.abs(offset) > 1e6) r.fail(`summary "${name}": sketch index ${offset} is out of range`);
  const counts = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) total += counts[i] = r.uint();
  st.counts = counts;
  st.offset = offset;
  st.total = total;
}

// ../../src/exposition/protobuf.ts
var PROTOBUF_CONTENT_TYPE = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
var COUNTER = 0;
var GAUGE = 1;
var SUMMARY = 2;
var UNTYPED = 3;
var HISTOGRAM = 4;
var VARINT = 0;
function familyHead(w, name, help, type) {
  w.fork();
  w.stringField(1, name);
  w.stringField(2, help);
  w.uintField(3, type);
}
function labelPairs(w, labels) {
  for (const k in labels) {
    w.fork(1);
    w.stringField(1, k);
    w.stringField(2, labels[k]);
    w.join();
  }
}
function timestamp(w, field, seconds) {
  let s = Math.floor(seconds);
  let nanos = Math.round((seconds - s) * 1e6) * 1e3;
  if (nanos >= 1e9) {
    s++;
    nanos -= 1e9;
  }
  w.fork(field);
  w.int64Field(1, s);
  if (nanos > 0) {
    w.tag(2, VARINT);
    w.uint32(nanos);
  }
  w.join();
}
function exemplar(w, field, e) {
  w.fork(field);
  labelPairs(w, e.labels);
  w.doubleField(2, e.value);
  if (e.timestamp !== void 0) timestamp(w, 3, e.timestamp);
  w.join();
}
function spans(w, field, list) {
  for (const sp of list) {
    w.fork(field);
    if (sp.offset !== 0) w.sintField(1, sp.offset);
    w.uintField(2, sp.length);
    w.join();
  }
}
var EMPTY_BUCKET = [0];
function deltas(w, field, list) {
  if (list.length === 0) return;
  w.fork(field);
  for (const d of list) w.sint(d);
  w.join();
}
function take(w) {
  w.join();
  const out = w.finish();
  w.reset();
  return out;
}
function makeWriter() {
  const w = new ProtoWriter(1 << 16);
  const metric = (s) => {
    w.fork(4);
    labelPairs(w, s.labels);
  };
  const done = (to, n) => to === n ? take(w) : "";
  return {
    counter(f, from, to) {
      if (from === 0) familyHead(w, f.name, f.help, COUNTER);
      for (let i = from; i < to; i++) {
        const s = f.series[i];
        metric(s);
        w.fork(3);
        w.doubleField(1, s.value);
        if (s.exemplar !== void 0) exemplar(w, 2, s.exemplar);
        if (s.created) timestamp(w, 3, s.created);
        w.join();
        w.join();
      }
      return done(to, f.series.length);
    },
    gauge(f, from, to) {
      const untyped = f.type === "untyped";
      if (from === 0) familyHead(w, f.name, f.help, untyped ? UNTYPED : GAUGE);
      for (let i = from; i < to; i++) {
        const s = f.series[i];
        metric(s);
        w.fork(untyped ? 5 : 2);
        w.doubleField(1, s.value);
        w.join();
        w.join();
      }
      return done(to, f.series.length);
    },
    info(f, from, to) {
      if (from === 0) familyHead(w, infoFamily(f.name) + "_info", f.help, GAUGE);
      for (let i = from; i < to; i++) {
        metric(f.series[i]);
        w.fork(2);
        w.doubleField(1, 1);
        w.join();
        w.join();
      }
      return done(to, f.series.length);
    },
    summary(f, from, to) {
      if (from === 0) familyHead(w, f.name, f.help, SUMMARY);
      const qs = f.quantiles;
      for (let i = from; i < to; i++) {
        const s = f.series[i];
        metric(s);
        w.fork(4);
        w.uintField(1, s.count);
        w.doubleField(2, s.sum);
        for (let q = 0; q < qs.length; q++) {
          w.fork(3);
          w.doubleField(1, qs[q]);
          w.doubleField(2, s.quantiles[q]);
          w.join();
        }
        if (s.created) timestamp(w, 4, s.created);
        w.join();
        w.join();
      }
      return done(to, f.series.length);
    },
    histogram(f, from, to) {
      if (from === 0) familyHead(w, f.name, f.help, HISTOGRAM);
      const bounds = f.buckets;
      for (let i = from; i < to; i++) {
        const s = f.series[i];
        metric(s);
        w.fork(7);
        w.uintField(1, s.count);
        w.doubleField(2, s.sum);
        let cum = 0;
        for (let b = 0; b < bounds.length; b++) {
          cum += s.counts[b];
          w.fork(3);
          w.uintField(1, cum);
          w.doubleField(2, bounds[b]);
          const e = s.exemplars?.[b];
          if (e !== void 0) exemplar(w, 3, e);
          w.join();
        }
        const inf = s.exemplars?.[bounds.length];
        if (inf !== void 0) {
          w.fork(3);
          w.uintField(1, cum + s.counts[bounds.length]);
          w.doubleField(2, Infinity);
          exemplar(w, 3, inf);
          w.join();
        }
        const n = s.native;
        if (n !== void 0) {
          w.sintField(5, n.schema);
          w.doubleField(6, n.zeroThreshold);
          w.uintField(7, n.zeroCount);
          spans(w, 9, n.negativeSpans);
          deltas(w, 10, n.negativeDeltas);
          if (n.zeroThreshold > 0 || n.zeroCount > 0 || n.positiveDeltas.length > 0 || n.negativeDeltas.length > 0) {
            spans(w, 12, n.positiveSpans);
            deltas(w, 13, n.positiveDeltas);
          } else {
            w.fork(12);
            w.uintField(2, 1);
            w.join();
            deltas(w, 13, EMPTY_BUCKET);
          }
        }
        if (s.created) timestamp(w, 15, s.created);
        if (n?.exemplars) {
          for (const e of n.exemplars) exemplar(w, 16, e);
        }
        w.join();
        w.join();
      }
      return done(to, f.series.length);
    },
    end() {
      return "";
    }
  };
}
var protobufFormat = {
  name: "protobuf",
  contentType: PROTOBUF_CONTENT_TYPE,
  needsLabels: true,
  accepts(type, params) {
    return type === "application/vnd.google.protobuf" && params.proto === "io.prometheus.client.MetricFamily" && params.encoding === "delimited";
  },
  writer() {
    return makeWriter();
  }
};

// ../../src/metrics/_native.ts
var NATIVE_SCHEMA_MIN = -4;
var DEFAULT_ZERO_THRESHOLD = 2 ** -128;
var DEFAULT_MAX_BUCKETS = 160;
var f64 = new Float64Array(1);
var i32 = new Int32Array(f64.buffer);
var HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
var LO = 1 - HI;
var SIGN = 2147483648 | 0;
var CELLS = new Int32Array(512);
var CELL_LO = new Int32Array(512);
var BOUNDS = new Float64Array(257);
var EXACT = new Uint8Array(256);
var EMPTY2 = new Float64Array(0);
var WHOLE_WINDOW = typeof globalThis.Bun?.version === "string";
var _Runs = class {
  spans = [];
  deltas = [];
  #prev = 0;
  #next = 0;
  add(k, c) {
    const spans2 = this.spans, deltas2 = this.deltas;
    const gap = k - this.#next;
    if (spans2.length === 0) spans2.push({ offset: k, length: 0 });
    else if (gap > 2) spans2.push({ offset: gap, length: 0 });
    else {
      for (let g2 = 0; g2 < gap; g2++) deltas2.push(-this.#prev), this.#prev = 0;
      spans2[spans2.length - 1].length += gap;
    }
    spans2[spans2.length - 1].length++;
    deltas2.push(c - this.#prev);
    this.#prev = c;
    this.#next = k + 1;
  }
};
function nativeRuns(buckets) {
  const out = new _Runs();
  for (const k of [...buckets.keys()].sort((a, b) => a - b)) {
    const c = buckets.get(k);
    if (c !== 0) out.add(k, c);
  }
  return { spans: out.spans, deltas: out.deltas };
}
function nativeView(n, positive2, negative) {
  return {
    schema: n.schema,
    zeroThreshold: n.zeroThreshold,
    zeroCount: n.zeroCount,
    positiveSpans: positive2.spans,
    positiveDeltas: positive2.deltas,
    negativeSpans: negative.spans,
    negativeDeltas: negative.deltas
  };
}

// ../../src/aggregate/_expose.ts
var NO_VALUES = new Float64Array(0);
var PROTOBUF = [protobufFormat];
var MergedFamily = class {
  name;
  reservedNames;
  /** A histogram may carry native parts: protobuf is offered for it. */
  formats;
  #schema;
  #series;
  /** The last value written per counter series: a counter never goes back, even by rounding. */
  #last = /* @__PURE__ */ new Map();
  constructor(schema, series) {
    this.name = schema.name;
    this.reservedNames = reservedNames(schema.type, schema.name);
    this.formats = schema.type === "histogram" ? PROTOBUF : [];
    this.#schema = schema;
    this.#series = series;
  }
  collect(options) {
    const f = this.#schema;
    const all = this.#series();
    const names = f.labelNames;
    const labelsOf = options?.labels === true ? (s) => {
      const out = {};
      for (let i = 0; i < names.length; i++) out[names[i]] = s.labels[i];
      if (s.labels.length > names.length) out.source = s.labels[names.length];
      return out;
    } : () => void 0;
    const head = { name: f.name, help: f.help, unit: f.unit };
    switch (f.type) {
      case "counter": {
        const last = this.#last;
        for (const s of all) {
          const before = last.get(s.labelText);
          if (before !== void 0 && s.value < before) s.value = before;
          else last.set(s.labelText, s.value);
        }
        return {
          ...head,
          type: "counter",
          series: all.map((s) => ({
            labelText: s.labelText,
            labels: labelsOf(s),
            value: s.value,
            created: s.created
          }))
        };
      }
      case "gauge":
        return {
          ...head,
          type: "gauge",
          series: all.map((s) => ({ labelText: s.labelText, labels: labelsOf(s), value: s.value }))
        };
      case "info":
        return {
          ...head,
          type: "info",
          series: all.map((s) => ({ labelText: s.labelText, labels: labelsOf(s) }))
        };
      case "histogram":
        return {
          ...head,
          type: "histogram",
          buckets: f.buckets,
          series: all.map((s) => ({
            labelText: s.labelText,
            labels: labelsOf(s),
            counts: s.counts,
            sum: s.sum,
            count: s.count,
            created: s.created,
            native: s.native && nativeSnapshot(s.native)
          }))
        };
      case "summary": {
        const qs = f.percentiles;
        const scratch = new Sketch();
        return {
          ...head,
          type: "summary",
          quantiles: qs,
          series: all.map((s) => {
            let quantiles = NO_VALUES;
            if (qs.length > 0) {
              let sk = s.sketch;
              if (sk === void 0) {
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
              created: s.created
            };
          })
        };
      }
    }
  }
};
function nativeSnapshot(n) {
  return nativeView(n, nativeRuns(n.positive), nativeRuns(n.negative));
}

// ../../src/aggregate/_native.ts
function copyNative(n) {
  return { ...n, positive: new Map(n.positive), negative: new Map(n.negative) };
}
function lowered(k, d) {
  return k + (1 << d) - 1 >> d;
}
function lower(n, to) {
  const d = n.schema - to;
  if (d <= 0) return;
  for (const side of [n.positive, n.negative]) {
    const old = [...side];
    side.clear();
    for (const [k, c] of old) {
      const j = lowered(k, d);
      side.set(j, (side.get(j) ?? 0) + c);
    }
  }
  n.schema = to;
}
function upper(k, schema) {
  return 2 ** (k * 2 ** -schema);
}
function widen(n, t) {
  if (t <= n.zeroThreshold) return n.zeroThreshold;
  for (let changed = true; changed; ) {
    changed = false;
    for (const side of [n.positive, n.negative]) {
      for (const k of [...side.keys()].sort((a, b) => a - b)) {
        if (upper(k - 1, n.schema) >= t) break;
        n.zeroCount += side.get(k);
        side.delete(k);
        const u = upper(k, n.schema);
        if (u > t) {
          t = u;
          changed = true;
        }
      }
    }
  }
  n.zeroThreshold = t;
  return t;
}
function mergeNative(into, part) {
  const limit = Math.max(
    DEFAULT_MAX_BUCKETS,
    into.positive.size + into.negative.size,
    part.positive.size + part.negative.size
  );
  if (part.zeroThreshold !== into.zeroThreshold) {
    part = copyNative(part);
    let t = Math.max(part.zeroThreshold, into.zeroThreshold);
    while (into.zeroThreshold !== t || part.zeroThreshold !== t) t = widen(part, widen(into, t));
  }
  lower(into, part.schema);
  const d = part.schema - into.schema;
  for (const [from, to] of [[part.positive, into.positive], [part.negative, into.negative]]) {
    for (const [k, c] of from) {
      const j = lowered(k, d);
      to.set(j, (to.get(j) ?? 0) + c);
    }
  }
  into.zeroCount += part.zeroCount;
  while (into.schema > NATIVE_SCHEMA_MIN && into.positive.size + into.negative.size > limit) {
    lower(into, into.schema - 1);
  }
}

// ../../src/aggregate/_merge.ts
var GAUGE_MODES = [
  "sum",
  "min",
  "max",
  "average",
  "last",
  "first",
  "source"
];
function blank(s, nb) {
  return {
    labels: s.labels,
    labelText: s.labelText,
    created: s.created,
    value: 0,
    sum: 0,
    count: 0,
    counts: nb > 0 ? new Array(nb).fill(0) : void 0
  };
}
function addParts(schema, parts, now) {
  const out = /* @__PURE__ */ new Map();
  const nb = schema.type === "histogram" ? schema.buckets.length + 1 : 0;
  const windowed = schema.type === "summary" && !!schema.maxAgeMs;
  const sketched = schema.type === "summary" && schema.percentiles.length > 0;
  for (const fam of parts) {
    for (const s of fam.series) {
      let m = out.get(s.labelText);
      if (m === void 0) {
        out.set(s.labelText, m = blank(s, nb));
        if (sketched && !windowed) m.sketch = new Sketch();
        if (windowed) m.slots = [];
        if (s.native !== void 0) m.native = copyNative(s.native);
      } else if (m.native !== void 0) {
        if (s.native === void 0) m.native = void 0;
        else mergeNative(m.native, s.native);
      }
      if (s.created < m.created) m.created = s.created;
      m.value += s.value;
      m.sum += s.sum;
      m.count += s.count;
      if (nb > 0) {
        const c = m.counts;
        for (let i = 0; i < nb; i++) c[i] += s.counts[i];
      }
      if (m.sketch !== void 0 && s.sketch !== void 0) m.sketch.merge(s.sketch);
      if (m.slots !== void 0 && s.slots !== void 0) {
        for (const x of s.slots) if (x.expiresAt > now) m.slots.push(x);
      }
    }
  }
  return [...out.values()];
}
function mergeGauges(parts, mode) {
  const out = /* @__PURE__ */ new Map();
  for (const { fam, source, receivedAt } of parts) {
    for (const s of fam.series) {
      if (mode === "source") {
        const labels = [...s.labels, source];
        const labelText2 = (s.labelText ? s.labelText + "," : "") + 'source="' + source.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : "\\" + c) + '"';
        out.set(labelText2, { ...s, labels, labelText: labelText2, at: receivedAt, n: 1 });
        continue;
      }
      const m = out.get(s.labelText);
      if (m === void 0) {
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
      }
    }
  }
  const merged = [...out.values()];
  if (mode === "average") {
    for (const m of merged) m.value /= m.n;
  }
  return merged;
}
function uniteInfo(parts) {
  const out = /* @__PURE__ */ new Map();
  for (const fam of parts) for (const s of fam.series) out.set(s.labelText, s);
  return [...out.values()];
}

// ../../src/aggregate/aggregator.ts
var SELF = "promedge_aggregation_";
var BASE = "(retained)";
function sameShape(a, b) {
  if (a.type !== b.type) return `as a ${b.type}, but the aggregator has it as a ${a.type}`;
  if (a.labelNames.join() !== b.labelNames.join()) {
    return `with labels (${b.labelNames.join(", ")}), but the aggregator has (${a.labelNames.join(", ")})`;
  }
  if (a.unit !== b.unit) return `with unit ${b.unit}, but the aggregator has ${a.unit}`;
  if (String(a.buckets) !== String(b.buckets)) {
    return `with buckets [${b.buckets}], but the aggregator has [${a.buckets}]`;
  }
  if (String(a.percentiles) !== String(b.percentiles) || (a.maxAgeMs ?? 0) !== (b.maxAgeMs ?? 0)) {
    return `with quantiles [${b.percentiles}] over ${b.maxAgeMs || "no"} ms window, but the aggregator has [${a.percentiles}] over ${a.maxAgeMs || "no"} ms`;
  }
  return void 0;
}
function stamp(receivedAt, retiredAt, bytes) {
  const out = new Uint8Array(16 + bytes.length);
  const v = new DataView(out.buffer);
  v.setFloat64(0, receivedAt, true);
  v.setFloat64(8, retiredAt, true);
  out.set(bytes, 16);
  return out;
}
var Aggregator = class {
  /** The registry holding the merged families and the freshness metrics. */
  registry;
  #retireAfter;
  #forgetAfter;
  #gauges = /* @__PURE__ */ new Map();
  #store;
  #now;
  #live = /* @__PURE__ */ new Map();
  #retired = /* @__PURE__ */ new Map();
  /** Forgotten ids, each with the start of the run folded (sender's clock; 0: none). */
  #forgotten = /* @__PURE__ */ new Map();
  #schema = /* @__PURE__ */ new Map();
  #base = /* @__PURE__ */ new Map();
  #order;
  #messages = { accepted: 0, stale: 0, invalid: 0, forgotten: 0 };
  #storeFailures = 0;
  #restarts = 0;
  #conflicts = /* @__PURE__ */ new Map();
  /** Creates an aggregator with nothing in it. */
  constructor(options = {}) {
    this.registry = options.registry ?? new Registry();
    this.#retireAfter = positive(options.retireAfterMs ?? 6e4, "retireAfterMs");
    this.#forgetAfter = positive(options.forgetAfterMs ?? 36e5, "forgetAfterMs");
    for (const [name, mode] of Object.entries(options.gauges ?? {})) {
      this.#gauges.set(name, checkMode("Aggregator", name, mode));
    }
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.registry.registerCollector(() => this.#selfFamilies());
  }
  /**
   * Sets how the gauge family `name` merges from the next scrape on, as the
   * `gauges` option does: for families whose mode is only known once sources
   * report (the prom-client entry's `aggregator`). `source` is refused for a
   * family that has a `source` label of its own.
   */
  setGaugeMode(name, mode) {
    checkMode("Aggregator.setGaugeMode()", name, mode);
    if (mode === "source" && this.#schema.get(name)?.labelNames.includes("source")) {
      throw new TypeError(
        `Aggregator.setGaugeMode(): gauge "${name}" has a label "source" of its own, which mode "source" adds; pick another mode`
      );
    }
    this.#gauges.set(name, mode);
  }
  /** The number of sources reporting now. */
  get sources() {
    this.sweep();
    return this.#live.size;
  }
  /**
   * Takes one state message. Throws {@link StateError} for a message that
   * cannot be read (nothing is changed); families that clash with the
   * aggregator's (another type, labels or buckets) are left out and named in
   * the result.
   */
  ingest(bytes) {
    const now = this.#now();
    this.sweep(now);
    let state;
    try {
      state = decodeState(bytes, now);
    } catch (e) {
      this.#messages.invalid++;
      throw e instanceof StateError ? e : new StateError(String(e));
    }
    const id = state.source;
    const start = state.start ?? 0;
    const folded = this.#forgotten.get(id);
    if (folded !== void 0) {
      if (!(start > folded)) {
        this.#messages.forgotten++;
        return { status: "forgotten", conflicts: [] };
      }
      this.#forgotten.delete(id);
      this.#persistBase(now);
    }
    const prev = this.#live.get(id) ?? this.#retired.get(id);
    if (prev !== void 0) {
      const was = prev.state.start ?? 0;
      if (start < was || start === was && state.seq <= prev.state.seq) {
        this.#messages.stale++;
        return { status: "stale", conflicts: [] };
      }
      if (start > was) {
        this.#fold(prev, now);
        this.#restarts++;
        this.#persistBase(now);
      }
    }
    const conflicts = this.#admit(state);
    this.#retired.delete(id);
    this.#live.set(id, entry(state, now, NaN));
    this.#order = void 0;
    this.#messages.accepted++;
    if (this.#store) {
      if (prev !== void 0 && !Number.isNaN(prev.retiredAt)) this.#save("retired:" + id);
      this.#save(
        "live:" + id,
        stamp(now, NaN, conflicts.length > 0 ? encodeState({ ...state, time: now }) : bytes)
      );
    }
    return { status: "accepted", conflicts };
  }
  /** Checks each family against the schema; strips and counts the ones that clash. */
  #admit(state) {
    const conflicts = [];
    state.families = state.families.filter((f) => {
      let why;
      const known = this.#schema.get(f.name);
      if (f.name.startsWith(SELF)) why = "a name the aggregator keeps for its own metrics";
      else if (known !== void 0) why = sameShape(known, f);
      else why = this.#define(f);
      if (why === void 0) return true;
      conflicts.push(`Source "${state.source}" sends "${f.name}" ${why}; rename one of them`);
      this.#conflicts.set(f.name, (this.#conflicts.get(f.name) ?? 0) + 1);
      return false;
    });
    return conflicts;
  }
  /** A new family: fixes its shape and registers its entry; returns why not if it cannot be. */
  #define(f) {
    const mode = this.#gauges.get(f.name) ?? "sum";
    if (f.type === "gauge" && mode === "source" && f.labelNames.includes("source")) {
      return `with its own label "source", which gauge mode "source" adds; pick another mode`;
    }
    const schema = { ...f, series: [] };
    try {
      this.registry.register(new MergedFamily(schema, () => this.#merge(schema)));
    } catch (e) {
      return `, which clashes with another family: ${e.message}`;
    }
    this.#schema.set(f.name, schema);
    return void 0;
  }
  /** Every contributing entry, live and retired, in source-id order (stable sums). */
  #sorted() {
    return this.#order ??= [...this.#live.values(), ...this.#retired.values()].sort((a, b) => a.state.source < b.state.source ? -1 : 1);
  }
  #merge(schema) {
    const now = this.#now();
    this.sweep(now);
    const name = schema.name;
    if (schema.type === "gauge" || schema.type === "info") {
      const parts = [];
      for (const e of this.#sorted()) {
        const fam = e.fams.get(name);
        if (fam !== void 0 && e.retiredAt !== e.retiredAt) {
          parts.push({ fam, source: e.state.source, receivedAt: e.receivedAt });
        }
      }
      return schema.type === "info" ? uniteInfo(parts.map((p) => p.fam)) : mergeGauges(parts, this.#gauges.get(name) ?? "sum");
    }
    const fams = [];
    const base = this.#base.get(name);
    if (base !== void 0) fams.push(base);
    for (const e of this.#sorted()) {
      const fam = e.fams.get(name);
      if (fam !== void 0) fams.push(fam);
    }
    return addParts(schema, fams, now);
  }
  /**
   * Retires sources silent for `retireAfterMs` and folds those retired for
   * `forgetAfterMs` into the retained totals. Scrapes and ingests call it;
   * call it yourself only to act on a clock of your own.
   */
  sweep(now = this.#now()) {
    for (const [id, e] of this.#live) {
      if (now - e.receivedAt <= this.#retireAfter) continue;
      this.#live.delete(id);
      e.retiredAt = now;
      this.#retired.set(id, e);
      if (this.#store) {
        this.#save("live:" + id);
        this.#save(
          "retired:" + id,
          stamp(e.receivedAt, now, encodeState({ ...e.state, time: now }))
        );
      }
    }
    let folded = false;
    for (const [id, e] of this.#retired) {
      if (now - e.retiredAt <= this.#forgetAfter) continue;
      this.#retired.delete(id);
      this.#forgotten.set(id, e.state.start ?? 0);
      this.#fold(e, now);
      this.#save("retired:" + id);
      folded = true;
    }
    if (!folded) return;
    this.#order = void 0;
    for (const id of this.#forgotten.keys()) {
      if (this.#forgotten.size <= 1e4) break;
      this.#forgotten.delete(id);
    }
    this.#persistBase(now);
  }
  #fold(e, now) {
    for (const fam of e.state.families) {
      if (fam.type === "gauge" || fam.type === "info") continue;
      const schema = this.#schema.get(fam.name);
      const base = this.#base.get(fam.name);
      const series = addParts(schema, base ? [base, fam] : [fam], now);
      this.#base.set(fam.name, { ...schema, series });
    }
  }
  #persistBase(now) {
    if (!this.#store) return;
    const state = {
      source: BASE,
      seq: 0,
      time: now,
      families: [...this.#base.values()]
    };
    this.#save("base", stamp(now, NaN, encodeState(state)));
    this.#save("forgotten", new TextEncoder().encode(JSON.stringify([...this.#forgotten])));
  }
  /**
   * Puts `value` under `key`, or deletes `key` without a value. A store that
   * throws or rejects is counted, never thrown (a rejection left alone would
   * end a Node process): the state in memory is already right.
   */
  #save(key, value) {
    const store = this.#store;
    if (store === void 0) return;
    try {
      const r = value === void 0 ? store.delete(key) : store.put(key, value);
      if (typeof r?.then === "function") {
        r.then(void 0, () => void this.#storeFailures++);
      }
    } catch {
      this.#storeFailures++;
    }
  }
  /**
   * Loads what a store kept (the Durable Object's constructor does this with
   * `storage.list()`); entries that cannot be read are skipped and returned.
   */
  restore(entries) {
    const bad = [];
    const sorted = [...entries].sort(([a], [b]) => a === "base" ? -1 : b === "base" ? 1 : a < b ? -1 : 1);
    for (const [key, value] of sorted) {
      try {
        if (key === "forgotten") {
          for (const [id, t] of JSON.parse(new TextDecoder().decode(value))) {
            this.#forgotten.set(String(id), Number(t));
          }
          continue;
        }
        const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
        const receivedAt = v.getFloat64(0, true);
        const retiredAt = v.getFloat64(8, true);
        const clock = key.startsWith("retired:") ? retiredAt : receivedAt;
        const state = decodeState(value.subarray(16), clock);
        this.#admit(state);
        if (key === "base") {
          for (const f of state.families) this.#base.set(f.name, f);
        } else if (key.startsWith("live:")) {
          this.#live.set(state.source, entry(state, receivedAt, NaN));
        } else if (key.startsWith("retired:")) {
          this.#retired.set(state.source, entry(state, receivedAt, retiredAt));
        } else bad.push(key);
      } catch {
        bad.push(key);
      }
    }
    this.#order = void 0;
    return bad;
  }
  #selfFamilies() {
    const now = this.#now();
    this.sweep(now);
    let oldest = now;
    for (const e of this.#live.values()) if (e.receivedAt < oldest) oldest = e.receivedAt;
    return [
      {
        name: SELF + "sources",
        help: "Sources whose latest state is merged into this page (reporting within the retirement timeout).",
        type: "gauge",
        samples: [{ value: this.#live.size }]
      },
      {
        name: SELF + "retired_sources",
        help: "Sources that stopped reporting, kept in the totals and able to rejoin.",
        type: "gauge",
        samples: [{ value: this.#retired.size }]
      },
      {
        name: SELF + "oldest_state_age_seconds",
        help: "Age of the oldest state merged into this page (0 without sources).",
        type: "gauge",
        samples: [{ value: (now - oldest) / 1e3 }]
      },
      {
        name: SELF + "messages_total",
        help: "State messages received by this aggregator instance, by what became of them.",
        type: "counter",
        samples: Object.entries(this.#messages).map(([result, value]) => ({
          labels: { result },
          value
        }))
      },
      ...this.#store === void 0 ? [] : [{
        name: SELF + "store_failures_total",
        help: "Writes to the aggregator's store that failed (the totals in memory are exact; a restart may lose what was not kept).",
        type: "counter",
        samples: [{ value: this.#storeFailures }]
      }],
      {
        name: SELF + "source_restarts_total",
        help: "Sources that reported again under their id from a new run (a restarted process): the last run's totals were kept.",
        type: "counter",
        samples: [{ value: this.#restarts }]
      },
      {
        name: SELF + "conflicts_total",
        help: "Families left out of a source's state because they clash with the aggregator's shape.",
        type: "counter",
        samples: [...this.#conflicts].map(([family, value]) => ({ labels: { family }, value }))
      }
    ];
  }
};
function entry(state, receivedAt, retiredAt) {
  return { state, fams: new Map(state.families.map((f) => [f.name, f])), receivedAt, retiredAt };
}
function checkMode(where, name, mode) {
  if (typeof name !== "string") {
    throw new TypeError(`${where}: the gauge's name must be a string, got ${typeof name}`);
  }
  if (!GAUGE_MODES.includes(mode)) {
    throw new TypeError(
      `${where}: gauge "${name}" has mode ${JSON.stringify(mode)}; use ${GAUGE_MODES.map((m) => `"${m}"`).join(", ")}`
    );
  }
  return mode;
}
function positive(v, name) {
  if (!(v > 0)) throw new RangeError(`Aggregator: ${name} must be a number of ms > 0, got ${v}`);
  return v;
}

// ../../src/platform/runtime.ts
function detectRuntime(g2 = globalThis) {
  const deno = g2.Deno?.version;
  if (typeof deno?.deno === "string") {
    const extra = {};
    if (typeof deno.v8 === "string") extra.v8 = deno.v8;
    if (typeof deno.typescript === "string") extra.typescript = deno.typescript;
    return { runtime: "deno", version: deno.deno, extra };
  }
  if (typeof g2.Bun?.version === "string") {
    const extra = {};
    if (typeof g2.Bun.revision === "string") extra.revision = g2.Bun.revision;
    return { runtime: "bun", version: g2.Bun.version, extra };
  }
  if (g2.navigator?.userAgent === "Cloudflare-Workers") {
    return { runtime: "workerd", version: "", extra: {} };
  }
  const node = g2.process?.versions?.node;
  if (typeof node === "string") return { runtime: "node", version: node, extra: {} };
  if (g2.window !== void 0 && g2.document !== void 0) {
    return { runtime: "browser", version: "", extra: {} };
  }
  return { runtime: "unknown", version: "", extra: {} };
}

// ../../src/exposition/openmetrics.ts
var OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
function header2(name, help, type, unit) {
  return "# TYPE " + name + " " + type + "\n" + (unit ? "# UNIT " + name + " " + unit + "\n" : "") + "# HELP " + name + " " + escapeHelp(help, true) + "\n";
}
function exemplarText(e) {
  let labels = "";
  for (const k in e.labels) {
    labels += (labels ? "," : "") + k + '="' + escapeLabelValue(e.labels[k]) + '"';
  }
  return " # {" + labels + "} " + formatValue(e.value) + (e.timestamp === void 0 ? "" : " " + e.timestamp);
}
function lineWith(name, labelText2, value, e) {
  const l = line(name, labelText2, value);
  return e === void 0 ? l : l.slice(0, -1) + exemplarText(e) + "\n";
}
function makeWriter2(created) {
  return {
    counter(f, from, to) {
      const fam = counterFamily(f.name);
      const total = fam + "_total";
      const createdName = fam + "_created";
      let out = from === 0 ? header2(fam, f.help, "counter", f.unit) : "";
      for (let i = from; i < to; i++) {
        const s = f.series[i];
        out += s.exemplar === void 0 ? line(total, s.labelText, s.value) : lineWith(total, s.labelText, s.value, s.exemplar);
        if (created && s.created) out += line(createdName, s.labelText, s.created);
      }
      return out;
    },
    gauge(f, from, to) {
      const type = f.type === "untyped" ? "unknown" : "gauge";
      let out = from === 0 ? header2(f.name, f.help, type, f.unit) : "";
      for (let i = from; i < to; i++) out += line(f.name, f.series[i].labelText, f.series[i].value);
      return out;
    },
    info(f, from, to) {
      const fam = infoFamily(f.name);
      const sample = fam + "_info";
      let out = from === 0 ? header2(fam, f.help, "info", void 0) : "";
      for (let i = from; i < to; i++) out += line(sample, f.series[i].labelText, 1);
      return out;
    },
    histogram(f, from, to) {
      const name = f.name;
      let out = from === 0 ? header2(name, f.help, "histogram", f.unit) : "";
      const les = leTexts(f.buckets);
      const nb = les.length;
      const bucket = name + "_bucket{";
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
          out += prefix + les[b] + "} " + cum + (e === void 0 ? "\n" : exemplarText(e) + "\n");
        }
        if (s.sum >= 0 && !negativeBuckets) {
          out += line(name + "_sum", lt, s.sum);
          out += line(name + "_count", lt, s.count);
        }
        if (created && s.created) out += line(name + "_created", lt, s.created);
      }
      return out;
    },
    summary(f, from, to) {
      const name = f.name;
      let out = from === 0 ? header2(name, f.help, "summary", f.unit) : "";
      const qs = quantileTexts(f.quantiles);
      const open = name + "{";
      for (let i = from; i < to; i++) {
        const s = f.series[i];
        const lt = s.labelText;
        const prefix = lt === "" ? open : open + lt + ",";
        for (let q = 0; q < qs.length; q++) {
          const v = s.quantiles[q];
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
    end() {
      return "# EOF\n";
    }
  };
}
var plain = makeWriter2(false);
var withCreated = makeWriter2(true);
var openMetricsFormat = {
  name: "openmetrics",
  contentType: OPENMETRICS_CONTENT_TYPE,
  needsLabels: false,
  nativeHistograms: false,
  accepts(type, params) {
    const v = params.version;
    return type === "application/openmetrics-text" && (v === void 0 || v === "1.0.0" || v === "0.0.1");
  },
  writer(options) {
    return options?.createdTimestamps === true ? withCreated : plain;
  }
};

// ../../src/exposition/negotiate.ts
function parseList(header3) {
  const out = [];
  header3.split(",").forEach((part, order) => {
    const [type, ...rest] = part.split(";");
    const params = {};
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0) {
        params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, "");
      }
    }
    out.push({ type: type.trim().toLowerCase(), params, q: _qvalue(params.q), order });
  });
  return out.filter((c) => c.type !== "" && c.q > 0).sort((a, b) => b.q - a.q || a.order - b.order);
}
var FORMATS = [openMetricsFormat, textFormat];
function negotiate(accept, offered = FORMATS) {
  if (accept) {
    for (const c of parseList(accept)) {
      for (const f of offered) if (f.accepts(c.type, c.params)) return f;
    }
  }
  return textFormat;
}
function _qvalue(q) {
  if (q === void 0) return 1;
  return /^(\d+(\.\d*)?|\.\d+)$/.test(q) ? Math.min(Number(q), 1) : 0;
}
function acceptsGzip(acceptEncoding) {
  if (!acceptEncoding) return false;
  let gzip;
  let identity;
  let star;
  for (const part of acceptEncoding.split(",")) {
    const [coding, ...rest] = part.split(";");
    let q;
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === "q") q = p.slice(eq + 1).trim();
    }
    const w = _qvalue(q);
    const name = coding.trim().toLowerCase();
    if (name === "gzip" || name === "x-gzip") gzip = Math.max(gzip ?? 0, w);
    else if (name === "identity") identity = Math.max(identity ?? 0, w);
    else if (name === "*") star = Math.max(star ?? 0, w);
  }
  const g2 = gzip ?? star ?? 0;
  return g2 > 0 && g2 >= (identity ?? star ?? 0);
}

// ../../src/http/_coalesce.ts
var JOIN_MS = 1e3;
var SharedPage = class {
  #chunks = [];
  #ready;
  #settle;
  #next;
  #done = false;
  #failed = false;
  #error;
  #readers = 0;
  /** When the page started, ms (performance.now()). */
  born = performance.now();
  /** Starts making the page; `settle` is called once, when no scrape may join any more. */
  constructor(make, settle) {
    let settled = false;
    this.#settle = () => {
      if (!settled) settle();
      settled = true;
    };
    this.#ready = make().then((body) => body.getReader(), (e) => {
      this.#settle();
      throw e;
    });
    this.#ready.catch(() => {
    });
  }
  /** A body for one more scrape; rejects as the page's collection does. */
  async join() {
    this.#readers++;
    let source;
    try {
      source = await this.#ready;
    } catch (e) {
      this.#readers--;
      throw e;
    }
    let i = 0;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      if (--this.#readers === 0 && !this.#done) {
        this.#done = true;
        this.#settle();
        source.cancel().catch(() => {
        });
      }
    };
    return new ReadableStream({
      pull: async (controller) => {
        while (i === this.#chunks.length && !this.#done) await this.#more(source);
        if (i < this.#chunks.length) controller.enqueue(this.#chunks[i++]);
        else {
          leave();
          if (this.#failed) controller.error(this.#error);
          else controller.close();
        }
      },
      cancel: leave
    });
  }
  /** Reads the next piece of the page (one read at a time, whoever asks). */
  #more(source) {
    return this.#next ??= source.read().then((r) => {
      if (r.done) {
        this.#done = true;
        this.#settle();
      } else this.#chunks.push(r.value);
    }, (e) => {
      this.#failed = true;
      this.#error = e;
      this.#done = true;
      this.#settle();
    }).finally(() => {
      this.#next = void 0;
    });
  }
};
var inFlight = /* @__PURE__ */ new WeakMap();
function coalesce(owner, key, make) {
  let pages = inFlight.get(owner);
  if (pages === void 0) inFlight.set(owner, pages = /* @__PURE__ */ new Map());
  const found = pages.get(key);
  if (found !== void 0 && performance.now() - found.born < JOIN_MS) return found.join();
  const page = new SharedPage(make, () => {
    if (pages.get(key) === page) pages.delete(key);
  });
  pages.set(key, page);
  return page.join();
}
var ids = /* @__PURE__ */ new WeakMap();
var lastId = 0;
function idOf(o) {
  let id = ids.get(o);
  if (id === void 0) ids.set(o, id = ++lastId);
  return id;
}

// ../../src/http/_gzip.ts
var LEVEL = 2;
var webGzip = (body) => body.pipeThrough(
  new CompressionStream("gzip")
);
function zlibGzip(node) {
  return (body) => {
    const gz = node.zlib.createGzip({ level: LEVEL });
    const { readable, writable } = node.stream.Duplex.toWeb(gz);
    const source = body.getReader();
    const sink = writable.getWriter();
    const out = readable.getReader();
    let cancelled = false;
    (async () => {
      try {
        for (; ; ) {
          const r = await source.read();
          if (r.done || cancelled) break;
          await sink.write(r.value);
        }
        if (!cancelled) await sink.close();
      } catch (e) {
        if (!cancelled) await sink.abort(e).catch(() => {
        });
      }
    })();
    return new ReadableStream({
      async pull(controller) {
        const r = await out.read();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      async cancel(reason) {
        cancelled = true;
        gz.destroy();
        await Promise.all(
          [source.cancel(reason), out.cancel(reason)].map((p) => p.catch(() => {
          }))
        );
      }
    }, { highWaterMark: 0 });
  };
}
function _pickGzip(g2 = globalThis) {
  const runtime = detectRuntime(g2).runtime;
  if (runtime === "deno" || runtime === "bun" || runtime === "node") {
    try {
      const p = g2.process;
      const zlib = p?.getBuiltinModule?.("node:zlib");
      const stream = p?.getBuiltinModule?.("node:stream");
      if (typeof zlib?.createGzip === "function" && typeof stream?.Duplex?.toWeb === "function") {
        return zlibGzip({ zlib, stream });
      }
    } catch {
    }
  }
  return typeof CompressionStream === "function" ? webGzip : void 0;
}

// ../../src/http/handler.ts
function _metricsHandlerFor(registry, options, who = "createMetricsHandler(): ") {
  const { openMetrics = true, protobuf = true, compress = true, onError } = options;
  const served = (f) => (openMetrics || f.name !== "openmetrics") && (protobuf || f.name !== "protobuf");
  const extra = checkFormats(who, options.formats).slice();
  const off = extra.find((f) => !served(f));
  if (off !== void 0) {
    const path = who.slice(who.indexOf(": ") + 2);
    throw new TypeError(
      `${who}formats lists the ${off.name} format, which ${path}${off.name === "protobuf" ? "protobuf" : "openMetrics"}: false turns off; drop one of the two`
    );
  }
  let own = {};
  let offered = [];
  const createdTimestamps = options.createdTimestamps === true;
  return async (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("Method Not Allowed\n", {
        status: 405,
        headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }
      });
    }
    const now = registry.formats;
    if (now !== own) {
      own = now;
      const listed = Array.isArray(now) ? now : [];
      offered = [.../* @__PURE__ */ new Set([...listed, ...extra, ...FORMATS])].filter(
        (f) => isFormat(f) && served(f)
      );
    }
    const format = negotiate(req.headers.get("accept"), offered);
    let names;
    try {
      names = new URL(req.url, "http://localhost").searchParams.getAll("name[]");
    } catch {
      return new Response("Bad Request: malformed URL or Host header\n", {
        status: 400,
        headers: { "content-type": "text/plain; charset=utf-8" }
      });
    }
    const timeoutSeconds = scrapeTimeout(req.headers.get("x-prometheus-scrape-timeout-seconds"));
    const gzip = compress && acceptsGzip(req.headers.get("accept-encoding")) && (gzipper ??= _pickGzip() ?? null) !== null;
    const key = JSON.stringify([idOf(format), createdTimestamps, gzip, [...new Set(names)].sort()]);
    let body;
    try {
      body = await coalesce(registry, key, async () => {
        const page = await registry.stream({ format, names, createdTimestamps, timeoutSeconds });
        return gzip ? gzipper(page) : page;
      });
    } catch (e) {
      try {
        onError?.(e);
      } catch {
      }
      return new Response(
        "An error has occurred while serving metrics:\n\n" + (e instanceof Error ? e.message : String(e)) + "\n",
        { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } }
      );
    }
    const headers = new Headers({
      "content-type": format.contentType,
      vary: "Accept, Accept-Encoding"
    });
    if (gzip) headers.set("content-encoding", "gzip");
    if (req.method === "HEAD") {
      await body.cancel();
      return new Response(null, { status: 200, headers });
    }
    return new Response(
      body,
      gzip ? { status: 200, headers, encodeBody: "manual" } : { status: 200, headers }
    );
  };
}
var gzipper;
function scrapeTimeout(header3) {
  const s = header3 === null ? NaN : Number(header3);
  return s > 0 && s < Infinity ? s : void 0;
}

// ../../src/aggregate/http.ts
var STATE_CONTENT_TYPE = "application/x-promedge-state";
function reply(status, text, headers = {}) {
  return new Response(text + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers }
  });
}
var TYPES3 = [STATE_CONTENT_TYPE, "application/octet-stream"];
async function readBody(req, max, ms) {
  const reader = req.body?.getReader();
  if (reader === void 0) return new Uint8Array(0);
  const parts = [];
  let size = 0;
  let timer;
  const late = new Promise((r) => timer = setTimeout(() => r("late"), ms));
  try {
    for (; ; ) {
      const next = await Promise.race([reader.read(), late]);
      if (next === "late") return reply(408, `The state did not arrive within ${ms} ms`);
      if (next.done) break;
      size += next.value.length;
      if (size > max) return reply(413, `A state may be at most ${max} bytes`);
      parts.push(next.value);
    }
  } catch (e) {
    return reply(400, `Could not read the body: ${e instanceof Error ? e.message : e}`);
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {
    });
  }
  if (parts.length === 1) return parts[0];
  const body = new Uint8Array(size);
  let at = 0;
  for (const p of parts) body.set(p, at), at += p.length;
  return body;
}
function createIngestHandler(aggregator, options = {}) {
  const max = options.maxBytes ?? 16 * 1024 * 1024;
  const ms = options.readTimeoutMs ?? 3e4;
  return async (req) => {
    if (req.method !== "POST") return reply(405, "POST a state here", { allow: "POST" });
    const type = req.headers.get("content-type");
    if (type !== null && !TYPES3.includes(type.split(";")[0].trim().toLowerCase())) {
      await req.body?.cancel().catch(() => {
      });
      return reply(
        415,
        `A state is sent as ${STATE_CONTENT_TYPE}, not ${JSON.stringify(type.slice(0, 100))}`
      );
    }
    if (Number(req.headers.get("content-length")) > max) {
      await req.body?.cancel().catch(() => {
      });
      return reply(413, `A state may be at most ${max} bytes`);
    }
    const body = await readBody(req, max, ms);
    if (body instanceof Response) return body;
    try {
      const r = aggregator.ingest(body);
      return reply(200, [r.status, ...r.conflicts].join("\n"));
    } catch (e) {
      if (e instanceof StateError) return reply(400, e.message);
      return reply(500, `The aggregator failed: ${e instanceof Error ? e.message : e}`);
    }
  };
}
function createAggregatorHandler(aggregator, options = {}) {
  const ingest = createIngestHandler(aggregator, options);
  const page = _metricsHandlerFor(
    aggregator.registry,
    options.metrics ?? {},
    "createAggregatorHandler(): metrics."
  );
  return (req) => {
    if (req.method === "POST") return ingest(req);
    if (req.method === "GET" || req.method === "HEAD") return page(req);
    return Promise.resolve(
      reply(405, "GET or HEAD the page, POST a state", { allow: "GET, HEAD, POST" })
    );
  };
}

// ../../src/aggregate/_chunks.ts
var CHUNK_BYTES = 128 * 1024 - 1024;
var KEYS_PER_CALL = 128;
var PREFIX = "chunk:";
function chunkKey(i, key) {
  return PREFIX + i + ":" + key;
}
function chunkedStore(storage, chunkBytes = CHUNK_BYTES) {
  const counts = /* @__PURE__ */ new Map();
  const dropChunks = (key, from, to, into) => {
    const keys = [];
    for (let i = Math.max(from, 1); i < to; i++) keys.push(chunkKey(i, key));
    for (let i = 0; i < keys.length; i += KEYS_PER_CALL) {
      into.push(storage.delete(keys.slice(i, i + KEYS_PER_CALL)));
    }
  };
  const store = {
    put(key, value) {
      const n = Math.max(1, Math.ceil(value.length / chunkBytes));
      const len = uvarint(n);
      const head = new Uint8Array(len.length + Math.min(chunkBytes, value.length));
      head.set(len);
      head.set(value.subarray(0, chunkBytes), len.length);
      let batch = { [key]: head };
      let size = 1;
      const writes = [];
      for (let i = 1; i < n; i++) {
        if (size === KEYS_PER_CALL) {
          writes.push(storage.put(batch));
          batch = {};
          size = 0;
        }
        batch[chunkKey(i, key)] = value.slice(i * chunkBytes, (i + 1) * chunkBytes);
        size++;
      }
      writes.push(storage.put(batch));
      dropChunks(key, n, counts.get(key) ?? 0, writes);
      counts.set(key, n);
      return Promise.all(writes);
    },
    delete(key) {
      const calls = [];
      dropChunks(key, 1, counts.get(key) ?? 0, calls);
      counts.delete(key);
      calls.push(storage.delete([key]));
      return Promise.all(calls);
    }
  };
  const load = async () => {
    const all = await storage.list();
    const out = [];
    const used = /* @__PURE__ */ new Set();
    for (const [key, head] of all) {
      if (key.startsWith(PREFIX) || !(head instanceof Uint8Array)) continue;
      let n = 0, mul = 1, p = 0;
      while (p < head.length && p < 8) {
        const b = head[p++];
        n += (b & 127) * mul;
        mul *= 128;
        if (b < 128) break;
      }
      const parts = [head.subarray(p)];
      for (let i = 1; i < n; i++) {
        const c = all.get(chunkKey(i, key));
        if (!(c instanceof Uint8Array)) break;
        parts.push(c);
        used.add(chunkKey(i, key));
      }
      if (parts.length !== n) {
        out.push([key, new Uint8Array(0)]);
        continue;
      }
      counts.set(key, n);
      const value = new Uint8Array(parts.reduce((a, c) => a + c.length, 0));
      let at = 0;
      for (const c of parts) value.set(c, at), at += c.length;
      out.push([key, value]);
    }
    const stale = [...all.keys()].filter((k) => k.startsWith(PREFIX) && !used.has(k));
    for (let i = 0; i < stale.length; i += KEYS_PER_CALL) {
      await storage.delete(stale.slice(i, i + KEYS_PER_CALL)).catch(() => {
      });
    }
    return out;
  };
  return { store, load };
}

// ../../src/aggregate/durable_object.ts
function aggregatorObject(options = {}) {
  return class {
    aggregator;
    #handle;
    constructor(state) {
      const { store, load } = chunkedStore(state.storage);
      this.aggregator = new Aggregator({ ...options, store });
      this.#handle = createAggregatorHandler(this.aggregator, options);
      state.blockConcurrencyWhile(async () => {
        this.aggregator.restore(await load());
      });
    }
    fetch(req) {
      return this.#handle(req);
    }
  };
}

// aggregator.ts
var Totals = aggregatorObject({ retireAfterMs: 6e4 });
var aggregator_default = {
  fetch(req, env) {
    return env.TOTALS.get(env.TOTALS.idFromName("totals")).fetch(req);
  }
};
export {
  Totals,
  aggregator_default as default
};
