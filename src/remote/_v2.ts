/**
 * Remote-Write 2.0: the `io.prometheus.write.v2.Request` protobuf message
 * (symbols = 4, `symbols[0]` = "", timeseries = 5). Every string is sent once
 * in the symbols table; series refer to it by index.
 * @module
 */

import type { ProtoWriter } from "../_protobuf.ts";
import { timestampField, TYPE_NUMBER, writeSeriesSample } from "./_v1.ts";
import type { FamilyMeta, FlatSeries } from "./_expand.ts";

/**
 * Writes a `Request` of `batch` at `timestamp` (ms): the series into `w`, then
 * the symbols and the series into `out` (both reset first). Returns a view of
 * `out`'s bytes.
 */
export function encodeV2(
  batch: readonly FlatSeries[],
  metas: readonly FamilyMeta[],
  timestamp: number,
  w: ProtoWriter,
  out: ProtoWriter,
): Uint8Array {
  w.reset();
  out.reset();
  const tsField = timestampField(timestamp);
  const symbols: string[] = [""];
  const index = new Map<string, number>([["", 0]]);
  const ref = (s: string): number => {
    let r = index.get(s);
    if (r === undefined) {
      r = symbols.length;
      index.set(s, r);
      symbols.push(s);
    }
    return r;
  };
  for (const s of batch) {
    w.fork(5);
    w.fork(1); // labels_refs, packed
    for (const l of s.labels) w.uint32(ref(l));
    w.join();
    writeSeriesSample(w, s, timestamp, tsField, 2, 3);
    if (s.exemplars && !s.stale) {
      for (const e of s.exemplars) {
        w.fork(4);
        if (e.labels.length > 0) {
          w.fork(1);
          for (const l of e.labels) w.uint32(ref(l));
          w.join();
        }
        w.doubleField(2, e.value);
        w.int64Field(3, e.timestamp || timestamp);
        w.join();
      }
    }
    if (s.meta >= 0) {
      const m = metas[s.meta];
      w.fork(5);
      const type = TYPE_NUMBER[m.type];
      if (type !== 0) w.uintField(1, type);
      if (m.help) w.uintField(3, ref(m.help));
      if (m.unit) w.uintField(4, ref(m.unit));
      w.join();
      if (s.created > 0 && (type === 1 || type === 3 || type === 5)) w.int64Field(6, s.created);
    }
    w.join();
  }
  for (const sym of symbols) out.stringField(4, sym);
  out.bytes(w.buf.subarray(0, w.pos));
  return out.buf.subarray(0, out.pos);
}
