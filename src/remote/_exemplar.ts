/**
 * Exemplars as remote write sends them, or why one is left out. An exemplar
 * never fails a write: one that no receiver would keep is dropped, and the
 * writer counts it by reason (`promedge_remote_write_exemplars_dropped_total`).
 * - `too_long`: its label names and values hold more than 128 Unicode code
 *   points in all (the OpenMetrics limit; Prometheus refuses such an exemplar
 *   and keeps the sample);
 * - `invalid`: a label name that is not one, a value that is not a string, a
 *   value that is not a number, a timestamp that is not whole milliseconds.
 * @module
 */

import { EXEMPLAR_MAX_CODE_POINTS, isLabelName } from "../_names.ts";
import type { RemoteExemplar } from "./family.ts";

export { EXEMPLAR_MAX_CODE_POINTS };

/** An exemplar ready to encode: labels as sorted name, value pairs, flattened. */
export interface FlatExemplar {
  /** name, value, name, value..., sorted by name. */
  labels: string[];
  /** The observed value. */
  value: number;
  /** Milliseconds; 0 means "the write's timestamp". */
  timestamp: number;
}

/** Why exemplars were left out of a write, and how many. */
export interface DroppedExemplars {
  /** Over 128 code points of label names and values. */
  too_long: number;
  /** Not an exemplar a receiver can take (see the module doc). */
  invalid: number;
}

/** Unicode code points in `s` (a surrogate pair is one). */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * `e` ready to encode, or undefined when it is dropped (counted in `dropped`).
 * Empty label values are left out, as for series.
 */
export function flatExemplar(
  e: RemoteExemplar,
  dropped: DroppedExemplars,
): FlatExemplar | undefined {
  const ts = e?.timestamp ?? 0;
  if (typeof e?.value !== "number" || !Number.isSafeInteger(ts) || ts < 0) {
    dropped.invalid++;
    return undefined;
  }
  const labels: string[] = [];
  let length = 0;
  const given = e.labels ?? {};
  for (const name in given) {
    const value = given[name];
    if (typeof value !== "string" || !isLabelName(name)) {
      dropped.invalid++;
      return undefined;
    }
    if (value === "") continue;
    length += codePoints(name) + codePoints(value);
    labels.push(name, value);
  }
  if (length > EXEMPLAR_MAX_CODE_POINTS) {
    dropped.too_long++;
    return undefined;
  }
  // Insertion sort of the pairs: exemplars have one or two labels.
  for (let i = 2; i < labels.length; i += 2) {
    const n = labels[i], v = labels[i + 1];
    let j = i - 2;
    while (j >= 0 && labels[j] > n) {
      labels[j + 2] = labels[j];
      labels[j + 3] = labels[j + 1];
      j -= 2;
    }
    labels[j + 2] = n;
    labels[j + 3] = v;
  }
  return { labels, value: e.value, timestamp: ts };
}
