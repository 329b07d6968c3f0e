/**
 * The state codec: one source's cumulative state as compact bytes.
 *
 * Layout (version 3; every integer an unsigned LEB128 varint, every double
 * 8 bytes little-endian):
 * ```
 * "pa" 0x03                        magic, version
 * flags                            0
 * source (length, UTF-8) seq time(double, ms) start(double, ms; 0: none)
 *                                  (version 2, still read: no start)
 * strings: count, then (length, UTF-8) each   names, help, label names and values, once each
 * families: count, then each
 *   type(0 counter 1 gauge 2 histogram 3 summary 4 info) name help unit+1(0: none)
 *   labelNames: count, string index each
 *   histogram: bound count, doubles; summary: quantile count, doubles, window ms (double, 0: none)
 *   series: count, then each
 *     label value string indexes; created: ms before `time`
 *     counter, gauge: num    histogram: num sum, counts (one per bucket and +Inf), then
 *              0, or 1 and a native part: zigzag schema, zero threshold (double),
 *              zero count, positive buckets, negative buckets
 *     summary: num sum, count, then with quantiles: a sketch, or (window) slots: count,
 *              then (ms until it leaves the window, sketch) each
 * sketch: zero count, min, max, positive store, negative store
 * store: zigzag first index, length, counts
 * native buckets: count, then (first: zigzag index, later: gap after the previous
 *                 index) and count, each
 * num: 2v for a whole number 0 <= v <= 2^52, else 1 then a double
 * ```
 * Decoding checks everything a hostile sender could get wrong and throws
 * {@link StateError}: nothing half-read is ever returned.
 * @module
 */

import { ProtoWriter } from "../_protobuf.ts";
import { checkLabelName, checkMetricName, loneSurrogateAt } from "../_names.ts";
import { labelText } from "../exposition/_escape.ts";
import { Sketch, type Store } from "../metrics/_sketch.ts";
import type { FamilyState, NativeState, SeriesState, SourceState, StateType } from "./_state.ts";

/** The version of the state codec this library writes; it reads this one and version 2. */
export const STATE_VERSION = 3;

const MAGIC0 = 0x70; // "p"
const MAGIC1 = 0x61; // "a"
const TYPES: readonly StateType[] = ["counter", "gauge", "histogram", "summary", "info"];
const TWO52 = 2 ** 52;
/** More buckets than a sketch store ever holds: a message claiming more is hostile. */
const MAX_STORE = 16384;
/** Beyond every native bucket index (schema 8: +-1074 * 256 at most). */
const MAX_NATIVE_INDEX = 2 ** 19;

/**
 * The most text (UTF-16 code units of names, help and label text) one state
 * may expand to. The string table lets a few MB name the same long strings
 * over and over: without a bound a message under `maxBytes` could make every
 * scrape write gigabytes.
 */
const MAX_EXPANDED = 64 * 1024 * 1024;

/** The most UTF-16 code units a source id may have. */
const MAX_SOURCE_ID = 200;

/**
 * Why `id` cannot be a source id, or undefined when it can: 1 to 200
 * characters, well-formed Unicode (a lone surrogate would be sent as U+FFFD
 * and merge two sources), no control characters (ids become storage keys
 * and, with gauge mode `source`, label values).
 * @internal
 */
export function badSourceId(id: unknown): string | undefined {
  if (typeof id !== "string") return "it is not a string";
  if (id.length === 0 || id.length > MAX_SOURCE_ID) {
    return `it has ${id.length} characters; use 1 to ${MAX_SOURCE_ID}`;
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) return "it holds a control character";
  if (loneSurrogateAt(id) >= 0) return "it holds a lone surrogate (not well-formed Unicode)";
  return undefined;
}

/** A state message that cannot be read: truncated, another version, or values that cannot be. */
export class StateError extends TypeError {
  /** @internal */
  constructor(message: string) {
    super(message);
    this.name = "StateError";
  }
}

/** Writes `state` as bytes; window slots carry their time left relative to `state.time`. @internal */
export function encodeState(
  state: SourceState,
  w: ProtoWriter = new ProtoWriter(4096),
): Uint8Array {
  w.reset();
  const strings = new Map<string, number>();
  const intern = (s: string): number => {
    let i = strings.get(s);
    if (i === undefined) strings.set(s, i = strings.size);
    return i;
  };
  // The table first: intern every string, then write the table, then the body.
  for (const f of state.families) {
    intern(f.name);
    intern(f.help);
    if (f.unit !== undefined) intern(f.unit);
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
    w.uint32(TYPES.indexOf(f.type));
    w.uint64(strings.get(f.name)!);
    w.uint64(strings.get(f.help)!);
    w.uint64(f.unit === undefined ? 0 : strings.get(f.unit)! + 1);
    w.uint64(f.labelNames.length);
    for (const n of f.labelNames) w.uint64(strings.get(n)!);
    if (f.type === "histogram") doubles(w, f.buckets!);
    if (f.type === "summary") {
      doubles(w, f.percentiles!);
      w.double(f.maxAgeMs ?? 0);
    }
    w.uint64(f.series.length);
    for (const s of f.series) {
      for (const v of s.labels) w.uint64(strings.get(v)!);
      const ago = Math.round(time - s.created * 1000);
      w.uint64(ago > 0 && ago < TWO52 ? ago : 0);
      switch (f.type) {
        case "counter":
        case "gauge":
          num(w, s.value);
          break;
        case "histogram":
          num(w, s.sum);
          for (const c of s.counts!) w.uint64(c);
          if (s.native === undefined) w.uint32(0);
          else writeNative(w, s.native);
          break;
        case "summary":
          num(w, s.sum);
          w.uint64(s.count);
          if (f.percentiles!.length === 0) break;
          if (f.maxAgeMs) {
            const live = s.slots!.filter((x) => x.expiresAt > time && x.sketch.count > 0);
            w.uint64(live.length);
            for (const x of live) {
              w.uint64(Math.ceil(x.expiresAt - time));
              writeSketch(w, x.sketch);
            }
          } else writeSketch(w, s.sketch!);
      }
    }
  }
  return w.finish();
}

function doubles(w: ProtoWriter, xs: readonly number[]): void {
  w.uint64(xs.length);
  for (const x of xs) w.double(x);
}

function num(w: ProtoWriter, v: number): void {
  if (v >= 0 && v <= TWO52 && Number.isInteger(v)) w.uint64(v * 2);
  else {
    w.uint32(1);
    w.double(v);
  }
}

function writeSketch(w: ProtoWriter, s: Sketch): void {
  w.uint64(s.zero);
  w.double(s.count === 0 ? 0 : s.min);
  w.double(s.count === 0 ? 0 : s.max);
  writeStore(w, s.pos);
  writeStore(w, s.neg);
}

function writeNative(w: ProtoWriter, n: NativeState): void {
  w.uint32(1);
  w.sint(n.schema);
  w.double(n.zeroThreshold);
  w.uint64(n.zeroCount);
  writeBuckets(w, n.positive);
  writeBuckets(w, n.negative);
}

function writeBuckets(w: ProtoWriter, buckets: Map<number, number>): void {
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  w.uint64(keys.length);
  for (let i = 0; i < keys.length; i++) {
    if (i === 0) w.sint(keys[0]);
    else w.uint64(keys[i] - keys[i - 1] - 1);
    w.uint64(buckets.get(keys[i])!);
  }
}

function writeStore(w: ProtoWriter, st: Store): void {
  const c = st.counts;
  let lo = 0, hi = c.length;
  while (lo < hi && c[lo] === 0) lo++;
  while (hi > lo && c[hi - 1] === 0) hi--;
  w.sint(st.offset + lo);
  w.uint64(hi - lo);
  for (let i = lo; i < hi; i++) w.uint64(c[i]);
}

const utf8 = /* @__PURE__ */ new TextDecoder("utf-8", { fatal: true });

class Reader {
  pos = 0;
  readonly #view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  get left(): number {
    return this.buf.length - this.pos;
  }
  fail(what: string): never {
    throw new StateError(`Bad aggregation state at byte ${this.pos}: ${what}`);
  }
  uint(): number {
    let v = 0, mul = 1;
    const b = this.buf;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= b.length) this.fail("truncated");
      const x = b[this.pos++];
      v += (x & 0x7f) * mul;
      if (x < 0x80) {
        if (v > Number.MAX_SAFE_INTEGER) this.fail("integer beyond 2^53");
        return v;
      }
      mul *= 128;
    }
    return this.fail("integer beyond 2^53");
  }
  /** A count of things each taking at least `size` bytes: never more than the bytes left. */
  len(size = 1): number {
    const n = this.uint();
    if (n * size > this.left) this.fail(`count ${n} exceeds the ${this.left} bytes left`);
    return n;
  }
  double(): number {
    if (this.left < 8) this.fail("truncated");
    const v = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  sint(): number {
    const v = this.uint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
  num(): number {
    const v = this.uint();
    if (v === 1) return this.double();
    if (v % 2 !== 0) this.fail(`bad number tag ${v}`);
    return v / 2;
  }
  string(): string {
    const n = this.len();
    const s = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    try {
      return utf8.decode(s);
    } catch {
      return this.fail("a string is not UTF-8");
    }
  }
}

/**
 * Reads a state; `receivedAt` (the reader's clock, ms) turns window slots'
 * time left into an expiry on that clock. Throws {@link StateError}.
 * @internal
 */
export function decodeState(bytes: Uint8Array, receivedAt: number): SourceState {
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
      `version ${version}, but this aggregator reads versions 2 and ${STATE_VERSION}; run the same promedge version on both sides`,
    );
  }
  if (r.uint() !== 0) r.fail("unknown flags");
  const source = r.string();
  const badId = badSourceId(source);
  if (badId !== undefined) r.fail(`the source id cannot be used: ${badId}`);
  const seq = r.uint();
  const time = r.double();
  if (!Number.isFinite(time)) r.fail("the time is not finite");
  let start: number | undefined;
  if (version > 2) {
    start = r.double();
    if (!(start >= 0 && start < Infinity)) r.fail("the start time is not a finite number >= 0");
    if (start === 0) start = undefined;
  }
  const strings: string[] = new Array(r.len());
  for (let i = 0; i < strings.length; i++) strings[i] = r.string();
  const str = (): string => {
    const i = r.uint();
    return i < strings.length ? strings[i] : r.fail(`string index ${i} out of range`);
  };
  const families: FamilyState[] = new Array(r.len(6));
  const names = new Set<string>();
  let expanded = 0;
  const grow = (n: number): void => {
    if ((expanded += n) > MAX_EXPANDED) {
      r.fail(
        "the state expands to more than 64 MiB of names, help and label text (its strings are used over and over)",
      );
    }
  };
  for (let f = 0; f < families.length; f++) {
    const type = TYPES[r.uint()] ?? r.fail("unknown family type");
    const name = str();
    try {
      checkMetricName(name);
    } catch (e) {
      r.fail((e as Error).message);
    }
    if (names.has(name)) r.fail(`family "${name}" appears twice`);
    names.add(name);
    const help = str();
    const u = r.uint();
    const unit = u === 0 ? undefined : u - 1 < strings.length ? strings[u - 1] : r.fail("bad unit");
    const labelNames: string[] = new Array(r.len());
    for (let i = 0; i < labelNames.length; i++) {
      labelNames[i] = str();
      try {
        checkLabelName(name, labelNames[i]);
      } catch (e) {
        r.fail((e as Error).message);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) r.fail(`"${name}" repeats a label name`);
    grow(name.length + help.length + (unit?.length ?? 0));
    const fam: FamilyState = { name, help, type, unit, labelNames, series: [] };
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
    const series: SeriesState[] = fam.series = new Array(r.len(1 + labelNames.length));
    const seen = new Set<string>();
    for (let i = 0; i < series.length; i++) {
      const labels: string[] = new Array(labelNames.length);
      for (let j = 0; j < labels.length; j++) labels[j] = str();
      for (let j = 0; j < labels.length; j++) grow(labelNames[j].length + labels[j].length + 4);
      const text = labelText(labelNames, labels);
      if (seen.has(text)) r.fail(`"${name}" has the series {${text}} twice`);
      seen.add(text);
      const created = (time - r.uint()) / 1000;
      const s: SeriesState = { labels, labelText: text, created, value: 0, sum: 0, count: 0 };
      series[i] = s;
      readSeries(r, fam, s, receivedAt);
    }
    families[f] = fam;
  }
  if (r.left !== 0) r.fail(`${r.left} bytes after the end`);
  return start === undefined
    ? { source, seq, time, families }
    : { source, seq, time, start, families };
}

function readBounds(r: Reader, name: string, what: string, lo: number, hi: number): number[] {
  const xs: number[] = new Array(r.len(8));
  for (let i = 0; i < xs.length; i++) {
    xs[i] = r.double();
    if (!(xs[i] > lo && xs[i] < hi) || (i > 0 && !(xs[i] > xs[i - 1]))) {
      r.fail(`"${name}": ${what} ${xs[i]} is out of range or order`);
    }
  }
  return xs;
}

function readSeries(r: Reader, fam: FamilyState, s: SeriesState, receivedAt: number): void {
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
      const n = fam.buckets!.length + 1;
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
      if (fam.percentiles!.length === 0) return;
      if (!fam.maxAgeMs) {
        s.sketch = readSketch(r, name);
        if (s.sketch.count !== s.count) {
          r.fail(
            `summary "${name}": the sketch holds ${s.sketch.count} of ${s.count} observations`,
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

function readNative(r: Reader, name: string, count: number): NativeState {
  const schema = r.sint();
  if (!(schema >= -4 && schema <= 8)) r.fail(`histogram "${name}": native schema ${schema}`);
  const zeroThreshold = r.double();
  if (!(zeroThreshold >= 0 && zeroThreshold < Infinity)) {
    r.fail(`histogram "${name}": native zero threshold ${zeroThreshold}`);
  }
  const zeroCount = r.uint();
  const positive = readBuckets(r, name);
  const negative = readBuckets(r, name);
  let total = zeroCount;
  for (const c of positive.values()) total += c;
  for (const c of negative.values()) total += c;
  // NaN observations count but sit in no bucket: never more in buckets than in all.
  if (total > count) {
    r.fail(`histogram "${name}": ${total} observations in native buckets but ${count} in all`);
  }
  return { schema, zeroThreshold, zeroCount, positive, negative };
}

function readBuckets(r: Reader, name: string): Map<number, number> {
  const n = r.len(2);
  const out = new Map<number, number>();
  let k = 0;
  for (let i = 0; i < n; i++) {
    k = i === 0 ? r.sint() : k + 1 + r.uint();
    if (Math.abs(k) > MAX_NATIVE_INDEX) r.fail(`histogram "${name}": native bucket index ${k}`);
    const c = r.uint();
    if (c > 0) out.set(k, c);
  }
  return out;
}

function readSketch(r: Reader, name: string): Sketch {
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

function readStore(r: Reader, st: Store, name: string): void {
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
