import { test } from "node:test";
import assert from "node:assert/strict";
import { traceparentLabels } from "../mod.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

test("traceparentLabels() reads trace_id and span_id of a version 00 header", () => {
  assert.deepEqual(traceparentLabels(`00-${TRACE}-${SPAN}-01`), { trace_id: TRACE, span_id: SPAN });
  assert.deepEqual(traceparentLabels(`00-${TRACE}-${SPAN}-00`), { trace_id: TRACE, span_id: SPAN });
});

test("traceparentLabels() reads a later version by its first four fields, if a dash follows", () => {
  assert.deepEqual(traceparentLabels(`01-${TRACE}-${SPAN}-01`), { trace_id: TRACE, span_id: SPAN });
  assert.deepEqual(traceparentLabels(`cc-${TRACE}-${SPAN}-09-what-ever`), {
    trace_id: TRACE,
    span_id: SPAN,
  });
  assert.equal(traceparentLabels(`cc-${TRACE}-${SPAN}-09x`), undefined);
});

test("traceparentLabels() ignores invalid headers as the W3C Trace Context says", () => {
  const bad = [
    undefined,
    null,
    "",
    `ff-${TRACE}-${SPAN}-01`, // version ff is invalid
    `00-${TRACE}-${SPAN}-01-extra`, // nothing may follow the flags in version 00
    `00-${TRACE}-${SPAN}-01 `,
    `00-${TRACE.toUpperCase()}-${SPAN}-01`, // hex is lowercase
    `00-${TRACE}-${SPAN.toUpperCase()}-01`,
    `0A-${TRACE}-${SPAN}-01`,
    `00-${TRACE}-${SPAN}-0A`,
    `00-${"0".repeat(32)}-${SPAN}-01`, // all-zero trace id
    `00-${TRACE}-${"0".repeat(16)}-01`, // all-zero parent id
    `00-${TRACE.slice(1)}-${SPAN}-01`,
    `00-${TRACE}0-${SPAN}-01`,
    `00-${TRACE}-${SPAN.slice(1)}-01`,
    `00-${TRACE}-${SPAN}-1`,
    `0-${TRACE}-${SPAN}-01`,
    `00_${TRACE}_${SPAN}_01`,
    `00-${TRACE.slice(0, 31)}g-${SPAN}-01`,
    `00-${TRACE}-${SPAN}-01, 00-${TRACE}-${SPAN}-01`, // two headers joined by Headers.get()
  ];
  for (const h of bad) assert.equal(traceparentLabels(h), undefined, String(h));
});
