/**
 * Remote-Write 1.0: the `prometheus.WriteRequest` protobuf message
 * (timeseries = 1, metadata = 3), written with {@link ProtoWriter}.
 * @module
 */

import { ProtoWriter, uvarint } from "../_protobuf.ts";
import type { RemoteMetricType, RemoteNativeHistogram } from "./family.ts";
import type { FamilyMeta, FlatSeries } from "./_expand.ts";
import type { Template } from "./_shape.ts";

/** The metadata type enum, the same numbers in 1.0 and 2.0 (untyped: 0). */
export const TYPE_NUMBER: Readonly<Record<RemoteMetricType, number>> = {
  untyped: 0,
  counter: 1,
  gauge: 2,
  histogram: 3,
  gaugehistogram: 4,
  summary: 5,
  info: 6,
  stateset: 7,
};

/** The staleness marker, a NaN with bits 0x7ff0000000000002, little-endian. */
const STALE_NAN = /* @__PURE__ */ new Uint8Array([2, 0, 0, 0, 0, 0, 0xf0, 0x7f]);

/** The key and varint of `timestamp = 2` (int64 ms), written once per request. */
export function timestampField(timestamp: number): Uint8Array {
  return new Uint8Array([2 << 3, ...uvarint(timestamp)]);
}

/** A series' float sample (value = 1, timestamp = 2) as the body of a `Sample` message. */
function writeSample(w: ProtoWriter, s: FlatSeries, timestamp: Uint8Array): void {
  w.tag(1, 1);
  if (s.stale) w.bytes(STALE_NAN);
  else w.double(s.value);
  w.bytes(timestamp);
}

function spans(w: ProtoWriter, field: number, list: RemoteNativeHistogram["positiveSpans"]): void {
  for (const sp of list) {
    w.fork(field);
    if (sp.offset !== 0) w.sintField(1, sp.offset);
    if (sp.length !== 0) w.uintField(2, sp.length);
    w.join();
  }
}

function deltas(w: ProtoWriter, field: number, list: readonly number[]): void {
  if (list.length === 0) return;
  w.fork(field);
  for (const d of list) w.sint(d);
  w.join();
}

/**
 * The body of a native `Histogram` message, integer counts (the same field
 * numbers in 1.0 and 2.0): count_int 1, sum 3, schema 4, zero_threshold 5,
 * zero_count_int 6, negative spans/deltas 8/9, positive 11/12, timestamp 15.
 */
function writeHistogram(w: ProtoWriter, h: RemoteNativeHistogram, timestamp: number): void {
  w.uintField(1, h.count);
  w.doubleField(3, h.sum);
  w.sintField(4, h.schema);
  w.doubleField(5, h.zeroThreshold);
  w.uintField(6, h.zeroCount);
  spans(w, 8, h.negativeSpans ?? []);
  deltas(w, 9, h.negativeDeltas ?? []);
  spans(w, 11, h.positiveSpans);
  deltas(w, 12, h.positiveDeltas);
  w.int64Field(15, timestamp);
}

/**
 * The body of a native histogram's staleness marker, as Prometheus sends one:
 * no observations and the stale NaN as its sum (Prometheus 2.42 stores a
 * float stale NaN sent for a histogram series the same way).
 */
function writeStaleHistogram(w: ProtoWriter, timestamp: number): void {
  w.uintField(1, 0);
  w.tag(3, 1);
  w.bytes(STALE_NAN);
  w.uintField(6, 0);
  w.int64Field(15, timestamp);
}

/** A series' sample: a histogram (field `histogramField`) or a float (`sampleField`). */
export function writeSeriesSample(
  w: ProtoWriter,
  s: FlatSeries,
  timestamp: number,
  tsField: Uint8Array,
  sampleField: number,
  histogramField: number,
): void {
  if (s.histogram !== undefined) {
    w.fork(histogramField);
    if (s.stale) writeStaleHistogram(w, timestamp);
    else writeHistogram(w, s.histogram, timestamp);
  } else {
    w.fork(sampleField);
    writeSample(w, s, tsField);
  }
  w.join();
}

/** A template's labels in RW 1.0 bytes (see {@link Template.v1}). */
function v1Labels(t: Template): NonNullable<Template["v1"]> {
  const parts: Uint8Array[] = [], value: number[] = [];
  const w = new ProtoWriter(256);
  const l = t.labels;
  for (let i = 0; i < l.length; i += 2) {
    if (t.positions.includes(i + 1)) {
      if (w.pos > 0) {
        parts.push(w.finish());
        value.push(-1);
        w.reset();
      }
      w.stringField(1, l[i]);
      w.tag(2, 2);
      parts.push(w.finish());
      value.push(i + 1);
      w.reset();
    } else {
      w.fork(1);
      w.stringField(1, l[i]);
      w.stringField(2, l[i + 1]);
      w.join();
    }
  }
  if (w.pos > 0) {
    parts.push(w.finish());
    value.push(-1);
  }
  return { parts, value };
}

/** The `labels` of a `TimeSeries`: the template's bytes, the series' values between them. */
function writeLabels(w: ProtoWriter, s: FlatSeries): void {
  const { parts, value } = s.template.v1 ??= v1Labels(s.template);
  const labels = s.labels;
  for (let i = 0; i < parts.length; i++) {
    const v = value[i];
    if (v < 0) w.bytes(parts[i]);
    else {
      w.fork(1);
      w.bytes(parts[i]);
      w.string(labels[v]);
      w.join();
    }
  }
}

/**
 * Writes a `WriteRequest` of `batch` at `timestamp` (ms) into `w` (reset
 * first) and returns a view of the bytes. Metadata goes with it for every
 * family the batch holds.
 */
export function encodeV1(
  batch: readonly FlatSeries[],
  metas: readonly FamilyMeta[],
  timestamp: number,
  w: ProtoWriter,
): Uint8Array {
  w.reset();
  const used = new Set<number>();
  const tsField = timestampField(timestamp);
  for (const s of batch) {
    w.fork(1);
    writeLabels(w, s);
    writeSeriesSample(w, s, timestamp, tsField, 2, 4);
    if (s.exemplars && !s.stale) {
      for (const e of s.exemplars) {
        w.fork(3);
        for (let i = 0; i < e.labels.length; i += 2) {
          w.fork(1);
          w.stringField(1, e.labels[i]);
          w.stringField(2, e.labels[i + 1]);
          w.join();
        }
        w.doubleField(2, e.value);
        w.int64Field(3, e.timestamp || timestamp);
        w.join();
      }
    }
    w.join();
    if (s.meta >= 0) used.add(s.meta);
  }
  for (const i of used) {
    const m = metas[i];
    w.fork(3);
    w.uintField(1, TYPE_NUMBER[m.type]);
    w.stringField(2, m.name);
    if (m.help) w.stringField(4, m.help);
    if (m.unit) w.stringField(5, m.unit);
    w.join();
  }
  return w.buf.subarray(0, w.pos);
}
