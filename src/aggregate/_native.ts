/**
 * Merging native histogram buckets, as `NativeHistogramCounts.merge` does:
 * both sides are brought to the lower schema (index `k` becomes
 * `ceil(k / 2^d)`), then bucket and zero counts add. Beyond that, for parts
 * that were configured apart: zero buckets of different widths meet at the
 * wider one (buckets below it join it, as Prometheus does when it adds
 * histograms), and the schema is lowered while more buckets are populated
 * than the larger of 160 (the default limit) and either part's count.
 * @module
 */

import { DEFAULT_MAX_BUCKETS, NATIVE_SCHEMA_MIN } from "../metrics/_native.ts";
import type { NativeState } from "./_state.ts";

/** A copy the merge may change. @internal */
export function copyNative(n: NativeState): NativeState {
  return { ...n, positive: new Map(n.positive), negative: new Map(n.negative) };
}

function lowered(k: number, d: number): number {
  return (k + (1 << d) - 1) >> d;
}

function lower(n: NativeState, to: number): void {
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

function upper(k: number, schema: number): number {
  return 2 ** (k * 2 ** -schema);
}

/**
 * Widens `n`'s zero bucket to at least `t`: buckets starting below it move
 * into it, and it grows to the upper bound of one it cuts. Returns the width.
 */
function widen(n: NativeState, t: number): number {
  if (t <= n.zeroThreshold) return n.zeroThreshold;
  for (let changed = true; changed;) {
    changed = false;
    for (const side of [n.positive, n.negative]) {
      for (const k of [...side.keys()].sort((a, b) => a - b)) {
        if (upper(k - 1, n.schema) >= t) break;
        n.zeroCount += side.get(k)!;
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

/** Adds `part`'s buckets to `into` (which it changes; `part` is left as it is). @internal */
export function mergeNative(into: NativeState, part: NativeState): void {
  const limit = Math.max(
    DEFAULT_MAX_BUCKETS,
    into.positive.size + into.negative.size,
    part.positive.size + part.negative.size,
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
