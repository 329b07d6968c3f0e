import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_PERCENTILES, openMetricsFormat, Registry, Summary } from "../mod.ts";
import { needs, promtool, pyParse, sampleValue } from "./_tools.ts";

/** mulberry32: a small seeded generator, so every run sees the same samples. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

const N = 100_000;
const shapes: Record<string, (r: () => number) => number> = {
  uniform: (r) => r() * 100,
  "lognormal latencies": (r) => Math.exp(-3 + 1.2 * normal(r)),
  "bimodal 99%/1%": (r) => r() < 0.99 ? 0.01 + r() * 0.01 : 2 + r(),
  "many orders of magnitude": (r) => 10 ** (r() * 12 - 6),
  "negative values": (r) => -(10 ** (r() * 4 - 2)),
  "mixed signs with zeros": (r) => r() < 0.1 ? 0 : (r() - 0.5) * 1000,
  "all equal": () => 0.25,
};

function lowerBound(a: Float64Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

for (const [shape, draw] of Object.entries(shapes)) {
  test(`Summary quantiles are within 1% of the exact value or 0.005 in rank: ${shape}`, () => {
    const s = new Summary({ name: "x", help: "h", registry: null });
    const r = rng(42);
    const values = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      values[i] = draw(r);
      s.observe(values[i]);
    }
    values.sort();
    const got = s.quantiles();
    DEFAULT_PERCENTILES.forEach((q, i) => {
      const exact = values[Math.floor(q * (N - 1))];
      const est = got[i];
      const relOk = Math.abs(est - exact) <= 0.01 * Math.abs(exact);
      // Rank of the estimate: where it would sit among the sorted values.
      const lo = lowerBound(values, est) / N;
      const hi = lowerBound(values, est + Math.abs(est) * 1e-12 + 1e-300) / N;
      const rankOk = hi >= q - 0.005 && lo <= q + 0.005;
      assert.ok(
        relOk || rankOk,
        `${shape} q=${q}: estimate ${est}, exact ${exact}, rank ${lo}..${hi}`,
      );
    });
  });
}

test("Summary rejects percentiles outside (0, 1) or not increasing", () => {
  for (const percentiles of [[0], [1], [0.5, 0.5], [0.9, 0.5], [99]]) {
    assert.throws(
      () => new Summary({ name: "x", help: "h", registry: null, percentiles }),
      (e: unknown) => e instanceof RangeError && /Summary "x"/.test(e.message),
      JSON.stringify(percentiles),
    );
  }
  assert.throws(
    () => new Summary({ name: "x", help: "h", registry: null, maxAgeSeconds: 0 }),
    RangeError,
  );
  assert.throws(
    () => new Summary({ name: "x", help: "h", registry: null, labelNames: ["quantile"] }),
    /reserved/,
  );
});

test("Summary.observe() rejects NaN and infinities and keeps what was recorded", () => {
  const s = new Summary({ name: "x", help: "h", registry: null, percentiles: [0.5] });
  s.observe(2);
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(() => s.observe(bad), /Summary "x" cannot observe/);
  }
  assert.deepEqual(s.quantiles(), [2]);
});

test("Summary window: observations older than maxAgeSeconds stop counting", () => {
  let now = 1_000_000;
  const s = new Summary({
    name: "x",
    help: "h",
    registry: null,
    percentiles: [0.5, 0.99],
    maxAgeSeconds: 10,
    ageBuckets: 5,
    now: () => now,
  });
  for (let i = 0; i < 100; i++) s.observe(1000);
  now += 5_000;
  for (let i = 0; i < 300; i++) s.observe(1);
  assert.ok(Math.abs(s.quantiles()[1] - 1000) < 10, "both batches inside the window");
  now += 6_000; // 11 s after the first batch
  const [p50, p99] = s.quantiles();
  assert.ok(
    Math.abs(p50 - 1) < 0.01 && Math.abs(p99 - 1) < 0.01,
    `first batch gone: ${p50} ${p99}`,
  );
  now += 10_000;
  assert.ok(s.quantiles().every(Number.isNaN), "an empty window reports NaN");
});

test("Summary without quantiles writes only _sum and _count, like the Python client", async () => {
  const registry = new Registry();
  const s = new Summary({ name: "x_seconds", help: "h", registry, percentiles: [] });
  s.observe(1.5);
  s.observe(2);
  const text = await registry.metrics();
  assert.equal(
    text,
    "# HELP x_seconds h\n# TYPE x_seconds summary\nx_seconds_sum 3.5\nx_seconds_count 2\n",
  );
});

test("Summary with percentiles: [] observes, times, gives quantiles() [] and writes valid pages", {
  skip: needs("promtool", "python"),
}, async () => {
  const registry = new Registry();
  const plain = new Summary({ name: "a_seconds", help: "h", registry, percentiles: [] });
  const windowed = new Summary({
    name: "b_seconds",
    help: "h",
    registry,
    labelNames: ["route"],
    percentiles: [],
    maxAgeSeconds: 60,
  });
  plain.observe(1.5);
  plain.time(() => 0)();
  plain.startTimer()();
  windowed.observe({ route: "/" }, 2);
  windowed.labels({ route: "/" }).observe(3);
  await windowed.time({ route: "/x" }, () => Promise.resolve(1))();
  windowed.labels({ route: "/x" }).startTimer()();
  assert.deepEqual(plain.quantiles(), []);
  assert.deepEqual(windowed.quantiles({ route: "/" }), []);
  assert.deepEqual(windowed.quantiles({ route: "/none" }), []);
  const text = await registry.metrics();
  const check = promtool(text);
  assert.equal(check.code, 0, check.output);
  for (const om of [false, true]) {
    const fams = pyParse(
      await registry.metrics({ format: om ? openMetricsFormat : undefined }),
      om,
    );
    assert.equal(sampleValue(fams, "a_seconds_count"), 3);
    assert.equal(sampleValue(fams, "b_seconds_sum", { route: "/" }), 5);
    assert.equal(sampleValue(fams, "b_seconds_count", { route: "/x" }), 2);
    const quantiles = fams.flatMap((f) => f.samples).filter((x) => "quantile" in x.labels);
    assert.deepEqual(quantiles, [], "no quantile samples");
  }
});

test("Summary is written with quantiles, sum and count per label set", {
  skip: needs("python"),
}, async () => {
  const registry = new Registry();
  const s = new Summary({
    name: "rpc_seconds",
    help: "h",
    registry,
    labelNames: ["method"],
    percentiles: [0.5, 0.9],
  });
  for (let i = 1; i <= 100; i++) s.observe({ method: "get" }, i);
  s.labels({ method: "put" }).observe(7);
  const time = s.time({ method: "put" }, () => 1);
  time();
  for (const om of [false, true]) {
    const fams = pyParse(
      await registry.metrics({ format: om ? openMetricsFormat : undefined }),
      om,
    );
    const v = (q: string) =>
      Number(sampleValue(fams, "rpc_seconds", { method: "get", quantile: q }));
    assert.ok(Math.abs(v("0.5") - 50) <= 0.5, `p50 ${v("0.5")}`);
    assert.ok(Math.abs(v("0.9") - 90) <= 0.9, `p90 ${v("0.9")}`);
    assert.equal(sampleValue(fams, "rpc_seconds_count", { method: "get" }), 100);
    assert.equal(sampleValue(fams, "rpc_seconds_sum", { method: "get" }), 5050);
    assert.equal(sampleValue(fams, "rpc_seconds_count", { method: "put" }), 2);
  }
});

test("Summary memory per series is bounded by the value range, not the observation count", async () => {
  const { Sketch } = await import("../src/metrics/_sketch.ts");
  const s = new Sketch();
  const r = rng(7);
  for (let i = 0; i < 1_000_000; i++) s.add(1 + r() * 999); // three decades
  const threeDecades = s.pos.counts.length;
  assert.ok(threeDecades < 1000, `buckets for 3 decades: ${threeDecades}`);
  for (let i = 0; i < 1_000_000; i++) s.add(1 + r() * 999);
  assert.equal(s.pos.counts.length, threeDecades, "more observations, no more buckets");
  const wide = new Sketch();
  const all: number[] = [];
  for (let i = -30000; i <= 30000; i++) all.push(10 ** (i / 100), -(10 ** (i / 100)));
  for (const v of all) wide.add(v);
  assert.ok(wide.pos.counts.length <= 16384 && wide.neg.counts.length <= 16384);
  const got = new Float64Array(1);
  wide.quantiles([0.99], got);
  all.sort((a, b) => a - b);
  const exact = all[Math.floor(0.99 * (all.length - 1))];
  // 600 decades fold the lowest buckets; the upper quantiles stay exact to 0.5%.
  assert.ok(Math.abs(got[0] - exact) / exact < 0.005, `${got[0]} vs ${exact}`);
});

test("Registry.collect({ quantiles: false }) leaves summary quantiles out and changes nothing else", async () => {
  const registry = new Registry();
  const s = new Summary({
    name: "size_bytes",
    help: "Sizes.",
    labelNames: ["kind"],
    percentiles: [0.5, 0.9],
    registry,
    collect() {
      this.observe({ kind: "hook" }, 1);
    },
  });
  for (let i = 1; i <= 100; i++) s.observe({ kind: "a" }, i);
  const [skipped] = await registry.collect({ quantiles: false });
  assert.equal(skipped.type, "summary");
  if (skipped.type !== "summary") return;
  assert.deepEqual(skipped.quantiles, [0.5, 0.9], "the family still names its quantiles");
  const a = skipped.series.find((x) => x.labels?.kind === "a")!;
  assert.equal(a.quantiles.length, 0);
  assert.equal(a.count, 100);
  assert.equal(a.sum, 5050);
  assert.ok(skipped.series.some((x) => x.labels?.kind === "hook"), "the collect hook ran");
  // The default read and the page still carry them.
  const [full] = await registry.collect();
  if (full.type !== "summary") return assert.fail("not a summary");
  const q = full.series.find((x) => x.labels?.kind === "a")!.quantiles;
  assert.ok(Math.abs(q[0] - 50) <= 50 * 0.01 + 1, `p50 ${q[0]}`);
  assert.match(await registry.metrics(), /^size_bytes\{kind="a",quantile="0\.9"\} \S+$/m);
});
