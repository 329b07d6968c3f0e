import { test } from "node:test";
import assert from "node:assert/strict";
import { Counter, Registry } from "../mod.ts";
import { needs, pyParse, sampleValue } from "./_tools.ts";

function counter(labelNames: string[] = []) {
  const registry = new Registry();
  const c = new Counter({ name: "jobs_total", help: "Jobs.", labelNames, registry });
  return { c, registry };
}

test("Counter.inc() adds 1 by default and the given amount otherwise", () => {
  const { c } = counter();
  c.inc();
  c.inc(2.5);
  c.inc(0);
  assert.equal(c.get(), 3.5);
});

test("Counter.inc() rejects a negative, NaN or infinite amount and keeps the value", () => {
  const { c } = counter();
  const { c: lc } = counter(["queue"]);
  c.inc(5);
  lc.inc({ queue: "a" }, 2);
  for (const bad of [-1, NaN, Infinity, -Infinity]) {
    assert.throws(() => c.inc(bad), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /Counter "jobs_total" cannot be increased by/);
      return true;
    });
    assert.throws(() => lc.inc({ queue: "a" }, bad), RangeError);
    assert.throws(() => lc.labels({ queue: "a" }).inc(bad), RangeError);
  }
  assert.throws(() => c.inc(-1), /counters only go up; use a Gauge/);
  assert.throws(() => c.inc("3" as unknown as number), RangeError);
  assert.equal(c.get(), 5);
  assert.equal(lc.get({ queue: "a" }), 2);
});

test("Counter.labels() returns a child bound to one series", () => {
  const { c } = counter(["method", "code"]);
  const child = c.labels({ method: "GET", code: "200" });
  child.inc();
  child.inc(3);
  c.inc({ method: "GET", code: "200" });
  assert.equal(child.get(), 5);
  assert.equal(c.get({ method: "GET", code: "200" }), 5);
  assert.equal(c.labels("GET", "200").get(), 5, "positional values name the same series");
  assert.equal(c.get({ method: "GET", code: "404" }), 0);
  assert.equal(c.seriesCount, 1, "get() does not create series");
});

test("Counter treats a number label value like its string", () => {
  const { c } = counter(["code"]);
  c.inc({ code: 200 });
  c.inc({ code: "200" });
  assert.equal(c.get({ code: 200 }), 2);
  assert.equal(c.seriesCount, 1);
});

test("Counter.inc() rejects missing, extra, unknown and non-string labels by name", () => {
  const { c } = counter(["method", "code"]);
  c.inc({ method: "GET", code: "200" });
  const cases: [unknown, RegExp][] = [
    [{ method: "GET" }, /jobs_total" is missing label "code"/],
    [{ method: "GET", code: "200", path: "/" }, /jobs_total" has no label "path"/],
    [{ method: "GET", cod: "200" }, /has no label "cod"; its labels are: method, code/],
    [{ method: "GET", code: null }, /label "code" must be a string or a number/],
    [{ method: "GET", code: { x: 1 } }, /label "code" must be a string or a number/],
    [undefined, /expects a label object such as \{ method: \.\.\., code: \.\.\. \}/],
  ];
  for (const [labels, re] of cases) {
    assert.throws(
      () => c.inc(labels as { method: string; code: string }),
      (e: unknown) => e instanceof TypeError && re.test(e.message),
      String(JSON.stringify(labels)),
    );
  }
  assert.throws(() => c.inc(), TypeError, "inc() without labels on a labelled counter");
  assert.throws(() => c.labels("GET"), /takes 2 label value\(s\) \(method, code\), got 1/);
  assert.equal(c.get({ method: "GET", code: "200" }), 1);
  assert.equal(c.seriesCount, 1);
  const plain = counter().c;
  assert.throws(() => plain.inc({ x: "1" } as never), /has no labels, but got label "x"/);
});

test("Counter keeps label sets apart that other clients merge", () => {
  // prom-client 15 joins "a:p,b:q"-style keys; its successor joins with "|".
  const { c } = counter(["a", "b"]);
  const sets = [
    { a: "p,b:q", b: "" },
    { a: "p", b: "q" },
    { a: "x|", b: "y" },
    { a: "x", b: "|y" },
    { a: "", b: "" },
    { a: "x", b: "" },
    { a: "", b: "x" },
  ];
  sets.forEach((s, i) => c.inc(s, i + 1));
  assert.equal(c.seriesCount, sets.length);
  sets.forEach((s, i) => assert.equal(c.get(s), i + 1));
});

test("Counter.remove() drops one series and reset() all of them", () => {
  const { c } = counter(["q"]);
  c.inc({ q: "a" });
  c.inc({ q: "b" }, 2);
  c.remove({ q: "a" });
  assert.equal(c.get({ q: "a" }), 0);
  assert.equal(c.get({ q: "b" }), 2);
  c.remove("b");
  assert.equal(c.seriesCount, 0);
  c.inc({ q: "c" });
  c.reset();
  assert.equal(c.seriesCount, 0);
  const plain = counter().c;
  plain.inc(7);
  plain.reset();
  assert.equal(plain.get(), 0);
  assert.throws(() => plain.remove({} as never), /has no labels; use reset\(\)/);
});

test("Counter label names are checked by TypeScript", () => {
  const { c } = counter(["method"] as const as unknown as string[]);
  const typed = new Counter({
    name: "typed_total",
    help: "h",
    labelNames: ["method", "code"],
    registry: null,
  });
  typed.inc({ method: "GET", code: 200 });
  // @ts-expect-error: "path" is not a label of this counter
  assert.throws(() => typed.inc({ method: "GET", code: 200, path: "/" }), TypeError);
  // @ts-expect-error: "code" is missing
  assert.throws(() => typed.labels({ method: "GET" }), TypeError);
  assert.ok(c);
});

test("Counter is written as the reference parser reads it", { skip: needs("python") }, async () => {
  const { c, registry } = counter(["path"]);
  c.inc({ path: "/a" }, 3);
  c.labels({ path: "/b" }).inc();
  const fams = pyParse(await registry.metrics());
  assert.equal(fams.length, 1);
  assert.equal(fams[0].type, "counter");
  assert.equal(sampleValue(fams, "jobs_total", { path: "/a" }), 3);
  assert.equal(sampleValue(fams, "jobs_total", { path: "/b" }), 1);
});

test("Counter.remove() with three labels keeps the other series reachable", async () => {
  const registry = new Registry();
  const c = new Counter({ name: "t_total", help: "h", labelNames: ["a", "b", "c"], registry });
  const sets = [
    { a: "1", b: "1", c: "1" },
    { a: "1", b: "1", c: "2" },
    { a: "1", b: "2", c: "1" },
    { a: "2", b: "1", c: "1" },
  ];
  sets.forEach((s, i) => c.inc(s, i + 1));
  c.remove({ a: "1", b: "1", c: "1" });
  c.remove({ a: "2", b: "1", c: "1" });
  c.remove({ a: "9", b: "9", c: "9" });
  assert.equal(c.seriesCount, 2);
  assert.equal(c.get(sets[1]), 2);
  assert.equal(c.get(sets[2]), 3);
  c.inc(sets[3], 10);
  c.inc(sets[0], 20);
  const lines = (await registry.metrics()).split("\n").filter((l) => l.startsWith("t_total{"))
    .sort();
  assert.deepEqual(lines, [
    't_total{a="1",b="1",c="1"} 20',
    't_total{a="1",b="1",c="2"} 2',
    't_total{a="1",b="2",c="1"} 3',
    't_total{a="2",b="1",c="1"} 10',
  ]);
});

test("Counter.inc() with a rejected amount creates no series", async () => {
  const registry = new Registry();
  const c = new Counter({ name: "visits_total", help: "h", labelNames: ["room"], registry });
  for (const bad of [-1, NaN, Infinity, -Infinity, "3", null]) {
    assert.throws(() => c.inc({ room: "attic" }, bad as number), RangeError, String(bad));
  }
  assert.equal(c.seriesCount, 0);
  assert.doesNotMatch(await registry.metrics(), /attic/);
});
