// ../../src/metrics/_names.ts
var METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
var LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
function checkMetricName(name) {
  if (typeof name !== "string" || !METRIC_NAME.test(name)) {
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
var LABEL_VALUE_SPECIAL = /[\\"\n]/;
function escapeLabelValue(v) {
  if (!LABEL_VALUE_SPECIAL.test(v)) return v;
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

// ../../src/exposition/_encode.ts
function header(name, help, type, unit, om) {
  if (om) {
    return "# TYPE " + name + " " + type + "\n" + (unit ? "# UNIT " + name + " " + unit + "\n" : "") + "# HELP " + name + " " + escapeHelp(help, true) + "\n";
  }
  return "# HELP " + name + " " + escapeHelp(help, false) + "\n# TYPE " + name + " " + type + "\n";
}
function line(name, labelText, value) {
  return labelText === "" ? name + " " + formatValue(value) + "\n" : name + "{" + labelText + "} " + formatValue(value) + "\n";
}
function counterFamily(name) {
  return name.endsWith("_total") ? name.slice(0, -6) : name;
}
function infoFamily(name) {
  return name.endsWith("_info") ? name.slice(0, -5) : name;
}
function writeCounter(name, help, unit, series, om, head = true) {
  if (!om) {
    let out2 = head ? header(name, help, "counter", unit, false) : "";
    for (let i = 0; i < series.length; i++) {
      out2 += line(name, series[i].labelText, series[i].value);
    }
    return out2;
  }
  const fam = counterFamily(name);
  const total = fam + "_total";
  const created = fam + "_created";
  let out = head ? header(fam, help, "counter", unit, true) : "";
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    out += line(total, s.labelText, s.value);
    if (s.created !== void 0) out += line(created, s.labelText, s.created);
  }
  return out;
}
function writeGauge(name, help, unit, series, om, type = "gauge", head = true) {
  let out = head ? header(name, help, om && type === "untyped" ? "unknown" : type, unit, om) : "";
  for (let i = 0; i < series.length; i++) {
    out += line(name, series[i].labelText, series[i].value);
  }
  return out;
}
function writeInfo(name, help, series, om, head = true) {
  const fam = infoFamily(name);
  const sample = fam + "_info";
  let out = !head ? "" : om ? header(fam, help, "info", void 0, true) : header(sample, help, "gauge", void 0, false);
  for (let i = 0; i < series.length; i++) {
    out += line(sample, series[i].labelText, 1);
  }
  return out;
}
function leTexts(bounds) {
  return [...bounds, Infinity].map((b) => 'le="' + formatBound(b) + '"');
}
function quantileTexts(qs) {
  return qs.map((q) => 'quantile="' + formatBound(q) + '"');
}
function writeHistogram(name, help, unit, les, series, om, head = true, negativeBuckets = false) {
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
    if (!om || s.sum >= 0 && !negativeBuckets) {
      out += line(name + "_sum", lt, s.sum);
      out += line(name + "_count", lt, s.count);
    }
    if (om) out += line(name + "_created", lt, s.created);
  }
  return out;
}
function writeSummary(name, help, unit, qs, series, om, head = true) {
  let out = head ? header(name, help, "summary", unit, om) : "";
  const open = name + "{";
  for (let i = 0; i < series.length; i++) {
    const s = series[i];
    const lt = s.labelText;
    const values = s.quantiles;
    if (values !== void 0) {
      const prefix = lt === "" ? open : open + lt + ",";
      for (let q = 0; q < qs.length; q++) {
        if (!om || !(values[q] < 0)) out += prefix + qs[q] + "} " + formatValue(values[q]) + "\n";
      }
    }
    if (!om || s.sum >= 0) {
      out += line(name + "_sum", lt, s.sum);
      out += line(name + "_count", lt, s.count);
    }
    if (om) out += line(name + "_created", lt, s.created);
  }
  return out;
}

// ../../src/registry.ts
var TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
var OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
var AlreadyRegisteredError = class extends TypeError {
  /** The metric that holds the name. */
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
  constructor(errors) {
    super(
      `${errors.length} collector(s) failed: ` + errors.map((e) => e instanceof Error ? e.message : String(e)).join("; ")
    );
    this.name = "CollectError";
    this.errors = errors;
  }
};
var Registry = class {
  #metrics = /* @__PURE__ */ new Map();
  #reserved = /* @__PURE__ */ new Map();
  #collectors = /* @__PURE__ */ new Set();
  #sorted;
  /** The Content-Type of {@link Registry.metrics}' default output. */
  contentType = TEXT_CONTENT_TYPE;
  /**
   * Adds a metric. Throws {@link AlreadyRegisteredError} when its name, or a
   * sample name it writes (`_total`, `_bucket`, ...), is taken.
   */
  register(metric) {
    for (const n of metric.reservedNames) {
      const holder = this.#reserved.get(n);
      if (holder !== void 0) {
        throw new AlreadyRegisteredError(
          holder.name === metric.name ? `A metric named "${metric.name}" is already registered; reuse it (registry.get("${metric.name}")) or pick another name` : `Metric "${metric.name}" would write "${n}", which metric "${holder.name}" already writes; pick another name`,
          holder
        );
      }
    }
    this.#metrics.set(metric.name, metric);
    for (const n of metric.reservedNames) this.#reserved.set(n, metric);
    this.#sorted = void 0;
  }
  /** Removes a metric, by name or by itself; returns whether it was there. */
  unregister(metric) {
    const m = this.#metrics.get(typeof metric === "string" ? metric : metric.name);
    if (m === void 0 || typeof metric !== "string" && m !== metric) return false;
    this.#metrics.delete(m.name);
    for (const n of m.reservedNames) this.#reserved.delete(n);
    this.#sorted = void 0;
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
  /** Adds a custom collector, called at every scrape. */
  registerCollector(collector) {
    if (typeof collector !== "function") {
      throw new TypeError("registerCollector() takes a function returning metric families");
    }
    this.#collectors.add(collector);
  }
  /** Removes a custom collector; returns whether it was there. */
  unregisterCollector(collector) {
    return this.#collectors.delete(collector);
  }
  /** Removes every metric and collector. */
  clear() {
    this.#metrics.clear();
    this.#reserved.clear();
    this.#collectors.clear();
    this.#sorted = void 0;
  }
  #sortedMetrics() {
    return this.#sorted ??= [...this.#metrics.values()].sort(byName);
  }
  /** Runs the collectors and returns every family to write, sorted by name. */
  async #entries(names, errors) {
    const want = names && names.length > 0 ? new Set(names) : void 0;
    let entries = this.#sortedMetrics();
    if (want) entries = entries.filter((m) => want.has(m.name));
    if (this.#collectors.size === 0) return entries;
    const extra = [];
    const seen = /* @__PURE__ */ new Set();
    for (const c of this.#collectors) {
      try {
        for (const fam of await c()) {
          const entry2 = familyEntry(fam);
          const taken = this.#reserved.get(fam.name) ?? this.#reserved.get(entry2.family);
          if (taken !== void 0 || seen.has(entry2.family)) {
            throw new TypeError(
              `A collector returned family "${fam.name}", which is already written by another metric`
            );
          }
          seen.add(entry2.family);
          if (!want || want.has(fam.name)) extra.push(entry2);
        }
      } catch (e) {
        errors.push(e);
      }
    }
    return entries.concat(extra).sort(byName);
  }
  /**
   * Writes every family, in pieces of about `chunkSize` characters, one
   * family at least, and lets the event loop run between pieces, so a large
   * page does not hold up the process for the whole scrape. Throws {@link CollectError} at the end
   * when a metric or collector failed.
   */
  async *chunks(options = {}, chunkSize = 65536) {
    const om = options.openMetrics === true;
    const errors = [];
    const entries = await this.#entries(options.names, errors);
    let buf = "";
    for (const e of entries) {
      try {
        const r = e.encode(om);
        for (const piece of r instanceof Promise ? await r : r) {
          buf += piece;
          if (buf.length >= chunkSize) {
            yield buf;
            buf = "";
            await breath();
          }
        }
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new CollectError(errors);
    if (om) buf += "# EOF\n";
    if (buf) yield buf;
  }
  /**
   * The whole exposition as one string: text 0.0.4 by default, OpenMetrics
   * 1.0 with `{ openMetrics: true }`. Rejects with {@link CollectError} when a
   * metric or collector failed.
   */
  async metrics(options = {}) {
    let out = "";
    for await (const c of this.chunks(options)) out += c;
    return out;
  }
};
function byName(a, b) {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
var g = globalThis;
function breath() {
  return new Promise((resolve) => {
    if (typeof g.setImmediate === "function") g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
function familyEntry(fam) {
  if (fam === null || typeof fam !== "object") {
    throw new TypeError("A collector must return an array of metric families");
  }
  checkMetricName(fam.name);
  const { name, help, type, unit } = fam;
  if (typeof help !== "string") {
    throw new TypeError(`Collected family "${name}": help must be a string`);
  }
  if (unit !== void 0 && (type === "info" || !(type === "counter" ? counterFamily(name) : name).endsWith("_" + unit))) {
    throw new TypeError(
      `Collected family "${name}": unit "${unit}" must be the end of the name (and info has none)`
    );
  }
  if (!Array.isArray(fam.samples)) {
    throw new TypeError(`Collected family "${name}": samples must be an array`);
  }
  const samples = fam.samples.map((s) => {
    let text = "";
    const labels = s.labels ?? {};
    for (const k in labels) {
      checkLabelName(name, k);
      const v = labels[k];
      if (typeof v !== "string" && typeof v !== "number") {
        throw new TypeError(`Collected family "${name}": label "${k}" must be a string or number`);
      }
      text += (text ? "," : "") + k + '="' + escapeLabelValue("" + v) + '"';
    }
    const value = s.value;
    if (typeof value !== "number" && type !== "info") {
      throw new TypeError(`Collected family "${name}": sample values must be numbers`);
    }
    if (type === "counter" && !(value >= 0)) {
      throw new RangeError(
        `Collected counter "${name}" has value ${value}: a counter must be >= 0`
      );
    }
    return { labelText: text, value };
  });
  switch (type) {
    case "counter":
      return {
        name,
        family: counterFamily(name),
        encode: (om) => [writeCounter(name, help, unit, samples, om)]
      };
    case "gauge":
    case "untyped":
      return {
        name,
        family: name,
        encode: (om) => [writeGauge(name, help, unit, samples, om, type)]
      };
    case "info":
      return {
        name,
        family: infoFamily(name),
        encode: (om) => [writeInfo(name, help, samples, om)]
      };
    default:
      throw new TypeError(
        `Collected family "${name}": type ${JSON.stringify(type)} is not one of counter, gauge, untyped, info`
      );
  }
}
var defaultRegistry = new Registry();

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
var STATE_VERSION = 1;
var MAGIC0 = 112;
var MAGIC1 = 97;
var TYPES = ["counter", "gauge", "histogram", "summary", "info"];
var TWO52 = 2 ** 52;
var MAX_STORE = 16384;
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
  w.uint64(strings.size);
  for (const s of strings.keys()) w.string(s);
  w.uint64(state.families.length);
  const time = state.time;
  for (const f of state.families) {
    w.uint32(TYPES.indexOf(f.type));
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
  if (version !== STATE_VERSION) {
    r.fail(
      `version ${version}, but this aggregator reads version ${STATE_VERSION}; run the same promedge version on both sides`
    );
  }
  if (r.uint() !== 0) r.fail("unknown flags");
  const source = r.string();
  if (source.length === 0 || source.length > 200) {
    r.fail("the source id must be 1 to 200 characters");
  }
  const seq = r.uint();
  const time = r.double();
  if (!Number.isFinite(time)) r.fail("the time is not finite");
  const strings = new Array(r.len());
  for (let i = 0; i < strings.length; i++) strings[i] = r.string();
  const str = () => {
    const i = r.uint();
    return i < strings.length ? strings[i] : r.fail(`string index ${i} out of range`);
  };
  const families = new Array(r.len(6));
  const names = /* @__PURE__ */ new Set();
  for (let f = 0; f < families.length; f++) {
    const type = TYPES[r.uint()] ?? r.fail("unknown family type");
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
      let labelText = "";
      for (let j = 0; j < labels.length; j++) {
        labels[j] = str();
        labelText += (j ? "," : "") + labelNames[j] + '="' + escapeLabelValue(labels[j]) + '"';
      }
      if (seen.has(labelText)) r.fail(`"${name}" has the series {${labelText}} twice`);
      seen.add(labelText);
      const created = (time - r.uint()) / 1e3;
      const s = { labels, labelText, created, value: 0, sum: 0, count: 0 };
      series[i] = s;
      readSeries(r, fam, s, receivedAt);
    }
    families[f] = fam;
  }
  if (r.left !== 0) r.fail(`${r.left} bytes after the end`);
  return { source, seq, time, families };
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
  const first = r.uint();
  const offset = first % 2 === 0 ? first / 2 : -(first + 1) / 2;
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

// ../../src/aggregate/_expose.ts
function reservedNamesOf(f) {
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
var MergedFamily = class {
  name;
  reservedNames;
  #schema;
  #series;
  #texts;
  /** The last value written per counter series: a counter never goes back, even by rounding. */
  #last = /* @__PURE__ */ new Map();
  constructor(schema, series) {
    this.name = schema.name;
    this.reservedNames = reservedNamesOf(schema);
    this.#schema = schema;
    this.#series = series;
    this.#texts = schema.type === "histogram" ? leTexts(schema.buckets) : schema.type === "summary" ? quantileTexts(schema.percentiles) : [];
  }
  encode(om) {
    const f = this.#schema;
    const all = this.#series();
    switch (f.type) {
      case "counter": {
        const last = this.#last;
        for (const s of all) {
          const before = last.get(s.labelText);
          if (before !== void 0 && s.value < before) s.value = before;
          else last.set(s.labelText, s.value);
        }
        return [writeCounter(f.name, f.help, f.unit, all, om)];
      }
      case "gauge":
        return [writeGauge(f.name, f.help, f.unit, all, om)];
      case "info":
        return [writeInfo(f.name, f.help, all, om)];
      case "histogram": {
        const negative = f.buckets.length > 0 && f.buckets[0] < 0;
        return [
          writeHistogram(f.name, f.help, f.unit, this.#texts, all, om, true, negative)
        ];
      }
      case "summary": {
        const qs = f.percentiles;
        const scratch = new Sketch();
        const samples = all.map((s) => {
          let quantiles;
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
            quantiles,
            sum: s.sum,
            count: s.count,
            created: s.created
          };
        });
        return [writeSummary(f.name, f.help, f.unit, this.#texts, samples, om)];
      }
    }
  }
};

// ../../src/aggregate/_merge.ts
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
        const labelText = (s.labelText ? s.labelText + "," : "") + 'source="' + source.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : "\\" + c) + '"';
        out.set(labelText, { ...s, labels, labelText, at: receivedAt });
        continue;
      }
      const m = out.get(s.labelText);
      if (m === void 0) {
        out.set(s.labelText, { ...s, at: receivedAt });
        continue;
      }
      const v = s.value;
      switch (mode) {
        case "sum":
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
  return [...out.values()];
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
  #gauges;
  #store;
  #now;
  #live = /* @__PURE__ */ new Map();
  #retired = /* @__PURE__ */ new Map();
  #forgotten = /* @__PURE__ */ new Map();
  #schema = /* @__PURE__ */ new Map();
  #base = /* @__PURE__ */ new Map();
  #order;
  #messages = { accepted: 0, stale: 0, invalid: 0, forgotten: 0 };
  #conflicts = /* @__PURE__ */ new Map();
  /** Creates an aggregator with nothing in it. */
  constructor(options = {}) {
    this.registry = options.registry ?? new Registry();
    this.#retireAfter = positive(options.retireAfterMs ?? 6e4, "retireAfterMs");
    this.#forgetAfter = positive(options.forgetAfterMs ?? 36e5, "forgetAfterMs");
    this.#gauges = options.gauges ?? {};
    for (const [name, mode] of Object.entries(this.#gauges)) {
      if (!["sum", "min", "max", "last", "source"].includes(mode)) {
        throw new TypeError(
          `Aggregator: gauge "${name}" has mode ${JSON.stringify(mode)}; use "sum", "min", "max", "last" or "source"`
        );
      }
    }
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.registry.registerCollector(() => this.#selfFamilies());
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
    if (this.#forgotten.has(id)) {
      this.#messages.forgotten++;
      return { status: "forgotten", conflicts: [] };
    }
    const prev = this.#live.get(id) ?? this.#retired.get(id);
    if (prev !== void 0 && state.seq <= prev.state.seq) {
      this.#messages.stale++;
      return { status: "stale", conflicts: [] };
    }
    const conflicts = this.#admit(state);
    this.#retired.delete(id);
    this.#live.set(id, entry(state, now, NaN));
    this.#order = void 0;
    this.#messages.accepted++;
    if (this.#store) {
      if (prev !== void 0 && !Number.isNaN(prev.retiredAt)) this.#store.delete("retired:" + id);
      this.#store.put(
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
    const mode = this.#gauges[f.name] ?? "sum";
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
      return schema.type === "info" ? uniteInfo(parts.map((p) => p.fam)) : mergeGauges(parts, this.#gauges[name] ?? "sum");
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
        this.#store.delete("live:" + id);
        this.#store.put(
          "retired:" + id,
          stamp(e.receivedAt, now, encodeState({ ...e.state, time: now }))
        );
      }
    }
    let folded = false;
    for (const [id, e] of this.#retired) {
      if (now - e.retiredAt <= this.#forgetAfter) continue;
      this.#retired.delete(id);
      this.#forgotten.set(id, now);
      this.#fold(e, now);
      this.#store?.delete("retired:" + id);
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
    this.#store.put("base", stamp(now, NaN, encodeState(state)));
    this.#store.put("forgotten", new TextEncoder().encode(JSON.stringify([...this.#forgotten])));
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
function positive(v, name) {
  if (!(v > 0)) throw new RangeError(`Aggregator: ${name} must be a number of ms > 0, got ${v}`);
  return v;
}

// ../../src/http/negotiate.ts
function parseList(header2) {
  const out = [];
  header2.split(",").forEach((part, order) => {
    const [type, ...rest] = part.split(";");
    const params = {};
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0) {
        params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, "");
      }
    }
    const q = params.q === void 0 ? 1 : Number(params.q);
    out.push({ type: type.trim().toLowerCase(), params, q: Number.isFinite(q) ? q : 0, order });
  });
  return out.filter((c) => c.type !== "" && c.q > 0).sort((a, b) => b.q - a.q || a.order - b.order);
}
function wantsOpenMetrics(accept) {
  if (!accept) return false;
  for (const c of parseList(accept)) {
    const v = c.params.version;
    if (c.type === "application/openmetrics-text" && (v === void 0 || v === "1.0.0" || v === "0.0.1")) {
      return true;
    }
    if (c.type === "text/plain" && (v === void 0 || v === "0.0.4")) return false;
    if (c.type === "*/*" || c.type === "text/*") return false;
  }
  return false;
}
function acceptsGzip(acceptEncoding) {
  if (!acceptEncoding) return false;
  let star = false;
  for (const c of parseList(acceptEncoding)) {
    if (c.type === "gzip" || c.type === "x-gzip") return true;
    if (c.type === "*") star = true;
  }
  return star && !/(^|,)\s*gzip\s*;\s*q=0(\.0*)?\s*(,|$)/i.test(acceptEncoding);
}

// ../../src/http/handler.ts
function createMetricsHandler(options = {}) {
  const { openMetrics = true, compress = true, onError } = options;
  return async (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("Method Not Allowed\n", {
        status: 405,
        headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }
      });
    }
    const registry = options.registry ?? defaultRegistry;
    const om = openMetrics && wantsOpenMetrics(req.headers.get("accept"));
    const names = new URL(req.url, "http://localhost").searchParams.getAll("name[]");
    let text;
    try {
      text = await registry.metrics({ openMetrics: om, names });
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
      "content-type": om ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
      vary: "Accept, Accept-Encoding"
    });
    const gzip = compress && typeof CompressionStream === "function" && acceptsGzip(req.headers.get("accept-encoding"));
    if (req.method === "HEAD") {
      if (gzip) headers.set("content-encoding", "gzip");
      return new Response(null, { status: 200, headers });
    }
    if (!gzip) return new Response(text, { status: 200, headers });
    headers.set("content-encoding", "gzip");
    const body = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
    return new Response(body, { status: 200, headers, encodeBody: "manual" });
  };
}

// ../../src/aggregate/http.ts
function reply(status, text, headers = {}) {
  return new Response(text + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers }
  });
}
function createIngestHandler(aggregator, options = {}) {
  const max = options.maxBytes ?? 16 * 1024 * 1024;
  return async (req) => {
    if (req.method !== "POST") return reply(405, "POST a state here", { allow: "POST" });
    const declared = Number(req.headers.get("content-length"));
    if (declared > max) return reply(413, `A state may be at most ${max} bytes`);
    let body;
    try {
      body = new Uint8Array(await req.arrayBuffer());
    } catch (e) {
      return reply(400, `Could not read the body: ${e instanceof Error ? e.message : e}`);
    }
    if (body.length > max) return reply(413, `A state may be at most ${max} bytes`);
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
  const page = createMetricsHandler({ ...options.metrics, registry: aggregator.registry });
  return (req) => req.method === "POST" ? ingest(req) : page(req);
}

// ../../src/aggregate/durable_object.ts
function aggregatorObject(options = {}) {
  return class {
    aggregator;
    #handle;
    constructor(state) {
      const storage = state.storage;
      this.aggregator = new Aggregator({
        ...options,
        store: {
          put: (key, value) => storage.put(key, value),
          delete: (key) => storage.delete(key)
        }
      });
      this.#handle = createAggregatorHandler(this.aggregator, options);
      state.blockConcurrencyWhile(async () => {
        const all = await storage.list();
        const entries = [];
        for (const [k, v] of all) if (v instanceof Uint8Array) entries.push([k, v]);
        this.aggregator.restore(entries);
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
