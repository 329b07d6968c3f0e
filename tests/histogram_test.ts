import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Counter,
  DEFAULT_BUCKETS,
  exponentialBuckets,
  Histogram,
  linearBuckets,
  openMetricsFormat,
  Registry,
  textFormat,
} from "../mod.ts";
import { needs, pyParse, sampleValue } from "./_tools.ts";

const hist = (opts: { buckets?: number[]; labelNames?: string[] } = {}) => {
  const registry = new Registry();
  const h = new Histogram({ name: "latency_seconds", help: "L.", registry, ...opts });
  return { h, registry };
};

test("Histogram has the usual default buckets, 5 ms to 10 s", () => {
  assert.deepEqual(
    [...DEFAULT_BUCKETS],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  assert.deepEqual(hist().h.buckets, DEFAULT_BUCKETS);
});

test("linearBuckets() and exponentialBuckets() make the bounds and check their arguments", () => {
  assert.deepEqual(linearBuckets(1, 2, 4), [1, 3, 5, 7]);
  assert.deepEqual(exponentialBuckets(1, 10, 3), [1, 10, 100]);
  assert.throws(() => linearBuckets(0, 0, 3), RangeError);
  assert.throws(() => linearBuckets(0, 1, 0), RangeError);
  assert.throws(() => exponentialBuckets(0, 2, 3), RangeError);
  assert.throws(() => exponentialBuckets(1, 1, 3), RangeError);
});

test("new Histogram() rejects buckets that are not increasing or not finite", () => {
  for (const buckets of [[1, 1], [2, 1], [1, NaN], [-Infinity, 1], [1, "2" as unknown as number]]) {
    assert.throws(
      () => hist({ buckets }),
      (e: unknown) => e instanceof RangeError && /Histogram "latency_seconds"/.test(e.message),
      JSON.stringify(buckets),
    );
  }
  assert.deepEqual(hist({ buckets: [1, 2, Infinity] }).h.buckets, [1, 2], "+Inf is implied");
});

test("new Histogram() rejects a label named le", () => {
  assert.throws(() => hist({ labelNames: ["le"] }), /label name "le" is reserved/);
});

test("Histogram.observe() rejects NaN and infinities and keeps what was recorded", async () => {
  const { h, registry } = hist({ buckets: [1] });
  h.observe(0.5);
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(() => h.observe(bad), /Histogram "latency_seconds" cannot observe/);
  }
  assert.match(await registry.metrics(), /^latency_seconds_count 1$/m);
});

test("Histogram buckets are cumulative, le inclusive, +Inf equal to the count", {
  skip: needs("python"),
}, async () => {
  const { h, registry } = hist({ buckets: [0.1, 1, 10], labelNames: ["route"] });
  const values = [0.05, 0.1, 0.5, 1, 3, 10, 11, 1000, -2];
  const r = { route: "/users/:id" };
  for (const v of values) h.observe(r, v);
  const fams = pyParse(await registry.metrics());
  const bucket = (le: string) => sampleValue(fams, "latency_seconds_bucket", { ...r, le });
  for (const [le, bound] of [["0.1", 0.1], ["1.0", 1], ["10.0", 10]] as const) {
    assert.equal(bucket(le), values.filter((v) => v <= bound).length, `le=${le}`);
  }
  assert.equal(bucket("+Inf"), values.length);
  assert.equal(sampleValue(fams, "latency_seconds_count", r), values.length);
  assert.equal(sampleValue(fams, "latency_seconds_sum", r), values.reduce((a, b) => a + b));
});

test("Histogram picks the right bucket with many bounds (binary search)", async () => {
  const buckets = linearBuckets(1, 1, 40);
  const { h, registry } = hist({ buckets });
  for (let v = 0.5; v <= 41; v += 0.5) h.observe(v);
  const text = await registry.metrics();
  for (const b of buckets) {
    const want = (b - 0.5) / 0.5 + 1; // observations 0.5, 1, ..., b
    const le = Number.isInteger(b) ? b.toFixed(1) : String(b);
    assert.match(text, new RegExp(`latency_seconds_bucket\\{le="${le}"\\} ${want}\\n`));
  }
});

test("Histogram.time() observes sync and async durations, also on throw", async () => {
  const { h } = hist({ buckets: [0.01, 10] });
  const registry = new Registry();
  const h2 = new Histogram({ name: "t", help: "h", registry, buckets: [0.01, 10] });
  const f = h2.time((x: number) => x * 2);
  assert.equal(f(21), 42);
  const g = h2.time(async () => {
    await new Promise((r) => setTimeout(r, 25));
    return "done";
  });
  assert.equal(await g(), "done");
  const bad = h2.time(() => {
    throw new Error("x");
  });
  assert.throws(() => bad(), /x/);
  const text = await registry.metrics();
  assert.match(text, /^t_count 3$/m);
  assert.match(text, /^t_bucket\{le="0.01"\} 2$/m, "the 25 ms call is above 10 ms");
  const sum = Number(/^t_sum (\S+)$/m.exec(text)![1]);
  assert.ok(sum >= 0.02 && sum < 5, `sum ${sum}`);
  assert.ok(h);
});

test("Histogram.startTimer() and labels().time() observe into the labelled series", async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: "op_seconds",
    help: "h",
    labelNames: ["op", "ok"],
    registry,
    buckets: [1],
  });
  const end = h.startTimer({ op: "read" });
  end({ ok: "true" });
  await h.labels({ op: "write", ok: "false" }).time(async () => {})();
  const text = await registry.metrics();
  assert.match(text, /^op_seconds_count\{op="read",ok="true"\} 1$/m);
  assert.match(text, /^op_seconds_count\{op="write",ok="false"\} 1$/m);
});

test("a page writes a Histogram without labels as it is when written: observations during a large page keep its +Inf bucket equal to _count", async () => {
  const registry = new Registry();
  // A family before it large enough that the page hands out pieces (and lets
  // the event loop run) before the histogram is written.
  const c = new Counter({ name: "a_total", help: "a", labelNames: ["id"], registry });
  for (let i = 0; i < 5_000; i++) c.inc({ id: "u" + i });
  const h = new Histogram({ name: "z_seconds", help: "z", buckets: [1], registry });
  h.observe(0.5);
  for (const format of [textFormat, openMetricsFormat]) {
    let page = "";
    for await (const piece of registry.chunks({ format }, 1000)) {
      page += piece;
      h.observe(2); // while the page is being written (a request served meanwhile)
    }
    const inf = Number(page.match(/^z_seconds_bucket\{le="\+Inf"\} (\S+)$/m)?.[1]);
    const count = Number(page.match(/^z_seconds_count (\S+)$/m)?.[1]);
    const sum = Number(page.match(/^z_seconds_sum (\S+)$/m)?.[1]);
    assert.equal(inf, count, format.name);
    assert.equal(sum, 0.5 + 2 * (count - 1), format.name);
    if (format === openMetricsFormat && !needs("python")) pyParse(page, true);
  }
});
