/**
 * The protobuf exposition: length-delimited `io.prometheus.client.MetricFamily`
 * messages (client_model field numbers). Counters, gauges, untyped, info (a
 * gauge `<family>_info` with value 1, as client_golang writes it), summaries
 * and histograms with cumulative classic buckets, the native-histogram
 * fields when a series has them, exemplars, and `created_timestamp` on
 * counters, summaries and histograms (it costs no series).
 * @module
 */

import type {
  BucketSpan,
  CounterFamilySnapshot,
  Exemplar,
  GaugeFamilySnapshot,
  HistogramFamilySnapshot,
  InfoFamilySnapshot,
  SeriesSnapshot,
  SummaryFamilySnapshot,
} from "../collector.ts";
import { infoFamily } from "../_names.ts";
import { ProtoWriter } from "../_protobuf.ts";
import type { Format, FormatWriter } from "./format.ts";

/** The Content-Type of the protobuf exposition. */
export const PROTOBUF_CONTENT_TYPE =
  "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

// MetricFamily.type
const COUNTER = 0, GAUGE = 1, SUMMARY = 2, UNTYPED = 3, HISTOGRAM = 4;
const VARINT = 0;

/** Writes MetricFamily name/help/type and opens the message (a length prefix first). */
function familyHead(w: ProtoWriter, name: string, help: string, type: number): void {
  w.fork(); // the delimited length
  w.stringField(1, name);
  w.stringField(2, help);
  w.uintField(3, type);
}

function labelPairs(w: ProtoWriter, labels: Readonly<Record<string, string>> | undefined): void {
  for (const k in labels) {
    w.fork(1);
    w.stringField(1, k);
    w.stringField(2, labels[k]);
    w.join();
  }
}

/**
 * A google.protobuf.Timestamp from epoch seconds. Nanoseconds are rounded to
 * whole microseconds: a double near 2^31 s resolves no finer than ~0.24 µs,
 * and `1795907831.054` must not reach Prometheus (which truncates to ms) as
 * .053999901.
 */
function timestamp(w: ProtoWriter, field: number, seconds: number): void {
  let s = Math.floor(seconds);
  let nanos = Math.round((seconds - s) * 1e6) * 1000;
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

function exemplar(w: ProtoWriter, field: number, e: Exemplar): void {
  w.fork(field);
  labelPairs(w, e.labels);
  w.doubleField(2, e.value);
  if (e.timestamp !== undefined) timestamp(w, 3, e.timestamp);
  w.join();
}

function spans(w: ProtoWriter, field: number, list: readonly BucketSpan[]): void {
  for (const sp of list) {
    w.fork(field);
    if (sp.offset !== 0) w.sintField(1, sp.offset);
    w.uintField(2, sp.length);
    w.join();
  }
}

/** The deltas of one empty bucket. */
const EMPTY_BUCKET: readonly number[] = [0];

function deltas(w: ProtoWriter, field: number, list: readonly number[]): void {
  if (list.length === 0) return;
  w.fork(field); // packed
  for (const d of list) w.sint(d);
  w.join();
}

/** Writes a finished family's bytes out of the writer. */
function take(w: ProtoWriter): Uint8Array {
  w.join();
  const out = w.finish();
  w.reset();
  return out;
}

function makeWriter(): FormatWriter {
  const w = new ProtoWriter(1 << 16);
  /** Opens one Metric with its labels. */
  const metric = (s: SeriesSnapshot): void => {
    w.fork(4);
    labelPairs(w, s.labels);
  };
  const done = (to: number, n: number): Uint8Array | string => to === n ? take(w) : "";
  return {
    counter(f: CounterFamilySnapshot, from: number, to: number): Uint8Array | string {
      if (from === 0) familyHead(w, f.name, f.help, COUNTER);
      for (let i = from; i < to; i++) {
        const s = f.series[i];
        metric(s);
        w.fork(3);
        w.doubleField(1, s.value);
        if (s.exemplar !== undefined) exemplar(w, 2, s.exemplar);
        if (s.created) timestamp(w, 3, s.created);
        w.join();
        w.join();
      }
      return done(to, f.series.length);
    },
    gauge(f: GaugeFamilySnapshot, from: number, to: number): Uint8Array | string {
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
    info(f: InfoFamilySnapshot, from: number, to: number): Uint8Array | string {
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
    summary(f: SummaryFamilySnapshot, from: number, to: number): Uint8Array | string {
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
    histogram(f: HistogramFamilySnapshot, from: number, to: number): Uint8Array | string {
      if (from === 0) familyHead(w, f.name, f.help, HISTOGRAM);
      const bounds = f.buckets;
      for (let i = from; i < to; i++) {
        const s = f.series[i];
        metric(s);
        w.fork(7);
        w.uintField(1, s.count);
        w.doubleField(2, s.sum);
        // Cumulative classic buckets; +Inf is implied by sample_count.
        let cum = 0;
        for (let b = 0; b < bounds.length; b++) {
          cum += s.counts[b];
          w.fork(3);
          w.uintField(1, cum);
          w.doubleField(2, bounds[b]);
          const e = s.exemplars?.[b];
          if (e !== undefined) exemplar(w, 3, e);
          w.join();
        }
        // An exemplar of the +Inf bucket needs that bucket written out (as client_golang does).
        const inf = s.exemplars?.[bounds.length];
        if (inf !== undefined) {
          w.fork(3);
          w.uintField(1, cum + s.counts[bounds.length]);
          w.doubleField(2, Infinity);
          exemplar(w, 3, inf);
          w.join();
        }
        const n = s.native;
        if (n !== undefined) {
          w.sintField(5, n.schema);
          w.doubleField(6, n.zeroThreshold);
          w.uintField(7, n.zeroCount);
          spans(w, 9, n.negativeSpans);
          deltas(w, 10, n.negativeDeltas);
          if (
            n.zeroThreshold > 0 || n.zeroCount > 0 || n.positiveDeltas.length > 0 ||
            n.negativeDeltas.length > 0
          ) {
            spans(w, 12, n.positiveSpans);
            deltas(w, 13, n.positiveDeltas);
          } else {
            // Empty, with a zero threshold of 0: Prometheus 2.42 would read it as
            // a classic histogram (an empty span does not help); one bucket
            // holding 0 makes it native and changes no count.
            w.fork(12);
            w.uintField(2, 1);
            w.join();
            deltas(w, 13, EMPTY_BUCKET);
          }
        }
        if (s.created) timestamp(w, 15, s.created);
        if (n?.exemplars) { for (const e of n.exemplars) exemplar(w, 16, e); }
        w.join();
        w.join();
      }
      return done(to, f.series.length);
    },
    end(): string {
      return "";
    },
  };
}

/**
 * The protobuf exposition, served to a scraper that ranks it first (Prometheus
 * with `--enable-feature=native-histograms`); the one format that carries
 * native histograms to Prometheus 2.x.
 */
export const protobufFormat: Format = {
  name: "protobuf",
  contentType: PROTOBUF_CONTENT_TYPE,
  needsLabels: true,
  accepts(type: string, params: Readonly<Record<string, string>>): boolean {
    return type === "application/vnd.google.protobuf" &&
      params.proto === "io.prometheus.client.MetricFamily" && params.encoding === "delimited";
  },
  writer(): FormatWriter {
    return makeWriter();
  },
};
