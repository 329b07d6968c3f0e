import { test } from "node:test";
import assert from "node:assert/strict";
import { Counter, Gauge } from "../mod.ts";

const make = (name: unknown, labelNames?: unknown) => () =>
  new Counter({
    name: name as string,
    help: "h",
    labelNames: labelNames as string[],
    registry: null,
  });

test("new Counter() rejects invalid metric names with the rule", () => {
  for (const name of ["", "1abc", "a-b", "a b", "é", "a.b", undefined, 5]) {
    assert.throws(
      make(name),
      (e: unknown) =>
        e instanceof TypeError && e.message.includes("Invalid metric name") &&
        e.message.includes("[a-zA-Z_:][a-zA-Z0-9_:]*"),
      String(name),
    );
  }
  for (const name of ["a", "_a", "a:b", "A_1", "job:rate5m"]) make(name)();
});

test("new Counter() rejects invalid, reserved and repeated label names", () => {
  const cases: [unknown, RegExp][] = [
    [["a-b"], /invalid label name "a-b"/],
    [["1a"], /invalid label name "1a"/],
    [["a:b"], /invalid label name "a:b"/],
    [["__name"], /starts with "__", which is reserved/],
    [["a", "a"], /label name "a" is listed twice/],
    ["a", /labelNames must be an array/],
  ];
  for (const [labelNames, re] of cases) {
    assert.throws(
      make("x", labelNames),
      (e: unknown) => e instanceof TypeError && /Metric "x"/.test(e.message) && re.test(e.message),
      String(labelNames),
    );
  }
});

test("new Counter() requires help text and an options object", () => {
  assert.throws(() => new Counter({ name: "x", registry: null } as never), /help must be a string/);
  assert.throws(() => new Counter(undefined as never), /takes an options object/);
});

test("a unit must be the name's suffix", () => {
  new Gauge({ name: "size_bytes", help: "h", unit: "bytes", registry: null });
  new Counter({ name: "io_bytes_total", help: "h", unit: "bytes", registry: null });
  assert.throws(
    () => new Gauge({ name: "size", help: "h", unit: "bytes", registry: null }),
    /must end with "_bytes".*rename it to "size_bytes"/,
  );
});
