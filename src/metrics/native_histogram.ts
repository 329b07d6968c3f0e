/**
 * Native histograms: sparse exponential buckets kept beside a Histogram's
 * classic ones, passed as its `native` option. A separate import, so a bundle
 * without native histograms carries neither their buckets nor the protobuf
 * exposition Prometheus reads them in.
 *
 * @example
 * ```ts
 * import { Histogram, Registry } from "../../mod.ts";
 * import { nativeHistogram } from "./native_histogram.ts";
 * const h = new Histogram({
 *   name: "rpc_duration_seconds",
 *   help: "RPC latency.",
 *   native: nativeHistogram({ schema: 5 }),
 *   registry: new Registry(),
 * });
 * h.observe(0.042);
 * ```
 * @module
 */

import type { NativeHistogramSnapshot } from "../collector.ts";
import { protobufFormat } from "../exposition/protobuf.ts";
import { NativeExemplars } from "./_exemplar.ts";
import {
  checkNativeOptions,
  DEFAULT_MAX_BUCKETS,
  DEFAULT_NATIVE_SCHEMA,
  DEFAULT_ZERO_THRESHOLD,
  NativeHistogramCounts,
  type NativeHistogramOptions,
  nativeView,
} from "./_native.ts";
import type { NativeHistogram } from "./histogram.ts";

export type { NativeHistogram, NativeHistogramOptions };
export { DEFAULT_MAX_BUCKETS, DEFAULT_NATIVE_SCHEMA, DEFAULT_ZERO_THRESHOLD };

/**
 * The native part of a Histogram, for its `native` option: every series then
 * also keeps sparse exponential buckets (schema 3, zero threshold 2^-128, at
 * most 160 buckets unless `options` say otherwise). They are sent in the
 * protobuf exposition, which Prometheus started with
 * `--enable-feature=native-histograms` asks for: a handler serving a
 * registry that holds such a histogram offers protobuf. The classic buckets
 * stay, and are what the text formats show. Throws a TypeError or
 * RangeError naming a bad option.
 */
export function nativeHistogram(options?: NativeHistogramOptions): NativeHistogram {
  const o = Object.freeze(checkNativeOptions(options, "nativeHistogram(): "));
  return Object.freeze({
    options: o,
    formats: Object.freeze([protobufFormat]),
    _counts: () => new NativeHistogramCounts(o),
    _exemplars: () => new NativeExemplars(),
    _view: view,
  });
}

/**
 * The native part of a series as its snapshot. Read in the same turn as the
 * count, sum and classic buckets, so they agree (Prometheus rejects a scrape
 * whose native buckets do not add up to the count).
 */
function view(counts: unknown): NativeHistogramSnapshot {
  // The series keeps count and sum; the native part only its buckets.
  const n = (counts as NativeHistogramCounts).snapshot();
  return nativeView(n, n.positive, n.negative);
}
