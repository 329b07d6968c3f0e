// ../../src/_names.ts
var METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
var LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
function isLabelName(name) {
  return LABEL_NAME.test(name) && !name.startsWith("__");
}
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
function checkLabelNames(metric, names, reserved) {
  if (names === void 0) return [];
  if (!Array.isArray(names)) {
    throw new TypeError(
      `Metric "${metric}": labelNames must be an array of strings, got ${typeof names}`
    );
  }
  const seen = /* @__PURE__ */ new Set();
  for (const n of names) {
    checkLabelName(metric, n, reserved);
    if (seen.has(n)) {
      throw new TypeError(
        `Metric "${metric}": label name "${n}" is listed twice in labelNames`
      );
    }
    seen.add(n);
  }
  return Object.freeze([...names]);
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
function checkUnit(metric, unit, base2) {
  if (unit === void 0) return;
  if (typeof unit !== "string" || !UNIT.test(unit)) {
    throw new TypeError(
      `Metric "${metric}": invalid unit ${JSON.stringify(unit)}: a unit must match [a-zA-Z0-9_:]+, e.g. "seconds"`
    );
  }
  if (!base2.endsWith("_" + unit)) {
    throw new TypeError(
      `Metric "${metric}": the name must end with "_${unit}" to carry unit "${unit}"; rename it to "${base2}_${unit}"`
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
var EXEMPLAR_MAX_CODE_POINTS = 128;

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

// ../../src/collector.ts
var PREPARE = /* @__PURE__ */ Symbol("promedge.prepareSlice");
function lazyFamily(family, prepare) {
  Object.defineProperty(family, PREPARE, { value: prepare });
  return family;
}
function prepareSlice(family, from, to) {
  family[PREPARE]?.(from, to);
}

// ../../src/_timers.ts
var MAX_TIMER_MS = 2 ** 31 - 1;

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
function familiesOf(source2, value) {
  if (!Array.isArray(value)) {
    const iterable = value !== null && typeof value === "object" && typeof value[Symbol.iterator] === "function";
    if (!iterable) {
      throw new TypeError(
        `${source2} returned ${picture(value)}; a collector must return (or resolve to) an array of metric families`
      );
    }
    return [...value];
  }
  return value;
}
function collectedFamily(source2, fam) {
  if (fam === null || typeof fam !== "object" || Array.isArray(fam)) {
    throw new TypeError(
      `${source2} returned ${picture(fam)} in its array; each item must be a metric family { name, help, type, samples }`
    );
  }
  const { name, help, type, unit, samples } = fam;
  const where = () => `${source2}, family ${JSON.stringify(name)}`;
  try {
    checkMetricName(name);
  } catch (e) {
    throw new TypeError(`${source2}: ${e.message}`);
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
      throw new TypeError(`${source2}: ${e.message}`);
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
        throw new TypeError(`${source2}: ${e.message}`);
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
function checkFormats(who2, formats) {
  if (formats === void 0) return [];
  const list = Array.isArray(formats) ? formats : void 0;
  const bad = list ? [...list.keys()].find((i) => !isFormat(list[i])) : -1;
  if (bad === void 0) return list;
  throw new TypeError(
    `${who2}formats must be an array of Formats such as [protobufFormat]; ${list ? `formats[${bad}] is ${picture(list[bad])}` : "got " + picture(formats)}`
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

// ../../src/exposition/_page.ts
var PIECE_SERIES = 2e3;
var g = globalThis;
function breath() {
  return new Promise((resolve) => {
    if (typeof g.setImmediate === "function") g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
async function* pagePieces(families2, writer2, chunkSize = 65536) {
  let buf = "";
  for (const f of families2) {
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
    let families2;
    if (options.families !== void 0) {
      families2 = /* @__PURE__ */ new Map();
      for (const f of options.families) families2.set(f.name, f.type);
    }
    const entry = { fn: collector, label, families: families2 };
    if (families2) {
      for (const [n, t] of families2) this.#check(n, reservedNames(t, n), entry);
      for (const [n, t] of families2) {
        for (const r of reservedNames(t, n)) this.#reserved.set(r, entry);
      }
    }
    this.#collectors.set(collector, entry);
  }
  /** Removes a custom collector; returns whether it was there. */
  unregisterCollector(collector) {
    const entry = this.#collectors.get(collector);
    if (entry === void 0) return false;
    this.#collectors.delete(collector);
    for (const [n, h] of [...this.#reserved]) if (h === entry) this.#reserved.delete(n);
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
    const families2 = await this.#gatherAll(options, labels || defaults !== void 0, native);
    return defaults === void 0 ? families2 : families2.map((f) => withDefaultLabels(f, defaults));
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
    const fail = (source2, e) => {
      errors.push(e);
      sources.push(source2);
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
          const source2 = `metric "${m.name}"`;
          running.set(
            source2,
            r.then((f) => {
              out[i] = f;
            }, (e) => fail(source2, e)).finally(() => running.delete(source2))
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
      for (const source2 of running.keys()) {
        fail(
          source2,
          new Error(`${source2} did not finish within ${seconds} s (the scrape's deadline)`)
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
    const families2 = await this.#gather(options, false, format);
    for await (const piece of pagePieces(families2, format.writer(options), size)) {
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
    const families2 = await this.#gather(options, format.needsLabels, format);
    return pageStream(pagePieces(families2, format.writer(options)));
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
  let timer2;
  const deadline = new Promise((resolve) => {
    timer2 = setTimeout(resolve, Math.min(ms, MAX_TIMER_MS));
  });
  return Promise.race([Promise.all(promises).then(() => {
  }), deadline]).finally(
    () => clearTimeout(timer2)
  );
}
function byName(a, b) {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
var defaultRegistry = /* @__PURE__ */ new Registry();

// ../../src/metrics/_overflow.ts
var OVERFLOW_COUNTER = "promedge_series_overflow_total";
var OverflowCounter = class {
  name = OVERFLOW_COUNTER;
  reservedNames = reservedNames("counter", OVERFLOW_COUNTER);
  #registry;
  #cells = /* @__PURE__ */ new Map();
  constructor(registry2) {
    this.#registry = registry2;
  }
  /** The cell of metric `m`; a metric registered again under its name keeps counting in it. */
  cell(m) {
    let c = this.#cells.get(m.name);
    if (c === void 0) {
      c = { value: 0, created: Date.now() / 1e3, owner: m };
      this.#cells.set(m.name, c);
    }
    c.owner = m;
    return c;
  }
  collect(options) {
    const series = [];
    for (const [name, c] of this.#cells) {
      if (this.#registry.get(name) !== c.owner) continue;
      const s = { labelText: `metric="${name}"`, value: c.value, created: c.created };
      series.push(options?.labels ? { ...s, labels: { metric: name } } : s);
    }
    return {
      name: OVERFLOW_COUNTER,
      help: "Updates recorded in a metric's overflow series because it held maxSeries series.",
      type: "counter",
      series
    };
  }
};
var counters = /* @__PURE__ */ new WeakMap();
function overflowCell(registry2, m) {
  let c = counters.get(registry2);
  if (c === void 0 || registry2.get(OVERFLOW_COUNTER) !== c) {
    c = new OverflowCounter(registry2);
    registry2.register(c);
    counters.set(registry2, c);
  }
  return c.cell(m);
}

// ../../src/metrics/_metric.ts
var OVERFLOW_VALUE = "__overflow__";
var METRIC_OPTIONS = [
  "name",
  "help",
  "labelNames",
  "registry",
  "unit",
  "maxSeries",
  "ttlSeconds",
  "now",
  "collect"
];
function checkMetricOptions(kind, opts, extra = []) {
  const name = opts?.name;
  checkOptions(`${kind} ${JSON.stringify(name)}`, opts, [...METRIC_OPTIONS, ...extra]);
}
var EPOCH_MS = Date.now();
function createdNow() {
  const ms = Date.now() - EPOCH_MS;
  return ms >= 0 && ms < 1073741824 ? ms | 0 : ms;
}
function createdSeconds(c) {
  return (EPOCH_MS + c) / 1e3;
}
var SIZE = /* @__PURE__ */ Symbol("size");
var DICT_AT = typeof globalThis.Bun === "object" ? 64 : Infinity;
function isDict(node) {
  return node[SIZE] !== void 0;
}
function toDict(m) {
  const d = /* @__PURE__ */ Object.create(null);
  m.forEach((v, k) => {
    d[k] = v;
  });
  d[SIZE] = m.size;
  return d;
}
var SCRATCH = [];
var One = class {
  constructor(k, v) {
    this.k = k;
    this.v = v;
  }
  k;
  v;
};
function childOf(node, key, last) {
  if (node instanceof Map) return node.get(key);
  if (isDict(node)) return node[key];
  if (node.k !== key) return void 0;
  return last ? node : node.v;
}
function eachChild(node, last, fn) {
  if (node instanceof Map) node.forEach((v, k) => fn(k, v));
  else if (isDict(node)) {
    for (const k in node) fn(k, node[k]);
  } else fn(node.k, last ? node : node.v);
}
function setChild(level, key, child) {
  if (level instanceof Map) {
    level.set(key, child);
    return level.size > DICT_AT ? toDict(level) : level;
  }
  if (level[key] === void 0) level[SIZE]++;
  level[key] = child;
  return level;
}
var Metric = class {
  /** The metric name as given. */
  name;
  /** The help text as given. */
  help;
  /** The label names, in order. */
  labelNames;
  /** The unit, if one was given. */
  unit;
  #root = /* @__PURE__ */ new Map();
  #count = 0;
  #collect;
  /** With maxSeries: what the cap needs (kept apart: metrics without it carry one field). */
  #cap;
  /** With ttlSeconds: what expiry needs. */
  #ttl;
  /** @internal The one series of a metric without labels (set by `_ready`). */
  _single;
  /**
   * The label values of every series a bound child holds, so that the child
   * finds its series again after reset() or remove() (a series keeps only
   * its last label value). Made on the first child.
   */
  #bound;
  /** `name="` for each label name, the start of its label text. */
  #heads;
  /** Checks the options; a subclass finishes with `_ready()`. */
  constructor(opts, reservedLabel) {
    if (opts === null || typeof opts !== "object") {
      throw new TypeError(
        "A metric takes an options object: { name, help, labelNames? }"
      );
    }
    checkMetricName(opts.name);
    if (typeof opts.help !== "string") {
      throw new TypeError(
        `Metric "${opts.name}": help must be a string describing the metric`
      );
    }
    const at = loneSurrogateAt(opts.help);
    if (at >= 0) throw notUnicode(`Metric "${opts.name}" help`, opts.help, at);
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = checkLabelNames(
      opts.name,
      opts.labelNames,
      reservedLabel
    );
    this.unit = opts.unit;
    this.#heads = this.labelNames.map((n) => n + '="');
    const collect = opts.collect;
    if (collect !== void 0 && typeof collect !== "function") {
      throw new TypeError(`Metric "${opts.name}": collect must be a function`);
    }
    this.#collect = collect;
    if (opts.maxSeries !== void 0) {
      const max = checkMaxSeries(opts.name, opts.maxSeries);
      this.#cap = { max, overflow: void 0, counted: { value: 0 } };
    }
    if (opts.now !== void 0 && typeof opts.now !== "function") {
      throw new TypeError(`Metric "${opts.name}": now must be a function returning epoch ms`);
    }
    if (opts.ttlSeconds !== void 0) {
      this.#ttl = {
        ms: checkTtl(opts.name, opts.ttlSeconds, this.labelNames.length) * 1e3,
        clock: opts.now ?? Date.now,
        seen: /* @__PURE__ */ new WeakMap(),
        touched: void 0
      };
    }
  }
  /**
   * @internal Creates the series of a metric without labels, then registers
   * with the registry named in the options. Subclasses call it last.
   */
  _ready(opts) {
    if (this.labelNames.length === 0) this._single = this._newSeries("");
    const reg = opts.registry === void 0 ? defaultRegistry : opts.registry;
    reg?.register(this);
    if (reg && this.#cap) {
      try {
        this.#cap.counted = overflowCell(reg, this);
      } catch (e) {
        reg.unregister(this);
        throw e;
      }
    }
  }
  /** @internal Checks the unit against the name (without `suffix`). */
  _checkUnit(base2) {
    checkUnit(this.name, this.unit, base2);
  }
  /** @internal Finds or creates the series for `labels`; throws on bad labels. */
  _series(labels) {
    return this._find(labels) ?? this._create(labels);
  }
  /**
   * @internal Finds the series for `labels` without creating it. Returns
   * undefined when it does not exist or the labels need checking.
   */
  _find(labels) {
    const names = this.labelNames;
    const k = names.length;
    if (labels === null || typeof labels !== "object") {
      return this._badLabelsArgument(labels);
    }
    if (k === 0) {
      for (const key in labels) {
        throw this._labelError(`has no labels, but got label "${key}"`);
      }
      return this._single;
    }
    let n = 0;
    for (const _ in labels) n++;
    if (n !== k) return void 0;
    let node = this.#root;
    for (let i = 0; i < k; i++) {
      const v = labels[names[i]];
      const key = typeof v === "string" ? v : typeof v === "number" ? "" + v : void 0;
      if (key === void 0) return void 0;
      node = childOf(node, key, i === k - 1);
      if (node === void 0) return void 0;
    }
    return node;
  }
  /** @internal The existing series for `labels` (checked), or undefined. */
  _existing(labels) {
    const s = this._find(labels);
    if (s === void 0) this._keys(labels);
    return s;
  }
  /**
   * @internal The series a bound child will hold, for `labels(...)`
   * arguments: one label object, or values in order.
   */
  _seriesOf(args) {
    const labels = this._labelsOf(args);
    const found = this._find(labels);
    if (found !== void 0 && (this.#bound?.has(found) || found === this._single)) return found;
    const keys = this._keys(labels);
    let s = found ?? this.#place(keys, true);
    if (s === void 0) {
      s = this._newSeries(keys[keys.length - 1] ?? "");
      this._poison(s);
    }
    if (keys.length > 0) (this.#bound ??= /* @__PURE__ */ new WeakMap()).set(s, keys);
    return s;
  }
  /** @internal One label object, or values in order, as a label object. */
  _labelsOf(args) {
    return args.length === 1 && typeof args[0] === "object" ? args[0] : this._valuesToLabels(args);
  }
  /** @internal */
  _badLabelsArgument(labels) {
    throw this._labelError(
      `expects a label object such as { ${this.labelNames.map((n) => n + ": ...").join(", ")} }, got ${labels === null ? "null" : typeof labels}`
    );
  }
  /** @internal Makes an error that names this metric. */
  _labelError(what) {
    return new TypeError(`Metric "${this.name}" ${what}`);
  }
  /**
   * Validates every label, then finds or creates the path and the series;
   * past maxSeries, the overflow series.
   */
  _create(labels) {
    const s = this.#place(this._keys(labels, SCRATCH), true);
    if (s !== void 0) return s;
    const cap = this.#cap;
    cap.counted.value++;
    return cap.overflow ??= this.#place(this.labelNames.map(() => OVERFLOW_VALUE), false);
  }
  /** Finds or creates the series at `keys`; with `capped`, undefined instead past maxSeries. */
  #place(keys, capped) {
    const k = keys.length;
    if (k === 0) return this._single;
    let parent;
    let node = this.#root;
    let i = 0;
    for (; i < k; i++) {
      const next = childOf(node, keys[i], i === k - 1);
      if (next === void 0) break;
      if (i === k - 1) return next;
      parent = node;
      node = next;
    }
    const cap = this.#cap;
    if (capped && cap && this.#count >= cap.max + (cap.overflow === void 0 ? 0 : 1)) {
      return void 0;
    }
    const s = this._newSeries(keys[k - 1]);
    let holder = s;
    for (let j = k - 2; j > i; j--) holder = new One(keys[j], holder);
    let grown;
    if (node instanceof Map || isDict(node)) grown = setChild(node, keys[i], holder);
    else {
      const first = i === k - 1 ? node : node.v;
      grown = /* @__PURE__ */ new Map([[node.k, first], [keys[i], holder]]);
    }
    if (grown !== node) {
      if (i === 0) this.#root = grown;
      else if (parent instanceof Map) parent.set(keys[i - 1], grown);
      else if (isDict(parent)) parent[keys[i - 1]] = grown;
      else parent.v = grown;
    }
    this.#count++;
    return s;
  }
  /** Checks `labels` against labelNames and returns the values as strings, in order. */
  _keys(labels, into) {
    const names = this.labelNames;
    const given = labels;
    this._checkNames(given);
    const keys = into ?? [];
    keys.length = 0;
    for (const name of names) {
      const v = given[name];
      if (v === void 0) {
        throw this._labelError(
          `is missing label "${name}"; every call must give all of: ${names.join(", ")}`
        );
      }
      keys.push(this._key(name, v));
    }
    return keys;
  }
  /** Throws unless every key of `given` is one of labelNames. */
  _checkNames(given) {
    const names = this.labelNames;
    for (const key in given) {
      if (!names.includes(key)) {
        throw this._labelError(
          `has no label "${key}"; its labels are: ${names.join(", ")}`
        );
      }
    }
  }
  /**
   * The value of label `name` as a string; throws on a value that cannot be
   * one. Runs only where a series may be created or a lookup missed, so a
   * series holding a lone surrogate never exists, and the lookup of an
   * existing one needs no check.
   */
  _key(name, v) {
    if (typeof v === "string") {
      const at = loneSurrogateAt(v);
      if (at >= 0) throw notUnicode(`Metric "${this.name}" label "${name}"`, v, at);
      return v;
    }
    if (typeof v === "number") return "" + v;
    throw this._labelError(
      `label "${name}" must be a string or a number, got ${v === null ? "null" : typeof v}`
    );
  }
  /**
   * @internal Checks the labels a timer starts with (some may come at its
   * end): each one known and a valid value. Nothing is created.
   */
  _checkSome(labels) {
    if (labels === void 0) return;
    if (labels === null || typeof labels !== "object") this._badLabelsArgument(labels);
    const given = labels;
    this._checkNames(given);
    for (const key in given) if (given[key] !== void 0) this._key(key, given[key]);
  }
  remove(...args) {
    if (this.labelNames.length === 0) {
      throw this._labelError("has no labels; use reset() to zero it");
    }
    this.#removeKeys(this._keys(this._labelsOf(args)));
  }
  /**
   * Removes every series whose labels include `labels` (a subset of the
   * label names, each with a value); returns how many it removed. `{}`
   * removes every series. A bound child of a removed series brings it back,
   * from zero, at its next update.
   *
   * @example
   * ```ts
   * import { Counter, Registry } from "../../mod.ts";
   * const c = new Counter({
   *   name: "jobs_total",
   *   help: "Jobs.",
   *   labelNames: ["tenant", "kind"],
   *   registry: new Registry(),
   * });
   * c.inc({ tenant: "a", kind: "x" });
   * c.inc({ tenant: "a", kind: "y" });
   * c.inc({ tenant: "b", kind: "x" });
   * console.log(c.removeMatching({ tenant: "a" })); // 2
   * ```
   */
  removeMatching(labels) {
    const names = this.labelNames;
    if (names.length === 0) throw this._labelError("has no labels; use reset() to zero it");
    if (labels === void 0) this._badLabelsArgument(labels);
    this._checkSome(labels);
    const given = labels;
    const want = names.map((name) => {
      const v = given[name];
      return v === void 0 ? v : typeof v === "number" ? "" + v : v;
    });
    const found = [];
    this.#each(want, (_s, keys) => found.push(keys.slice()));
    for (const keys of found) this.#removeKeys(keys);
    return found.length;
  }
  /**
   * Calls `fn` with every series and its label values (a reused array),
   * where the value at each level equals `want`'s, if given.
   */
  #each(want, fn) {
    const depth = this.labelNames.length;
    const keys = new Array(depth);
    const walk = (node, d) => {
      const last = d === depth - 1;
      const visit = (k, child) => {
        keys[d] = k;
        if (last) fn(child, keys);
        else walk(child, d + 1);
      };
      const w = want[d];
      if (w === void 0) eachChild(node, last, visit);
      else {
        const child = childOf(node, w, last);
        if (child !== void 0) visit(w, child);
      }
    };
    walk(this.#root, 0);
  }
  /** Removes the series at `keys` and every level it leaves empty (never the root). */
  #removeKeys(keys) {
    const k = keys.length;
    const path = [this.#root];
    for (let i = 0; i < k - 1; i++) {
      const next = childOf(path[i], keys[i], false);
      if (next === void 0) return;
      path.push(next);
    }
    const s = childOf(path[k - 1], keys[k - 1], true);
    if (s === void 0) return;
    if (s === this.#cap?.overflow) this.#cap.overflow = void 0;
    this._poison(s);
    this.#count--;
    for (let i = k - 1; i >= 0; i--) {
      const node = path[i];
      if (node instanceof Map) {
        node.delete(keys[i]);
        if (node.size > 0 || i === 0) return;
      } else if (isDict(node)) {
        delete node[keys[i]];
        if (--node[SIZE] > 0 || i === 0) return;
      }
    }
  }
  /** @internal */
  _valuesToLabels(values2) {
    const names = this.labelNames;
    if (values2.length !== names.length) {
      throw this._labelError(
        `takes ${names.length} label value(s) (${names.join(", ")}), got ${values2.length}`
      );
    }
    const labels = {};
    for (let i = 0; i < names.length; i++) labels[names[i]] = values2[i];
    return labels;
  }
  /**
   * Removes every labelled series (a bound child brings its series back,
   * from zero, at its next update); a metric without labels goes back to zero.
   */
  reset() {
    if (this._single) this._resetSeries(this._single);
    else this.#each([], (s) => this._poison(s));
    this.#root = /* @__PURE__ */ new Map();
    this.#count = 0;
    if (this.#cap) this.#cap.overflow = void 0;
  }
  /**
   * @internal Makes a series that reset() or remove() took out of the tree
   * fail the fast path of its bound children, at no cost to them and no
   * memory: a NaN in the figure their update computes anyway (a counter's
   * or gauge's value, a histogram's or summary's count). Only a gauge can
   * hold NaN while in the tree; the slow path, `_reattach`, tells them apart.
   */
  _poison(_s) {
  }
  /**
   * @internal Puts `v`, what `_version()` read of a series before it was
   * poisoned (taken out of the tree), into the series' page snapshot `view`
   * (made by `_fill`), where the poison is.
   */
  _unpoison(view, v, _s) {
    view.value = v;
  }
  /**
   * @internal The series a bound child holding `s` should use: the one in
   * the tree for the labels of `s` (`s` itself unless reset() or remove()
   * took it out), else, with `create`, a new one, or past maxSeries the
   * overflow series; {@link _own} tells the child whether to keep it.
   */
  _reattach(s, create) {
    const keys = this.#bound?.get(s);
    if (keys === void 0) return this._single;
    const labels = this._valuesToLabels(keys);
    const found = this._find(labels) ?? (create ? this._create(labels) : void 0);
    if (found !== void 0 && this._own(s, found)) this.#bound.set(found, keys);
    return found;
  }
  /**
   * @internal Whether `found`, what `_reattach` gave a child holding `s`, is
   * the child's own series (not the overflow series past maxSeries, which it
   * uses until there is room for its own, keeping `s` to try again).
   */
  _own(s, found) {
    if (found !== this.#cap?.overflow) return true;
    const keys = this.#bound?.get(s);
    return keys !== void 0 && keys.every((v) => v === OVERFLOW_VALUE);
  }
  /** The number of series this metric holds. */
  get seriesCount() {
    return this._single ? 1 : this.#count;
  }
  /**
   * @internal Every series as its snapshot (see `_view`), in creation order
   * within each label value, each with its label text built from the tree's
   * keys; with `withLabels`, its raw labels too.
   */
  _views(withLabels, options) {
    const single = this._single;
    if (single) return [this._view(single, "", withLabels ? {} : void 0, options)];
    const labels = withLabels ? [] : void 0;
    const [leaves, parents] = this.#leaves(labels);
    const out = new Array(leaves.length);
    for (let i = 0; i < leaves.length; i++) {
      const s = leaves[i];
      out[i] = this._view(s, parents[i] + escapeLabelValue(s.k) + '"', labels?.[i], options);
    }
    return out;
  }
  /**
   * Every series in tree order (creation order within each label value), and
   * for each the escaped label text above its last label value, ending in
   * `lastName="` (made once per level, shared by siblings); with `labels`,
   * each series' raw labels are pushed there.
   */
  #leaves(labels) {
    const leaves = [];
    const parents = [];
    const names = this.labelNames;
    const heads = this.#heads;
    const depth = heads.length;
    const keys = new Array(depth);
    const leaf = (s, head) => {
      leaves.push(s);
      parents.push(head);
      if (labels !== void 0) {
        keys[depth - 1] = s.k;
        const l = {};
        for (let j = 0; j < depth; j++) l[names[j]] = keys[j];
        labels.push(l);
      }
    };
    const walk = (node, d, head) => {
      if (d === depth - 1) {
        if (node instanceof Map) node.forEach((s) => leaf(s, head));
        else if (isDict(node)) {
          for (const k in node) leaf(node[k], head);
        } else leaf(node, head);
        return;
      }
      const next = '",' + heads[d + 1];
      const down = (child, k) => {
        keys[d] = k;
        walk(child, d + 1, head + escapeLabelValue(k) + next);
      };
      if (node instanceof Map) node.forEach(down);
      else if (isDict(node)) {
        for (const k in node) down(node[k], k);
      } else down(node.v, node.k);
    };
    walk(this.#root, 0, heads[0]);
    return [leaves, parents];
  }
  /**
   * The family for a page, read lazily: the walk keeps each series and the
   * escaped label text above its last label; each slice's snapshots and label
   * texts are made just before the slice is written, and die young.
   */
  #lazy(options) {
    const [leaves, parents] = this.#leaves(void 0);
    const versions = leaves.map((s) => this._version(s));
    const series = new Array(leaves.length);
    const family = this._family(series, options);
    const pool = [];
    return lazyFamily(family, (from, to) => {
      for (let i = from; i < to; i++) {
        const s = leaves[i];
        const text = parents[i] + escapeLabelValue(s.k) + '"';
        const j = i - from;
        const view = series[i] = pool[j] = this._fill(pool[j], s, text, options);
        const v = this._version(s);
        if (v !== v && versions[i] === versions[i]) this._unpoison(view, versions[i], s);
      }
    });
  }
  /**
   * @internal The snapshot of `s` for a page: `into` (an object this method
   * made for an earlier slice of the same read) filled anew, or a new one.
   * Types with small snapshots (counter, gauge) fill in place; by default, a
   * new snapshot.
   */
  _fill(_into, s, labelText2, options) {
    return this._view(s, labelText2, void 0, options);
  }
  /**
   * The metric's series now, as data: the family snapshot that
   * `registry.collect()` gives for it (each series with its raw `labels`),
   * without running the collect hook and without a registry's default
   * labels. Detached from the live metric. Meant for tests and debugging.
   */
  snapshot() {
    return this._family(this._views(true));
  }
  /**
   * Reads the family after the collect hook (see {@link Collectable.collect}).
   */
  collect(options) {
    const hook = this.#collect;
    const labels = options?.labels === true;
    if (hook !== void 0) {
      const r = hook.call(this);
      if (r instanceof Promise) return r.then(() => this.#read(labels, options));
    }
    return this.#read(labels, options);
  }
  #read(labels, options) {
    if (this.#ttl !== void 0) this.#expire(this.#ttl);
    if (!labels && options?.lazy === true && this._single === void 0) return this.#lazy(options);
    return this._family(this._views(labels, options), options);
  }
  /** Removes the series that no scrape has found changed (or touched) for ttlSeconds. */
  #expire(t) {
    const { seen, touched } = t;
    const now = t.clock();
    const ttl = t.ms;
    const stale = [];
    this.#each([], (s, keys) => {
      const v = this._version(s);
      const e = seen.get(s);
      if (e === void 0) seen.set(s, { v, at: now });
      else if (!Object.is(e.v, v) || touched?.has(s)) {
        e.v = v;
        e.at = now;
      } else if (now - e.at >= ttl) stale.push(keys.slice());
    });
    touched?.clear();
    for (const keys of stale) this.#removeKeys(keys);
  }
  /**
   * @internal What tells a TTL metric that a series was updated between two
   * scrapes: its value (a histogram's or summary's count).
   */
  _version(s) {
    return s.value;
  }
  /**
   * @internal Makes a TTL metric see `s` as updated at the next scrape even
   * if its value did not change (a gauge set to its value, or increased and
   * decreased back); subclasses call it only when `_touches`.
   */
  _touch(s) {
    (this.#ttl.touched ??= /* @__PURE__ */ new Set()).add(s);
  }
  /** @internal Whether updates that may leave the value as it was call `_touch` (TTL metrics). */
  get _touches() {
    return this.#ttl !== void 0;
  }
};
function checkMaxSeries(name, v) {
  if (typeof v === "number" && Number.isInteger(v) && v >= 1) return v;
  throw new RangeError(
    `Metric "${name}": maxSeries must be a whole number >= 1 (the most label sets kept), got ${typeof v === "number" ? v : typeof v}`
  );
}
function checkTtl(name, v, labels) {
  if (!(typeof v === "number" && v > 0 && v < Infinity)) {
    throw new RangeError(
      `Metric "${name}": ttlSeconds must be a finite number of seconds > 0, got ${typeof v === "number" ? v : typeof v}`
    );
  }
  if (labels === 0) {
    throw new TypeError(
      `Metric "${name}": ttlSeconds needs labelNames; a metric without labels keeps its one series`
    );
  }
  return v;
}

// ../../src/metrics/_exemplar.ts
function who(m) {
  return (m.type === "counter" ? "Counter" : "Histogram") + ` "${m.name}"`;
}
function codePoints(text) {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 55296 && c <= 56319) n--;
  }
  return n;
}
var goodNames = /* @__PURE__ */ new Set();
function checkName(m, name) {
  if (goodNames.has(name)) return;
  if (!isLabelName(name)) {
    throw new TypeError(
      `${who(m)}: invalid exemplar label name ${JSON.stringify(name)}: a label name must match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__", e.g. "trace_id"`
    );
  }
  if (goodNames.size < 256) goodNames.add(name);
}
function newExemplar(m, labels, value) {
  if (labels === null || typeof labels !== "object" || Array.isArray(labels)) {
    throw new TypeError(
      `${who(m)}: exemplar labels must be an object such as { trace_id: "4bf92f35..." }, got ${labels === null ? "null" : Array.isArray(labels) ? "an array" : typeof labels}`
    );
  }
  const own = { ...labels };
  let units = 0;
  for (const name in own) {
    checkName(m, name);
    const v = own[name];
    let text;
    if (typeof v === "string") text = v;
    else if (typeof v === "number") own[name] = text = "" + v;
    else {
      throw new TypeError(
        `${who(m)}: exemplar label "${name}" must be a string or a number, got ${v === null ? "null" : typeof v}`
      );
    }
    const at = loneSurrogateAt(text);
    if (at >= 0) throw notUnicode(`${who(m)}: exemplar label "${name}"`, text, at);
    units += name.length + text.length;
  }
  if (units > EXEMPLAR_MAX_CODE_POINTS) tooLong(m, own);
  return { labels: own, value, timestamp: Date.now() / 1e3 };
}
function tooLong(m, labels) {
  let points = 0;
  for (const name in labels) points += name.length + codePoints(labels[name]);
  if (points > EXEMPLAR_MAX_CODE_POINTS) {
    throw new RangeError(
      `${who(m)}: the exemplar's label names and values take ${points} code points; OpenMetrics allows at most ${EXEMPLAR_MAX_CODE_POINTS} (Prometheus drops longer exemplars): shorten them`
    );
  }
}
function exemplarOptions(m, method, o) {
  if (o !== null && typeof o === "object" && "exemplarLabels" in o) return o;
  throw new TypeError(
    `${who(m)}: ${method}(labels, options) takes { value, exemplarLabels } as its second argument, got ${o === null ? "null" : typeof o === "object" ? "an object without exemplarLabels" : typeof o}`
  );
}

// ../../src/metrics/counter.ts
var CounterSeries = class {
  constructor(k) {
    this.k = k;
  }
  k;
  value = 0;
  /** Created, as kept by `createdNow()`. */
  c = createdNow();
};
function badAmount(name, v) {
  return new RangeError(
    typeof v === "number" && v < 0 ? `Counter "${name}" cannot be increased by ${v}: counters only go up; use a Gauge for values that go down` : `Counter "${name}" cannot be increased by ${show(v)}: the amount must be a finite number >= 0`
  );
}
function goodAmount(v) {
  return typeof v === "number" && v >= 0 && v < Infinity;
}
var CounterChild = class {
  #s;
  #m;
  /** @internal */
  constructor(series, metric) {
    this.#s = series;
    this.#m = metric;
  }
  /** Adds `amount` (default 1). */
  inc(amount) {
    const s = this.#s;
    let v;
    if (amount === void 0) v = s.value + 1;
    else if (typeof amount === "number" && amount >= 0 && amount < Infinity) v = s.value + amount;
    else throw badAmount(this.#m.name, amount);
    if (v === v) s.value = v;
    else this.#reattach().value += amount ?? 1;
  }
  #reattach() {
    const s = this.#m._reattach(this.#s, true);
    return this.#m._own(this.#s, s) ? this.#s = s : s;
  }
  /**
   * Adds `value` and keeps it as the series' exemplar, with these labels and
   * the time of the call (see {@link Counter.incWithExemplar}).
   */
  incWithExemplar(value, exemplarLabels) {
    const s = this.#m._incWithExemplar(this.#s, value, exemplarLabels);
    if (this.#m._own(this.#s, s)) this.#s = s;
  }
  /** The current value (0 while reset() or remove() left the series out). */
  get() {
    const v = this.#s.value;
    return v === v ? v : this.#m._reattach(this.#s, false)?.value ?? 0;
  }
};
var Counter = class extends Metric {
  /** Always `"counter"`. */
  type = "counter";
  /** @internal */
  reservedNames;
  /** Each series' latest exemplar, made on the first one: series without one cost nothing. */
  #exemplars;
  /** Creates the counter and registers it (see {@link MetricOptions.registry}). */
  constructor(opts) {
    checkMetricOptions("Counter", opts);
    super(opts);
    this._checkUnit(counterFamily(this.name));
    this.reservedNames = reservedNames("counter", this.name);
    this._ready(opts);
  }
  /** @internal */
  _newSeries(k) {
    return new CounterSeries(k);
  }
  /** @internal */
  _poison(s) {
    s.value = NaN;
  }
  /** @internal */
  _resetSeries(s) {
    s.value = 0;
    s.c = createdNow();
    this.#exemplars?.delete(s);
  }
  inc(a, b) {
    const s = this._single;
    if (s !== void 0 && a === void 0) s.value++;
    else this._add(a, b);
  }
  /** The rest of inc(): an amount, or labels. Kept apart so inc() stays small enough to inline. */
  _add(a, b) {
    const labelled = typeof a === "object";
    const v = labelled ? b : a;
    if (v !== void 0 && !(typeof v === "number" && v >= 0 && v < Infinity)) {
      throw badAmount(this.name, v);
    }
    const s = labelled ? this._series(a) : this._single ?? this._series(a);
    if (v === void 0) s.value++;
    else s.value += v;
  }
  /**
   * The series now, as data, each with its raw `labels` (see
   * {@link Metric.snapshot}).
   */
  snapshot() {
    return super.snapshot();
  }
  /**
   * Creates the series with these labels at zero, so it is exported before
   * its first update (`rate()` then sees the first one). An existing series
   * is left as it is.
   */
  zero(labels) {
    this._series(labels);
  }
  incWithExemplar(a, b) {
    if (typeof a === "object" && a !== null) {
      const o = exemplarOptions(this, "incWithExemplar", b);
      this._incWithExemplar(void 0, o.value, o.exemplarLabels, a);
    } else this._incWithExemplar(this._single, a, b);
  }
  /**
   * @internal Checks the value and the exemplar, then finds the series (from
   * `labels` when `s` is undefined; a bound child's series that reset() or
   * remove() took out comes back), adds, keeps the exemplar and returns the
   * series.
   */
  _incWithExemplar(s, value, exemplarLabels, labels) {
    if (!goodAmount(value)) throw badAmount(this.name, value);
    const e = newExemplar(this, exemplarLabels, value);
    if (s === void 0) s = this._series(labels);
    else if (s.value !== s.value) s = this._reattach(s, true);
    s.value += value;
    (this.#exemplars ??= /* @__PURE__ */ new WeakMap()).set(s, e);
    return s;
  }
  /** The current value of the series with these labels (0 if it does not exist yet). */
  get(labels) {
    return this._existing(labels ?? {})?.value ?? 0;
  }
  labels(...args) {
    return new CounterChild(this._seriesOf(args), this);
  }
  /** @internal */
  _view(s, labelText2, labels) {
    const v = {
      labelText: labelText2,
      value: s.value,
      created: createdSeconds(s.c)
    };
    if (labels !== void 0) v.labels = labels;
    const e = this.#exemplars?.get(s);
    if (e !== void 0) v.exemplar = e;
    return v;
  }
  /** @internal */
  _fill(into, s, labelText2) {
    const value = s.value;
    const created = createdSeconds(s.c);
    const exemplar = this.#exemplars?.get(s);
    if (into === void 0) return { labelText: labelText2, value, created, exemplar };
    const v = into;
    v.labelText = labelText2;
    v.value = value;
    v.created = created;
    v.exemplar = exemplar;
    return v;
  }
  /** @internal */
  _family(series) {
    return { name: this.name, help: this.help, type: "counter", unit: this.unit, series };
  }
};

// ../../src/metrics/_timer.ts
function timed(observe, fn) {
  checkFunction(fn);
  return function(...args) {
    const start2 = performance.now();
    const done = () => observe((performance.now() - start2) / 1e3);
    let r;
    try {
      r = fn.apply(this, args);
    } catch (e) {
      done();
      throw e;
    }
    if (r instanceof Promise) {
      return r.then(
        (v) => {
          done();
          return v;
        },
        (e) => {
          done();
          throw e;
        }
      );
    }
    done();
    return r;
  };
}
function checkFunction(fn) {
  if (typeof fn !== "function") {
    throw new TypeError(`time() takes the function to time, got ${typeof fn}`);
  }
}
function timer(observe) {
  const start2 = performance.now();
  return (endLabels) => {
    const seconds = (performance.now() - start2) / 1e3;
    observe(seconds, endLabels);
    return seconds;
  };
}

// ../../src/metrics/_observer.ts
function checkObservation(kind, name, v) {
  if (typeof v !== "number" || v - v !== 0) {
    throw new RangeError(
      `${kind} "${name}" cannot observe ${show(v)}: the value must be a finite number`
    );
  }
}
var ObserverChild = class {
  /** Starts a timer; calling the result observes the elapsed seconds. */
  startTimer() {
    return timer((s) => this.observe(s));
  }
  /** Wraps `fn` so that each call's duration is observed, also when it throws. */
  time(fn) {
    return timed((s) => this.observe(s), fn);
  }
};
var ObservingMetric = class extends Metric {
  /** @internal Every observation changes the count. */
  _version(s) {
    return s.count;
  }
  /** @internal A histogram's or summary's poison is in its count. */
  _unpoison(view, v, _s) {
    view.count = v;
  }
  observe(a, b) {
    if (typeof a === "object") this._record(this._find(a) ?? this._createFor(a, b), b);
    else this._record(this._single ?? this._series(a), a);
  }
  /**
   * Creates the series with these labels at zero, so it is exported before
   * its first update (`rate()` then sees the first one). An existing series
   * is left as it is.
   */
  zero(labels) {
    this._series(labels);
  }
  /** Creates the series for `labels` once `value` is known to be observable. */
  _createFor(labels, value) {
    checkObservation(this.type === "histogram" ? "Histogram" : "Summary", this.name, value);
    return this._create(labels);
  }
  /** Starts a timer; calling the result observes the elapsed seconds. */
  startTimer(labels) {
    this._checkSome(labels);
    return timer((seconds, end) => {
      const all = end ? { ...labels, ...end } : labels;
      if (all === void 0) this.observe(seconds);
      else this.observe(all, seconds);
    });
  }
  time(a, b) {
    if (typeof a === "function") return timed((s) => this.observe(s), a);
    checkFunction(b);
    const child = this._child(this._seriesOf([a]));
    return timed((v) => child.observe(v), b);
  }
};

// ../../src/metrics/histogram.ts
var DEFAULT_BUCKETS = Object.freeze([
  5e-3,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10
]);
function checkNative(name, native) {
  if (native === void 0 || native === false) return void 0;
  const n = native;
  if (n !== null && typeof n === "object" && typeof n._counts === "function" && typeof n._exemplars === "function" && typeof n._view === "function" && n.options !== null && typeof n.options === "object" && Array.isArray(n.formats)) return native;
  let fix;
  if (native === true) fix = "got true; write native: nativeHistogram()";
  else if (typeof native === "function") {
    fix = `got ${picture(native)} itself; call it: native: nativeHistogram()`;
  } else if (typeof n?._counts === "function") {
    fix = "got one made by another, incompatible copy of @promedge/client; import Histogram and nativeHistogram from the same version";
  } else if (n !== null && typeof n === "object" && !Array.isArray(n)) {
    const shown = picture(n);
    fix = shown.startsWith("{") && shown.endsWith("}") ? `got ${shown}; write native: nativeHistogram(${shown})` : `got ${shown}; pass its options to nativeHistogram()`;
  } else fix = `got ${picture(native)}`;
  throw new TypeError(
    `Histogram "${name}": native takes nativeHistogram(options?) from "@promedge/client/native" (or false for none); ${fix}`
  );
}
function checkBuckets(name, buckets) {
  if (buckets === void 0) return [...DEFAULT_BUCKETS];
  if (!Array.isArray(buckets)) {
    throw new TypeError(`Histogram "${name}": buckets must be an array of numbers`);
  }
  const b = buckets.at(-1) === Infinity ? buckets.slice(0, -1) : [...buckets];
  for (let i = 0; i < b.length; i++) {
    if (typeof b[i] !== "number" || !Number.isFinite(b[i])) {
      throw new RangeError(
        `Histogram "${name}": bucket ${show(b[i])} is not a finite number; the +Inf bucket is added for you`
      );
    }
    if (i > 0 && !(b[i] > b[i - 1])) {
      throw new RangeError(
        `Histogram "${name}": buckets must be strictly increasing, but ${b[i]} follows ${b[i - 1]}`
      );
    }
  }
  return b;
}
var HistogramSeries = class {
  constructor(k, n, native) {
    this.k = k;
    this.counts = new Float64Array(n + 1);
    this.nativeCounts = native?._counts();
  }
  k;
  sum = 0;
  count = 0;
  /** Created, as kept by `createdNow()`. */
  c = createdNow();
  counts;
  /** The native buckets, for a histogram with a native part. */
  nativeCounts;
};
function bucketIndex(bounds, v) {
  const n = bounds.length;
  if (n <= 16) {
    let i = 0;
    while (i < n && v > bounds[i]) i++;
    return i;
  }
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = lo + hi >>> 1;
    if (v > bounds[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function record(s, bounds, v, name) {
  checkObservation("Histogram", name, v);
  const count = s.count + 1;
  if (count !== count) return false;
  s.counts[bucketIndex(bounds, v)]++;
  s.sum += v;
  s.count = count;
  if (s.nativeCounts !== void 0) s.nativeCounts.observeBucket(v);
  return true;
}
var HistogramChild = class extends ObserverChild {
  #s;
  #h;
  /** @internal */
  constructor(series, h) {
    super();
    this.#s = series;
    this.#h = h;
  }
  /** Records one observation. */
  observe(value) {
    const h = this.#h;
    if (!record(this.#s, h.bounds, value, h.name)) {
      const s = h._reattach(this.#s, true);
      if (h._own(this.#s, s)) this.#s = s;
      record(s, h.bounds, value, h.name);
    }
  }
  /**
   * Records one observation and keeps it as an exemplar (see
   * {@link Histogram.observeWithExemplar}).
   */
  observeWithExemplar(value, exemplarLabels) {
    const s = this.#h._observeWithExemplar(this.#s, value, exemplarLabels);
    if (this.#h._own(this.#s, s)) this.#s = s;
  }
};
var Histogram = class extends ObservingMetric {
  /** Always `"histogram"`. */
  type = "histogram";
  /** @internal */
  reservedNames;
  /** The bucket upper bounds, without +Inf. */
  buckets;
  /** @internal */
  bounds;
  /** The native histogram options (defaults filled in), or undefined without a native part. */
  native;
  /** The formats its native part needs (protobuf); empty without one. */
  formats;
  #native;
  /** Each series' exemplars, made on the first one: series without one cost nothing. */
  #exemplars;
  /** Creates the histogram and registers it (see {@link MetricOptions.registry}). */
  constructor(opts) {
    checkMetricOptions("Histogram", opts, ["buckets", "native"]);
    const buckets = checkBuckets(opts?.name, opts?.buckets);
    const bounds = new Float64Array(buckets);
    const native = checkNative(opts?.name, opts?.native);
    super(opts, "le");
    this.#native = native;
    this.native = native?.options;
    this.formats = native?.formats ?? [];
    this.buckets = Object.freeze(buckets);
    this.bounds = bounds;
    this._checkUnit(this.name);
    this.reservedNames = reservedNames("histogram", this.name);
    this._ready(opts);
  }
  /** @internal */
  _newSeries(k) {
    return new HistogramSeries(k, this.bounds.length, this.#native);
  }
  /** @internal */
  _poison(s) {
    s.count = NaN;
  }
  /**
   * @internal A series taken out of the tree while a page was being written
   * is written as it was then: its count, poisoned, is the sum of its bucket
   * counts (observations made after the page read the tree are in the buckets
   * and the sum, so the count read then would not match them).
   */
  _unpoison(view, _v, _s) {
    let count = 0;
    for (const c of view.counts) count += c;
    view.count = count;
  }
  /** @internal */
  _resetSeries(s) {
    s.counts.fill(0);
    s.sum = 0;
    s.count = 0;
    s.nativeCounts?.reset();
    s.c = createdNow();
    this.#exemplars?.delete(s);
  }
  /** @internal */
  _record(s, v) {
    record(s, this.bounds, v, this.name);
  }
  /**
   * The series now, as data, each with its raw `labels` (see
   * {@link Metric.snapshot}).
   */
  snapshot() {
    return super.snapshot();
  }
  observeWithExemplar(a, b) {
    if (typeof a === "object" && a !== null) {
      const o = exemplarOptions(this, "observeWithExemplar", b);
      this._observeWithExemplar(void 0, o.value, o.exemplarLabels, a);
    } else this._observeWithExemplar(this._single, a, b);
  }
  /**
   * @internal Checks the value and the exemplar, then finds the series (from
   * `labels` when `s` is undefined; a bound child's series that reset() or
   * remove() took out comes back), records the value, keeps the exemplar on
   * its classic bucket and in the native set, and returns the series.
   */
  _observeWithExemplar(s, value, exemplarLabels, labels) {
    checkObservation("Histogram", this.name, value);
    const v = value;
    const e = newExemplar(this, exemplarLabels, v);
    if (s === void 0) s = this._series(labels);
    else if (s.count !== s.count) s = this._reattach(s, true);
    record(s, this.bounds, v, this.name);
    const ex = this.#exemplars ??= /* @__PURE__ */ new WeakMap();
    let kept = ex.get(s);
    if (kept === void 0) {
      kept = {
        buckets: new Array(this.bounds.length + 1).fill(void 0),
        native: this.#native?._exemplars()
      };
      ex.set(s, kept);
    }
    kept.buckets[bucketIndex(this.bounds, v)] = e;
    kept.native?.add(e);
    return s;
  }
  labels(...args) {
    return this._child(this._seriesOf(args));
  }
  /** @internal */
  _child(s) {
    return new HistogramChild(s, this);
  }
  /**
   * @internal A series as its snapshot: the live classic counts, or with
   * `labels` (detached) a plain-array copy that serialises with
   * JSON.stringify; the native part and the exemplars as they are now. The
   * series of a histogram without labels is read when a page is gathered,
   * not when it is written (a labelled one's just before it is written), so
   * its counts are copied: observations in between would move them on
   * without its count and sum.
   */
  _view(s, labelText2, labels, options) {
    const detached = labels !== void 0;
    const n = options?.native === false ? void 0 : s.nativeCounts;
    const live = n === void 0 && s !== this._single;
    const v = {
      labelText: labelText2,
      counts: detached ? Array.from(s.counts) : live ? s.counts : s.counts.slice(),
      sum: s.sum,
      count: s.count,
      created: createdSeconds(s.c)
    };
    if (detached) v.labels = labels;
    if (n !== void 0) v.native = this.#native._view(n);
    const kept = this.#exemplars?.get(s);
    if (kept !== void 0) {
      v.exemplars = detached || !live ? kept.buckets.slice() : kept.buckets;
      if (n !== void 0 && kept.native && kept.native.list.length > 0) {
        v.native = { ...v.native, exemplars: kept.native.list.slice() };
      }
    }
    return v;
  }
  /** @internal */
  _family(series) {
    return {
      name: this.name,
      help: this.help,
      type: "histogram",
      unit: this.unit,
      buckets: this.buckets,
      series
    };
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
var WindowedSketch = class {
  #ring;
  #slotMs;
  #now;
  #head;
  constructor(maxAgeMs, slots, now) {
    this.#ring = Array.from({ length: slots }, () => new Sketch());
    this.#slotMs = maxAgeMs / slots;
    this.#now = now;
    this.#head = Math.floor(now() / this.#slotMs);
  }
  add(v) {
    const id = Math.floor(this.#now() / this.#slotMs);
    if (id !== this.#head) this.#rotate(id);
    this.#ring[slot(id, this.#ring.length)].add(v);
  }
  #rotate(id) {
    const n = this.#ring.length;
    const from = Math.max(this.#head + 1, id - n + 1);
    for (let s = from; s <= id; s++) this.#ring[slot(s, n)].clear();
    this.#head = id;
  }
  /**
   * @internal The slots still in the window that hold observations, each
   * with the milliseconds until it leaves the window (for aggregation).
   */
  liveSlots() {
    const now = this.#now();
    const id = Math.floor(now / this.#slotMs);
    if (id > this.#head) this.#rotate(id);
    const n = this.#ring.length;
    const out = [];
    for (let s = id - n + 1; s <= id; s++) {
      const sketch = this.#ring[slot(s, n)];
      if (sketch.count > 0) out.push({ sketch, endsInMs: (s + n) * this.#slotMs - now });
    }
    return out;
  }
  /** The live observations merged into `into` (cleared first). */
  mergeInto(into) {
    const id = Math.floor(this.#now() / this.#slotMs);
    if (id > this.#head) this.#rotate(id);
    into.clear();
    for (const s of this.#ring) into.merge(s);
  }
  clear() {
    for (const s of this.#ring) s.clear();
  }
};
function slot(id, n) {
  const i = id % n;
  return i < 0 ? i + n : i;
}

// ../../src/metrics/summary.ts
var DEFAULT_PERCENTILES = Object.freeze([
  0.01,
  0.05,
  0.5,
  0.9,
  0.95,
  0.99,
  0.999
]);
var NO_VALUES = new Float64Array(0);
var SKETCHES = { quantiles: false };
var SummarySeries = class {
  constructor(k, window) {
    this.k = k;
    this.window = window;
  }
  k;
  window;
  sum = 0;
  count = 0;
  /** The count when reset() or remove() took the series out (`count` is NaN then). */
  gone = 0;
  /** Created, as kept by `createdNow()`. */
  c = createdNow();
};
function checkPercentiles(name, p) {
  if (p === void 0) return [...DEFAULT_PERCENTILES];
  if (!Array.isArray(p)) {
    throw new TypeError(`Summary "${name}": percentiles must be an array of numbers`);
  }
  for (let i = 0; i < p.length; i++) {
    if (typeof p[i] !== "number" || !(p[i] > 0 && p[i] < 1)) {
      throw new RangeError(
        `Summary "${name}": percentile ${show(p[i])} is outside (0, 1); write the 99th percentile as 0.99`
      );
    }
    if (i > 0 && !(p[i] > p[i - 1])) {
      throw new RangeError(
        `Summary "${name}": percentiles must be strictly increasing, but ${p[i]} follows ${p[i - 1]}`
      );
    }
  }
  return [...p];
}
function record2(s, v, name) {
  checkObservation("Summary", name, v);
  const count = s.count + 1;
  if (count !== count) return false;
  s.window?.add(v);
  s.sum += v;
  s.count = count;
  return true;
}
var SummaryChild = class extends ObserverChild {
  #s;
  #m;
  /** @internal */
  constructor(series, metric) {
    super();
    this.#s = series;
    this.#m = metric;
  }
  /** Records one observation. */
  observe(value) {
    if (!record2(this.#s, value, this.#m.name)) {
      const s = this.#m._reattach(this.#s, true);
      if (this.#m._own(this.#s, s)) this.#s = s;
      record2(s, value, this.#m.name);
    }
  }
};
var Summary = class extends ObservingMetric {
  /** Always `"summary"`. */
  type = "summary";
  /** @internal */
  reservedNames;
  /** The quantiles reported. */
  percentiles;
  /** The window in seconds, if any. */
  maxAgeSeconds;
  /** The number of window slots. */
  ageBuckets;
  #now;
  /** Creates the summary and registers it (see {@link MetricOptions.registry}). */
  constructor(opts) {
    checkMetricOptions("Summary", opts, ["percentiles", "maxAgeSeconds", "ageBuckets", "now"]);
    super(opts, "quantile");
    this.percentiles = Object.freeze(checkPercentiles(this.name, opts.percentiles));
    const { maxAgeSeconds, ageBuckets = 5, now = Date.now } = opts;
    if (maxAgeSeconds !== void 0 && !(maxAgeSeconds > 0 && maxAgeSeconds < Infinity)) {
      throw new RangeError(
        `Summary "${this.name}": maxAgeSeconds must be a number of seconds > 0, got ${maxAgeSeconds}`
      );
    }
    if (!Number.isInteger(ageBuckets) || ageBuckets < 1) {
      throw new RangeError(
        `Summary "${this.name}": ageBuckets must be a whole number >= 1, got ${ageBuckets}`
      );
    }
    this.maxAgeSeconds = maxAgeSeconds;
    this.ageBuckets = ageBuckets;
    this.#now = now;
    this._checkUnit(this.name);
    this.reservedNames = reservedNames("summary", this.name);
    this._ready(opts);
  }
  /** @internal */
  _newSeries(k) {
    let w;
    if (this.percentiles.length > 0) {
      w = this.maxAgeSeconds === void 0 ? new Sketch() : new WindowedSketch(this.maxAgeSeconds * 1e3, this.ageBuckets, this.#now);
    }
    return new SummarySeries(k, w);
  }
  /** @internal */
  _poison(s) {
    s.gone = s.count;
    s.count = NaN;
  }
  /**
   * @internal A series taken out of the tree while a page was being written
   * is written as it was then: the count it had, with the sum and quantiles
   * it has (it takes no observation since), not the count read earlier.
   */
  _unpoison(view, _v, s) {
    view.count = s.gone;
  }
  /** @internal */
  _resetSeries(s) {
    s.window?.clear();
    s.sum = 0;
    s.count = 0;
    s.c = createdNow();
  }
  /** @internal */
  _record(s, v) {
    record2(s, v, this.name);
  }
  /**
   * The series now, as data, each with its raw `labels` (see
   * {@link Metric.snapshot}).
   */
  snapshot() {
    return super.snapshot();
  }
  labels(...args) {
    return this._child(this._seriesOf(args));
  }
  /** @internal */
  _child(s) {
    return new SummaryChild(s, this);
  }
  /**
   * The current quantile values of the series with these labels, in
   * `percentiles` order (NaN where the window is empty).
   */
  quantiles(labels) {
    const s = this._existing(labels ?? {});
    const values2 = s && this.#values(s, new Sketch());
    return values2 ? [...values2] : this.percentiles.map(() => NaN);
  }
  #values(s, scratch) {
    const w = s.window;
    if (w === void 0) return void 0;
    let sk;
    if (w instanceof WindowedSketch) {
      w.mergeInto(scratch);
      sk = scratch;
    } else sk = w;
    const out = new Float64Array(this.percentiles.length);
    sk.quantiles(this.percentiles, out);
    return out;
  }
  /**
   * @internal For aggregation, which merges sketches rather than quantiles:
   * every series' raw labels (no registry's default labels, as in
   * `snapshot()`), sum, count and live sketch (a `Sketch`, or a
   * `WindowedSketch` and its slots), read together. Read-only.
   */
  _sketches() {
    return this._views(true, SKETCHES);
  }
  /** Where a windowed summary merges its slots to read quantiles; reused by every read. */
  #scratch;
  /** @internal */
  _view(s, labelText2, labels, options) {
    if (options === SKETCHES) {
      return {
        labelText: labelText2,
        labels,
        sum: s.sum,
        count: s.count,
        window: s.window
      };
    }
    const q = options?.quantiles === false ? NO_VALUES : this.#values(s, this.#scratch ??= new Sketch()) ?? NO_VALUES;
    const v = {
      labelText: labelText2,
      // Detached (with labels): a plain array, so the snapshot serialises with JSON.stringify.
      quantiles: labels === void 0 ? q : Array.from(q),
      sum: s.sum,
      count: s.count,
      created: createdSeconds(s.c)
    };
    if (labels !== void 0) v.labels = labels;
    return v;
  }
  /** @internal */
  _family(series) {
    return {
      name: this.name,
      help: this.help,
      type: "summary",
      unit: this.unit,
      quantiles: this.percentiles,
      series
    };
  }
};

// ../../src/platform/runtime.ts
function detectRuntime(g3 = globalThis) {
  const deno = g3.Deno?.version;
  if (typeof deno?.deno === "string") {
    const extra = {};
    if (typeof deno.v8 === "string") extra.v8 = deno.v8;
    if (typeof deno.typescript === "string") extra.typescript = deno.typescript;
    return { runtime: "deno", version: deno.deno, extra };
  }
  if (typeof g3.Bun?.version === "string") {
    const extra = {};
    if (typeof g3.Bun.revision === "string") extra.revision = g3.Bun.revision;
    return { runtime: "bun", version: g3.Bun.version, extra };
  }
  if (g3.navigator?.userAgent === "Cloudflare-Workers") {
    return { runtime: "workerd", version: "", extra: {} };
  }
  const node = g3.process?.versions?.node;
  if (typeof node === "string") return { runtime: "node", version: node, extra: {} };
  if (g3.window !== void 0 && g3.document !== void 0) {
    return { runtime: "browser", version: "", extra: {} };
  }
  return { runtime: "unknown", version: "", extra: {} };
}
function isServerRuntime(runtime) {
  return runtime === "node" || runtime === "bun" || runtime === "deno";
}
function splitVersion(v) {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v);
  return { major: m?.[1] ?? "", minor: m?.[2] ?? "", patch: m?.[3] ?? "" };
}

// ../../src/platform/proc.ts
var USER_HZ = 100;
function parseStat(text) {
  const close = text.lastIndexOf(")");
  if (close < 0) return void 0;
  const f = text.slice(close + 2).trim().split(/\s+/);
  const utime = Number(f[11]), stime = Number(f[12]);
  const start2 = Number(f[19]), vsize = Number(f[20]), rss = Number(f[21]);
  if (![utime, stime, start2, vsize, rss].every(Number.isFinite)) return void 0;
  return {
    cpuSeconds: (utime + stime) / USER_HZ,
    startSecondsAfterBoot: start2 / USER_HZ,
    virtualBytes: vsize,
    rssPages: rss
  };
}
function parseBootTime(text) {
  const m = /^btime\s+(\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) : void 0;
}
function parseStatusRss(text) {
  const m = /^VmRSS:\s+(\d+)\s+kB\s*$/m.exec(text);
  return m ? Number(m[1]) * 1024 : void 0;
}
function parseMaxFds(text) {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!m) return void 0;
  if (m[1] === "unlimited") return Infinity;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : void 0;
}

// ../../src/platform/process.ts
var g2 = globalThis;
function denoHasAllPermissions(deno) {
  const q = deno.permissions?.querySync;
  if (typeof q !== "function") return false;
  try {
    for (const name of ["read", "write", "net", "env", "sys", "run", "ffi", "import"]) {
      if (q.call(deno.permissions, { name }).state !== "granted") return false;
    }
    return true;
  } catch {
    return false;
  }
}
function procFs(runtime) {
  if (!isServerRuntime(runtime)) return void 0;
  if (runtime === "deno" && !denoHasAllPermissions(g2.Deno)) return void 0;
  const os = runtime === "deno" ? g2.Deno?.build?.os : g2.process?.platform;
  if (os !== "linux") return void 0;
  try {
    return g2.process?.getBuiltinModule?.("node:fs");
  } catch {
    return void 0;
  }
}
function tryRead(fs, path) {
  try {
    return fs.readFileSync(path, "utf8");
  } catch {
    return void 0;
  }
}
function readParsed(fs, path, parse) {
  const text = tryRead(fs, path);
  return text === void 0 ? void 0 : parse(text);
}
function procReader(fs) {
  if (readParsed(fs, "/proc/self/stat", parseStat) === void 0) return void 0;
  const boot = readParsed(fs, "/proc/stat", parseBootTime);
  return () => {
    const out = {};
    const stat = readParsed(fs, "/proc/self/stat", parseStat);
    if (stat) {
      out.cpuSeconds = stat.cpuSeconds;
      out.virtualBytes = stat.virtualBytes;
      if (boot !== void 0) out.startTimeSeconds = boot + stat.startSecondsAfterBoot;
    }
    const rss = readParsed(fs, "/proc/self/status", parseStatusRss);
    if (rss !== void 0) out.residentBytes = rss;
    try {
      out.openFds = fs.readdirSync("/proc/self/fd").length;
    } catch {
    }
    const max = readParsed(fs, "/proc/self/limits", parseMaxFds);
    if (max !== void 0) out.maxFds = max;
    return out;
  };
}
function runtimeReader(runtime, heapOnly = false) {
  if (!isServerRuntime(runtime)) return () => ({});
  const p = g2.process;
  const deno = runtime === "deno" ? g2.Deno : void 0;
  const origin = typeof performance !== "undefined" ? performance.timeOrigin : 0;
  return () => {
    const out = {};
    try {
      const cpu = heapOnly ? void 0 : p?.cpuUsage?.();
      if (cpu) out.cpuSeconds = (cpu.user + cpu.system) / 1e6;
    } catch {
    }
    try {
      const mem = deno?.memoryUsage?.() ?? p?.memoryUsage?.();
      if (mem && mem.rss > 0 && !heapOnly) out.residentBytes = mem.rss;
      if (mem && mem.heapUsed > 0) out.heapUsedBytes = mem.heapUsed;
      if (mem && mem.heapTotal > 0 && runtime !== "bun") out.heapTotalBytes = mem.heapTotal;
    } catch {
    }
    if (origin > 0 && !heapOnly) out.startTimeSeconds = origin / 1e3;
    return out;
  };
}
var chosen;
function readProcessFigures() {
  if (chosen === void 0) {
    const { runtime } = detectRuntime();
    const fs = procFs(runtime);
    const proc = fs ? procReader(fs) : void 0;
    if (proc) {
      const heap = runtimeReader(runtime, true);
      chosen = () => ({ ...heap(), ...proc() });
    } else chosen = runtimeReader(runtime);
  }
  return chosen();
}

// ../../src/platform/eventloop.ts
var PERIOD_MS = 100;
var LAG_SLOT_MS = 1e4;
var LAG_SLOTS = 6;
var LagWindow = class {
  #slots = Array.from({ length: LAG_SLOTS + 1 }, () => ({
    index: -Infinity,
    max: 0,
    sum: 0,
    count: 0
  }));
  /** Records a tick `lateMs` late, at time `at`. */
  add(lateMs, at) {
    const index = Math.floor(at / LAG_SLOT_MS);
    const s = this.#slots[index % this.#slots.length];
    if (s.index !== index) {
      s.index = index;
      s.max = s.sum = s.count = 0;
    }
    if (lateMs > s.max) s.max = lateMs;
    s.sum += lateMs;
    s.count++;
  }
  /** The lag over the window ending at `at`; undefined when it holds no tick. */
  read(at) {
    const now = Math.floor(at / LAG_SLOT_MS);
    let max = 0, sum = 0, count = 0;
    for (const s of this.#slots) {
      if (s.index > now - this.#slots.length && s.index <= now) {
        if (s.max > max) max = s.max;
        sum += s.sum;
        count += s.count;
      }
    }
    return count === 0 ? void 0 : { max: max / 1e3, mean: sum / count / 1e3 };
  }
};
var lag;
function unref(id) {
  const g3 = globalThis;
  if (typeof id === "number") {
    if (typeof g3.Deno?.unrefTimer !== "function") return false;
    g3.Deno.unrefTimer(id);
    return true;
  }
  const t = id;
  if (typeof t?.unref !== "function") return false;
  t.unref();
  return true;
}
function start(runtime) {
  if (!isServerRuntime(runtime)) return null;
  const w = new LagWindow();
  let expected = performance.now() + PERIOD_MS;
  const id = setInterval(() => {
    const now = performance.now();
    w.add(now > expected ? now - expected : 0, now);
    expected = now + PERIOD_MS;
  }, PERIOD_MS);
  if (unref(id)) return w;
  clearInterval(id);
  return null;
}
function readLag(runtime) {
  if (lag === void 0) {
    lag = start(runtime);
    return void 0;
  }
  return lag?.read(performance.now());
}

// ../../src/collectors/default.ts
var PROCESS = [
  [
    "cpuSeconds",
    "process_cpu_seconds_total",
    "counter",
    "Total user and system CPU time spent in seconds."
  ],
  ["virtualBytes", "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes."],
  ["residentBytes", "process_resident_memory_bytes", "gauge", "Resident memory size in bytes."],
  [
    "startTimeSeconds",
    "process_start_time_seconds",
    "gauge",
    "Start time of the process since unix epoch in seconds."
  ],
  ["openFds", "process_open_fds", "gauge", "Number of open file descriptors."],
  ["maxFds", "process_max_fds", "gauge", "Maximum number of open file descriptors."],
  ["heapUsedBytes", "js_heap_used_bytes", "gauge", "JavaScript heap in use, in bytes."],
  ["heapTotalBytes", "js_heap_total_bytes", "gauge", "JavaScript heap reserved, in bytes."]
];
function runtimeInfoFamily(info, prefix = "") {
  return {
    name: prefix + "js_runtime_info",
    help: "JavaScript runtime information.",
    type: "info",
    samples: [{
      labels: {
        runtime: info.runtime,
        version: info.version,
        ...splitVersion(info.version),
        ...info.extra
      },
      value: 1
    }]
  };
}
var LAG = [
  [
    "max",
    "js_eventloop_lag_max_seconds",
    "gauge",
    "Longest event-loop lag in the last minute, in seconds."
  ],
  [
    "mean",
    "js_eventloop_lag_mean_seconds",
    "gauge",
    "Mean event-loop lag in the last minute, in seconds."
  ]
];
function families(specs, f, prefix) {
  const out = [];
  for (const [key, name, type, help] of specs) {
    const v = f?.[key];
    if (v !== void 0) out.push({ name: prefix + name, help, type, samples: [{ value: v }] });
  }
  return out;
}
function processFamilies(f, prefix = "") {
  return families(PROCESS, f, prefix);
}
function lagFamilies(lag2, prefix = "") {
  return families(LAG, lag2, prefix);
}
function makeCollector(prefix) {
  let info;
  let infoFamily2;
  return () => {
    info ??= detectRuntime();
    infoFamily2 ??= runtimeInfoFamily(info, prefix);
    return [
      infoFamily2,
      ...processFamilies(readProcessFigures(), prefix),
      ...lagFamilies(readLag(info.runtime), prefix)
    ];
  };
}
function defaultFamilies(prefix) {
  return [
    { name: prefix + "js_runtime_info", type: "info" },
    ...[...PROCESS, ...LAG].map(([, name, type]) => ({ name: prefix + name, type }))
  ];
}
var installed = /* @__PURE__ */ new WeakMap();
function checkDefaultOptions(options) {
  if (options === null || typeof options !== "object") {
    throw new TypeError("collectDefaultMetrics() takes an options object: { registry?, prefix? }");
  }
  checkOptions("collectDefaultMetrics()", options, ["registry", "prefix"]);
  const registry2 = options.registry ?? defaultRegistry2;
  if (typeof registry2?.registerCollector !== "function") {
    throw new TypeError("collectDefaultMetrics(): registry must be a Registry");
  }
  const prefix = options.prefix ?? "";
  if (typeof prefix !== "string" || prefix !== "" && !isMetricName(prefix)) {
    throw new TypeError(
      `collectDefaultMetrics(): invalid prefix ${show(prefix)}: it starts every metric name, so it must match [a-zA-Z_:][a-zA-Z0-9_:]*, e.g. "myapp_"`
    );
  }
  return { registry: registry2, prefix };
}
function collectDefaultMetrics(options = {}) {
  const { registry: registry2, prefix } = checkDefaultOptions(options);
  let c = installed.get(registry2);
  if (c === void 0 || c.prefix !== prefix) {
    if (c !== void 0) registry2.unregisterCollector(c.collector);
    c = { prefix, collector: makeCollector(prefix) };
    installed.set(registry2, c);
  }
  registry2.registerCollector(c.collector, {
    name: "default metrics",
    families: defaultFamilies(prefix)
  });
}
function withDefaultMetrics(registry2) {
  collectDefaultMetrics({ registry: registry2 });
  return registry2;
}
var defaultRegistry2 = /* @__PURE__ */ withDefaultMetrics(defaultRegistry);

// ../../src/_protobuf.ts
var textEncoder = /* @__PURE__ */ new TextEncoder();
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
    const start2 = this.#stack.pop();
    const len = this.pos - start2 - 1;
    if (len < 128) {
      this.buf[start2] = len;
      return;
    }
    let extra = 0;
    for (let l = len >>> 7; l > 0; l >>>= 7) extra++;
    this.#ensure(extra);
    const b = this.buf;
    b.copyWithin(start2 + 1 + extra, start2 + 1, this.pos);
    this.pos += extra;
    let p = start2, v = len;
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

// ../../src/aggregate/_codec.ts
var STATE_VERSION = 3;
var MAGIC0 = 112;
var MAGIC1 = 97;
var TYPES2 = ["counter", "gauge", "histogram", "summary", "info"];
var TWO52 = 2 ** 52;
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

// ../../src/aggregate/_extract.ts
var summaryBehind = /* @__PURE__ */ new WeakMap();
async function collectState(registry2) {
  const metrics = registry2.getAll();
  const snapshots = metrics.length === 0 ? [] : await registry2.collect({ names: metrics.map((m) => m.name), quantiles: false });
  return (head) => {
    const families2 = [];
    for (const snap of snapshots) {
      const m = registry2.get(snap.name);
      if (m === void 0) continue;
      const declared = m.labelNames;
      const fam = familyOf(snap, Array.isArray(declared) ? declared : void 0, m, head.now);
      if (fam !== void 0) families2.push(fam);
    }
    return { source: head.source, seq: head.seq, time: head.now, start: head.start, families: families2 };
  };
}
function familyOf(snap, declared, metric, now) {
  if (snap.type === "untyped") return void 0;
  const labelNames = declared ? [...declared] : Object.keys(snap.series[0]?.labels ?? {});
  const fam = {
    name: snap.name,
    help: snap.help,
    type: snap.type,
    unit: snap.unit,
    labelNames,
    series: []
  };
  switch (snap.type) {
    case "counter":
    case "gauge":
      for (const s of snap.series) {
        fam.series.push(base(s, labelNames, s.created ?? 0, s.value));
      }
      return fam;
    case "info":
      for (const s of snap.series) fam.series.push(base(s, labelNames, 0, 0));
      return fam;
    case "histogram":
      histogram(fam, snap);
      return fam;
    case "summary": {
      const core = metric instanceof Summary ? metric : typeof metric === "object" && metric !== null ? summaryBehind.get(metric) : void 0;
      return core === void 0 ? void 0 : summary(fam, snap, core, now);
    }
  }
}
function base(s, names, created, value) {
  const labels = s.labels ?? {};
  const out = {
    labels: names.map((n) => labels[n] ?? ""),
    labelText: s.labelText,
    created,
    value,
    sum: 0,
    count: 0
  };
  return out;
}
function histogram(fam, snap) {
  fam.buckets = [...snap.buckets];
  for (const s of snap.series) {
    const out = base(s, fam.labelNames, s.created ?? 0, 0);
    out.counts = Array.from(s.counts);
    out.sum = s.sum;
    out.count = s.count;
    if (s.native !== void 0) out.native = nativeOf(s.native);
    fam.series.push(out);
  }
}
function nativeOf(n) {
  return {
    schema: n.schema,
    zeroThreshold: n.zeroThreshold,
    zeroCount: n.zeroCount,
    positive: bucketsOf(n.positiveSpans, n.positiveDeltas),
    negative: bucketsOf(n.negativeSpans, n.negativeDeltas)
  };
}
function bucketsOf(spans, deltas) {
  const out = /* @__PURE__ */ new Map();
  let k = 0, d = 0, count = 0;
  for (let i = 0; i < spans.length; i++) {
    k += spans[i].offset;
    for (let j = 0; j < spans[i].length; j++, k++) {
      count += deltas[d++];
      if (count !== 0) out.set(k, count);
    }
  }
  return out;
}
function summary(fam, snap, metric, now) {
  fam.percentiles = [...snap.quantiles];
  fam.maxAgeMs = metric.maxAgeSeconds === void 0 ? 0 : metric.maxAgeSeconds * 1e3;
  const names = fam.labelNames;
  const key = (labels) => JSON.stringify(names.map((n) => labels?.[n] ?? ""));
  const bySeries = /* @__PURE__ */ new Map();
  for (const s of snap.series) bySeries.set(key(s.labels), s);
  for (const live of metric._sketches()) {
    const s = bySeries.get(key(live.labels));
    if (s === void 0) continue;
    const out = base(s, names, s.created ?? 0, 0);
    out.sum = live.sum;
    out.count = live.count;
    const w = live.window;
    if (w instanceof WindowedSketch) {
      out.slots = w.liveSlots().map((x) => ({ expiresAt: now + x.endsInMs, sketch: x.sketch }));
    } else if (w instanceof Sketch) out.sketch = w;
    fam.series.push(out);
  }
  return fam;
}

// ../../src/aggregate/source.ts
var runs = /* @__PURE__ */ new WeakMap();
var AggregationSource = class {
  #send;
  #registry;
  #onError;
  #writer = new ProtoWriter(4096);
  #id;
  #seq = 0;
  #timer;
  #busy;
  /** Creates a source; nothing is sent until {@link flush} or {@link start}. */
  constructor(options) {
    if (options === null || typeof options !== "object" || typeof options.send !== "function") {
      throw new TypeError("AggregationSource takes { send: (state: Uint8Array) => ... }");
    }
    const badId = options.id === void 0 ? void 0 : badSourceId(options.id);
    if (badId !== void 0) {
      throw new TypeError(
        `AggregationSource: id ${JSON.stringify(String(options.id).slice(0, 40))} cannot be used: ${badId}; give each source a short printable id, or none for a random UUID`
      );
    }
    this.#send = options.send;
    this.#registry = options.registry ?? defaultRegistry2;
    this.#onError = options.onError;
    this.#id = options.id;
  }
  /** The source id (made on first use). */
  get id() {
    return this.#id ??= crypto.randomUUID();
  }
  /**
   * The sequence number of the last message this source made (0 before the
   * first). Sources over one registry share the sequence: it rises across them.
   */
  get seq() {
    return this.#seq;
  }
  /** The current state as one message, with the next sequence number. */
  async encode() {
    let run = runs.get(this.#registry);
    if (run === void 0) {
      runs.set(this.#registry, run = { start: Math.max(Date.now(), 1), seq: 0 });
    }
    const seq = this.#seq = ++run.seq;
    const start2 = run.start;
    const read = await collectState(this.#registry);
    return encodeState(read({ source: this.id, seq, now: Date.now(), start: start2 }), this.#writer);
  }
  /**
   * Sends the current state; resolves to whether it was delivered. Never
   * rejects: a failure goes to `onError`, and the next flush carries it all.
   */
  flush() {
    const run = async () => {
      try {
        await this.#send(await this.encode());
        return true;
      } catch (e) {
        try {
          this.#onError?.(e);
        } catch {
        }
        return false;
      }
    };
    const next = (this.#busy ?? Promise.resolve(true)).then(run);
    this.#busy = next;
    return next;
  }
  /** Flushes every `intervalMs` (default 5000) until {@link stop}; the timer does not keep a process alive. */
  start(intervalMs = 5e3) {
    if (!(intervalMs > 0 && intervalMs <= MAX_TIMER_MS)) {
      throw new RangeError(
        `AggregationSource.start(): intervalMs must be > 0 and at most 2**31-1 (about 24.8 days), got ${intervalMs}`
      );
    }
    this.stop();
    const t = setInterval(() => void this.flush(), intervalMs);
    t.unref?.();
    this.#timer = t;
  }
  /** Stops the interval; `flush()` still works (send a last state before a worker exits). */
  stop() {
    if (this.#timer !== void 0) clearInterval(this.#timer);
    this.#timer = void 0;
  }
};

// ../../src/_fetch.ts
var MAX_REPLY_BYTES = 64 * 1024;
var NoAnswer = class extends Error {
  /** True when the deadline passed first. */
  timedOut;
  /** @internal */
  constructor(timedOut, cause) {
    super(_reason(cause), { cause });
    this.name = "NoAnswer";
    this.timedOut = timedOut;
  }
};
function _reason(e) {
  if (!(e instanceof Error)) return String(e);
  const c = e.cause;
  return c instanceof Error && c.message && !e.message.includes(c.message) ? `${e.message}: ${c.message}` : e.message;
}
function _isResponse(r) {
  return typeof r === "object" && r !== null && typeof r.status === "number" && typeof r.headers?.get === "function";
}
async function _readReply(res, signal) {
  const body = res.body;
  if (body === null || typeof body?.getReader !== "function") {
    return typeof res.text === "function" ? (await res.text()).slice(0, MAX_REPLY_BYTES) : "";
  }
  const reader = body.getReader();
  const stop = () => reader.cancel().catch(() => {
  });
  signal.addEventListener("abort", stop, { once: true });
  const chunks = [];
  let n = 0;
  try {
    while (n < MAX_REPLY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      n += value.length;
    }
    if (n >= MAX_REPLY_BYTES) stop();
  } finally {
    signal.removeEventListener("abort", stop);
  }
  const all = new Uint8Array(Math.min(n, MAX_REPLY_BYTES));
  let at = 0;
  for (const c of chunks) {
    if (at >= all.length) break;
    all.set(c.subarray(0, all.length - at), at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}
function requestTimeout(who2, timeout) {
  const t = timeout ?? 1e4;
  if (typeof t !== "number" || !(t > 0)) {
    throw new RangeError(
      `${who2}: timeout must be a number of milliseconds > 0 (Infinity for none), got ${typeof t === "number" ? t : JSON.stringify(t)}`
    );
  }
  return t;
}
function resendable(body) {
  return body instanceof Uint8Array || body instanceof ArrayBuffer ? new Blob([body]) : body;
}
async function request(doFetch, url, init, ms) {
  const ctrl = new AbortController();
  let timer2;
  const deadline = new Promise((_, reject) => {
    if (ms !== Infinity) {
      timer2 = setTimeout(() => {
        ctrl.abort();
        reject(ctrl.signal.reason);
      }, Math.min(ms, MAX_TIMER_MS));
    }
  });
  deadline.catch(() => {
  });
  try {
    let res;
    try {
      const body = resendable(init.body);
      const sent = Promise.resolve().then(
        () => doFetch(url, { ...init, body, signal: ctrl.signal })
      );
      sent.catch(() => {
      });
      res = await Promise.race([sent, deadline]);
    } catch (e) {
      throw new NoAnswer(ctrl.signal.aborted, e);
    }
    if (!_isResponse(res)) {
      throw new TypeError(`the fetch option returned ${show(res)}, not a Response`);
    }
    let reply = "";
    try {
      const read = _readReply(res, ctrl.signal);
      read.catch(() => {
      });
      reply = await Promise.race([read, deadline]);
    } catch (e) {
      if (ctrl.signal.aborted) throw new NoAnswer(true, e);
    }
    return {
      status: res.status,
      ok: res.ok ?? (res.status >= 200 && res.status < 300),
      statusText: res.statusText ?? "",
      headers: res.headers,
      reply
    };
  } finally {
    clearTimeout(timer2);
  }
}

// ../../src/aggregate/http.ts
var STATE_CONTENT_TYPE = "application/x-promedge-state";
function httpSender(url, options = {}) {
  const timeout = requestTimeout("httpSender()", options.timeout);
  const doFetch = options.fetch ?? fetch;
  return async (state) => {
    let res;
    try {
      res = await request(doFetch, url, {
        method: "POST",
        headers: { "content-type": STATE_CONTENT_TYPE, ...options.headers },
        body: state
      }, timeout);
    } catch (e) {
      if (e instanceof NoAnswer && e.timedOut) {
        throw new Error(`Sending state to ${url}: no answer within ${timeout} ms (timeout)`, {
          cause: e.cause
        });
      }
      throw new Error(`Sending state to ${url} failed: ${e instanceof Error ? e.message : e}`, {
        cause: e
      });
    }
    if (!res.ok) {
      throw new Error(`Aggregator at ${url} answered ${res.status}: ${res.reply.trim()}`);
    }
  };
}

// edge.ts
var registry = new Registry();
var requests = new Counter({
  name: "edge_requests_total",
  help: "Requests answered, by path.",
  labelNames: ["route"],
  registry
});
var duration = new Histogram({
  name: "edge_request_duration_seconds",
  help: "Time to answer a request.",
  registry
});
var source;
var edge_default = {
  fetch(req, env, ctx) {
    const started = performance.now();
    const res = new Response("ok\n");
    requests.inc({ route: new URL(req.url).pathname });
    duration.observe((performance.now() - started) / 1e3);
    source ??= new AggregationSource({
      registry,
      send: httpSender("http://aggregator/ingest", { fetch: (u, init) => env.AGG.fetch(u, init) })
    });
    ctx.waitUntil(source.flush());
    return res;
  }
};
export {
  edge_default as default
};
