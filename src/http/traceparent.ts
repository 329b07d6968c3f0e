/**
 * The W3C Trace Context `traceparent` header, read as exemplar labels.
 * @module
 */

/** The exemplar labels a valid `traceparent` gives. */
export interface TraceparentLabels {
  /** The trace id: 32 lowercase hex digits, not all zero. */
  trace_id: string;
  /** The parent id (the caller's span): 16 lowercase hex digits, not all zero. */
  span_id: string;
}

// version "-" trace-id "-" parent-id "-" trace-flags, then (versions after 00
// only) more fields, each after a "-". All hex is lowercase (HEXDIGLC).
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/s;
const ZEROS = /^0+$/;

/**
 * The `trace_id` and `span_id` of a W3C `traceparent` header value, or
 * `undefined` when it is absent or invalid, following the Trace Context
 * rules: version `ff`, upper-case hex, an all-zero trace or parent id, a
 * field of the wrong length, or anything after the flags of version `00` is
 * invalid. A later version is read by its first four fields when what
 * follows the flags starts with `-`.
 *
 * @example
 * ```ts
 * import { traceparentLabels } from "../../mod.ts";
 * traceparentLabels("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
 * // { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" }
 * traceparentLabels("00-00000000000000000000000000000000-00f067aa0ba902b7-01"); // undefined
 * ```
 */
export function traceparentLabels(
  header: string | null | undefined,
): TraceparentLabels | undefined {
  if (typeof header !== "string" || header.length < 55) return undefined;
  const m = TRACEPARENT.exec(header);
  if (m === null) return undefined;
  const [, version, traceId, spanId, rest] = m;
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (ZEROS.test(traceId) || ZEROS.test(spanId)) return undefined;
  return { trace_id: traceId, span_id: spanId };
}
