/**
 * The state one source (a worker, an isolate) reports: every family of its
 * registry, cumulative. Decoded messages, retained totals and merged results
 * all have this shape.
 * @module
 */

import type { Sketch } from "../metrics/_sketch.ts";

/** The family types a state carries. @internal */
export type StateType = "counter" | "gauge" | "histogram" | "summary" | "info";

/** One series of a family. @internal */
export interface SeriesState {
  /** Label values in the family's `labelNames` order. */
  labels: string[];
  /** The label text, escaped, as the exposition writes it (the merge key). */
  labelText: string;
  /** Epoch seconds. */
  created: number;
  /** Counter and gauge value. */
  value: number;
  /** Histogram: per-bucket counts (not cumulative), the last for +Inf. */
  counts?: number[];
  /** Histogram and summary. */
  sum: number;
  /** Histogram and summary. */
  count: number;
  /** Summary without a window: every observation. */
  sketch?: Sketch;
  /** Summary with a window: the slots still in it, each ending at `expiresAt` (holder's clock, ms). */
  slots?: { expiresAt: number; sketch: Sketch }[];
  /** Histogram with native buckets. */
  native?: NativeState;
}

/**
 * The native (sparse exponential) buckets of one histogram series, by
 * bucket index: bucket `i` of schema `s` is `(2^((i-1) * 2^-s), 2^(i * 2^-s)]`.
 * @internal
 */
export interface NativeState {
  /** -4..8. */
  schema: number;
  /** Observations with `|v| <= zeroThreshold` are in the zero bucket. */
  zeroThreshold: number;
  zeroCount: number;
  /** Index -> count of the populated positive buckets. */
  positive: Map<number, number>;
  /** Index -> count of the populated negative buckets (by `|v|`). */
  negative: Map<number, number>;
}

/** One family as a source has it. @internal */
export interface FamilyState {
  name: string;
  help: string;
  type: StateType;
  unit: string | undefined;
  labelNames: string[];
  /** Histogram bucket bounds without +Inf. */
  buckets?: number[];
  /** Summary quantiles. */
  percentiles?: number[];
  /** Summary window in ms; 0 for none. */
  maxAgeMs?: number;
  series: SeriesState[];
}

/** A source's whole state. @internal */
export interface SourceState {
  source: string;
  seq: number;
  /** The sender's clock when encoded, epoch ms. */
  time: number;
  /**
   * When this run of the source began (its first message), epoch ms on the
   * sender's clock: a later one under the same id is the source restarted.
   * Absent from version-2 states, and 0 written for none.
   */
  start?: number;
  families: FamilyState[];
}
