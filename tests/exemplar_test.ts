import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Counter,
  createMetricsHandler,
  Histogram,
  type HistogramSeriesSnapshot,
  openMetricsFormat,
  OVERFLOW_VALUE,
  Registry,
  type ValueSeriesSnapshot,
} from "../mod.ts";
import { nativeHistogram } from "../src/metrics/native_histogram.ts";
import { PROTOBUF_CONTENT_TYPE, protobufFormat } from "../src/exposition/protobuf.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NativeExemplars } from "../src/metrics/_exemplar.ts";
import { RemoteWriter } from "../src/remote/mod.ts";
import { goDecode, needs, type ParsedFamily, promtool, pyParse, rwdecode } from "./_tools.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const TRACE2 = "0af7651916cd43dd8448eb211c80319c";

function setup() {
  const registry = new Registry();
  const c = new Counter({ name: "jobs_total", help: "Jobs.", registry });
  const lc = new Counter({ name: "orders_total", help: "O.", labelNames: ["shop"], registry });
  const h = new Histogram({ name: "latency_seconds", help: "L.", buckets: [0.1, 1], registry });
  const lh = new Histogram({
    name: "size_bytes",
    help: "S.",
    buckets: [10, 100],
    labelNames: ["route"],
    registry,
  });
  return { registry, c, lc, h, lh };
}

type Sample = ParsedFamily["samples"][number];

/** The OpenMetrics page as the strict Python parser reads it: samples by name and labels. */
async function omSamples(registry: Registry): Promise<Sample[]> {
  const page = await registry.metrics({ format: openMetricsFormat });
  return pyParse(page, true).flatMap((f) => f.samples);
}

function sample(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample {
  const s = samples.find((x) =>
    x.name === name && JSON.stringify(Object.entries(x.labels).sort()) ===
      JSON.stringify(Object.entries(labels).sort())
  );
  assert.ok(s, `${name} ${JSON.stringify(labels)} in ${JSON.stringify(samples)}`);
  return s;
}

/** Epoch ms of a parsed [seconds, nanoseconds] timestamp. */
const ms = (ts: [number, number] | null) => {
  assert.ok(ts, "the exemplar has a timestamp");
  return ts[0] * 1000 + ts[1] / 1e6;
};

const py = needs("python");

test(
  "Counter.incWithExemplar() adds the value and keeps it as the exemplar, timestamped at the call",
  {
    skip: py,
  },
  async () => {
    const { registry, c } = setup();
    c.inc(2);
    const before = Date.now();
    c.incWithExemplar(1.5, { trace_id: TRACE });
    const after = Date.now();
    assert.equal(c.get(), 3.5);
    await new Promise((r) => setTimeout(r, 20));
    const s = sample(await omSamples(registry), "jobs_total");
    assert.equal(s.value, 3.5);
    assert.deepEqual(s.exemplar?.labels, { trace_id: TRACE });
    assert.equal(s.exemplar?.value, 1.5);
    const t = ms(s.exemplar!.timestamp);
    assert.ok(t >= before && t <= after, `recorded at the call: ${t} in [${before}, ${after}]`);
    assert.equal(t, Math.round(t), "millisecond resolution");
    // Scraped again later: the same timestamp (Prometheus would store a new one as a new exemplar).
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(sample(await omSamples(registry), "jobs_total").exemplar, s.exemplar);
  },
);

test(
  "Counter: a plain inc() keeps the exemplar; the latest incWithExemplar() replaces it, per series",
  {
    skip: py,
  },
  async () => {
    const { registry, c, lc } = setup();
    c.incWithExemplar(1, { trace_id: TRACE });
    c.inc();
    c.inc(5);
    lc.incWithExemplar({ shop: "north" }, { value: 2, exemplarLabels: { trace_id: TRACE } });
    lc.incWithExemplar({ shop: "north" }, { value: 3, exemplarLabels: { trace_id: TRACE2 } });
    const south = lc.labels({ shop: "south" });
    south.incWithExemplar(4, { trace_id: TRACE, span_id: "00f067aa0ba902b7" });
    south.inc();
    lc.inc({ shop: "east" });
    const samples = await omSamples(registry);
    const jobs = sample(samples, "jobs_total");
    assert.equal(jobs.value, 7);
    assert.deepEqual(jobs.exemplar?.labels, { trace_id: TRACE });
    assert.equal(jobs.exemplar?.value, 1);
    const north = sample(samples, "orders_total", { shop: "north" });
    assert.equal(north.value, 5);
    assert.deepEqual([north.exemplar?.labels, north.exemplar?.value], [{ trace_id: TRACE2 }, 3]);
    const s = sample(samples, "orders_total", { shop: "south" });
    assert.equal(s.value, 5);
    assert.deepEqual(s.exemplar?.labels, { trace_id: TRACE, span_id: "00f067aa0ba902b7" });
    assert.equal(s.exemplar?.value, 4);
    assert.equal(sample(samples, "orders_total", { shop: "east" }).exemplar, null);
  },
);

test(
  "Histogram.observeWithExemplar() keeps the latest exemplar in the bucket that holds the value",
  {
    skip: py,
  },
  async () => {
    const { registry, h, lh } = setup();
    h.observeWithExemplar(0.1, { trace_id: "on-the-bound" }); // le="0.1": bounds close their bucket
    h.observeWithExemplar(0.5, { trace_id: "first" });
    h.observeWithExemplar(1, { trace_id: "latest" }); // also le="1.0", replaces "first"
    h.observeWithExemplar(7, { trace_id: "inf" });
    h.observe(0.05);
    h.observe(3);
    lh.observeWithExemplar({ route: "/a" }, { value: 50, exemplarLabels: { trace_id: TRACE } });
    lh.labels({ route: "/b" }).observeWithExemplar(5, { trace_id: TRACE2 });
    lh.observe({ route: "/b" }, 500);
    const samples = await omSamples(registry);
    const b = (le: string) => sample(samples, "latency_seconds_bucket", { le });
    assert.deepEqual([b("0.1").value, b("0.1").exemplar?.labels], [2, {
      trace_id: "on-the-bound",
    }]);
    assert.equal(b("0.1").exemplar?.value, 0.1);
    assert.deepEqual([b("1.0").value, b("1.0").exemplar?.labels], [4, { trace_id: "latest" }]);
    assert.equal(b("1.0").exemplar?.value, 1);
    assert.deepEqual([b("+Inf").value, b("+Inf").exemplar?.labels], [6, { trace_id: "inf" }]);
    assert.equal(sample(samples, "latency_seconds_count").value, 6);
    assert.equal(sample(samples, "latency_seconds_sum").value, 0.1 + 0.5 + 1 + 7 + 0.05 + 3);
    const a100 = sample(samples, "size_bytes_bucket", { route: "/a", le: "100.0" });
    assert.deepEqual([a100.exemplar?.labels, a100.exemplar?.value], [{ trace_id: TRACE }, 50]);
    assert.equal(sample(samples, "size_bytes_bucket", { route: "/a", le: "10.0" }).exemplar, null);
    const b10 = sample(samples, "size_bytes_bucket", { route: "/b", le: "10.0" });
    assert.deepEqual([b10.exemplar?.labels, b10.exemplar?.value], [{ trace_id: TRACE2 }, 5]);
    assert.equal(sample(samples, "size_bytes_bucket", { route: "/b", le: "+Inf" }).value, 2);
  },
);

test("incWithExemplar() and observeWithExemplar() count code points: exactly 128 pass, 129 fail", {
  skip: py,
}, async () => {
  const { registry, c, h } = setup();
  // 8 + 120 = 128 code points, all ASCII.
  c.incWithExemplar(1, { trace_id: "a".repeat(120) });
  // An astral character is one code point (two UTF-16 units): 1 + 127 = 128, 255 units.
  const astral = "😀".repeat(127);
  h.observeWithExemplar(0.5, { t: astral });
  const samples = await omSamples(registry); // Python counts code points, and rejects past 128
  assert.equal(sample(samples, "jobs_total").exemplar?.labels.trace_id, "a".repeat(120));
  assert.equal(sample(samples, "latency_seconds_bucket", { le: "1.0" }).exemplar?.labels.t, astral);
  const tooLong = (e: unknown) =>
    e instanceof RangeError && /128/.test(e.message) && /129 code points/.test(e.message) &&
    /exemplar/.test(e.message);
  assert.throws(() => c.incWithExemplar(1, { trace_id: "a".repeat(121) }), tooLong);
  assert.throws(
    () => c.incWithExemplar(1, { trace_id: "a".repeat(60), span: "b".repeat(57) }),
    tooLong,
  );
  assert.throws(() => h.observeWithExemplar(0.5, { t: astral + "😀" }), tooLong);
  assert.throws(() => h.observeWithExemplar(0.5, { tt: astral }), tooLong);
  assert.equal(c.get(), 1);
  const page = await registry.metrics({ format: openMetricsFormat });
  assert.equal(page, await registry.metrics({ format: openMetricsFormat }));
  assert.match(page, /^latency_seconds_count 1$/m, "nothing recorded by the rejected calls");
});

test("rejected exemplars change nothing: bad label names, values, lone surrogates, bad numbers", async () => {
  const { registry, c, lc, h, lh } = setup();
  c.incWithExemplar(2, { trace_id: TRACE });
  lc.inc({ shop: "north" });
  h.observeWithExemplar(0.5, { trace_id: TRACE });
  const before = await registry.metrics({ format: openMetricsFormat });
  const cases: [unknown, unknown, typeof TypeError | typeof RangeError, RegExp][] = [
    [1, { "trace-id": "x" }, TypeError, /invalid exemplar label name "trace-id".*\[a-zA-Z_\]/],
    [1, { "1x": "x" }, TypeError, /invalid exemplar label name "1x"/],
    [1, { __name__: "x" }, TypeError, /invalid exemplar label name "__name__".*"__"/],
    [1, { "": "x" }, TypeError, /invalid exemplar label name ""/],
    [1, { trace_id: null }, TypeError, /exemplar label "trace_id" must be a string or a number/],
    [
      1,
      { trace_id: "ab\uD800" },
      TypeError,
      /exemplar label "trace_id": "ab\\ud800" holds a lone UTF-16 surrogate \(\\uD800 at index 2\)/,
    ],
    [1, { trace_id: "\uDC00ab" }, TypeError, /lone UTF-16 surrogate \(\\uDC00 at index 0\)/],
    [1, { trace_id: "x\uD83D\uE000" }, TypeError, /lone UTF-16 surrogate \(\\uD83D at index 1\)/],
    [1, null, TypeError, /exemplar labels must be an object/],
    [1, "trace", TypeError, /exemplar labels must be an object/],
    [NaN, { trace_id: TRACE }, RangeError, /cannot (be increased by|observe) NaN/],
    [Infinity, { trace_id: TRACE }, RangeError, /Infinity/],
    ["1", { trace_id: TRACE }, RangeError, /"1"/],
  ];
  const named = (kind: string, re: RegExp, cls: typeof TypeError) => (e: unknown) =>
    e instanceof cls && e.message.startsWith(kind) && re.test(e.message);
  for (const [v, labels, cls, re] of cases) {
    const what = `${String(v)} ${JSON.stringify(labels)}`;
    const ex = labels as Record<string, string>;
    assert.throws(
      () => c.incWithExemplar(v as number, ex),
      named('Counter "jobs_total"', re, cls),
      what,
    );
    assert.throws(
      () => lc.incWithExemplar({ shop: "south" }, { value: v as number, exemplarLabels: ex }),
      named('Counter "orders_total"', re, cls),
      what,
    );
    assert.throws(
      () => lc.labels({ shop: "north" }).incWithExemplar(v as number, ex),
      named('Counter "orders_total"', re, cls),
      what,
    );
    assert.throws(
      () => h.observeWithExemplar(v as number, ex),
      named('Histogram "latency_seconds"', re, cls),
      what,
    );
    assert.throws(
      () => lh.observeWithExemplar({ route: "/x" }, { value: v as number, exemplarLabels: ex }),
      named('Histogram "size_bytes"', re, cls),
      what,
    );
  }
  // A counter only goes up; a histogram may observe a negative value.
  assert.throws(() => c.incWithExemplar(-1, { trace_id: TRACE }), /counters only go up/);
  const formHint = /takes \{ value, exemplarLabels \} as its second argument/;
  assert.throws(() => lc.incWithExemplar({ shop: "north" }, undefined as never), formHint);
  assert.throws(
    () => lc.incWithExemplar({ shop: "north" }, { trace_id: TRACE } as never),
    formHint,
  );
  assert.throws(
    () => lh.observeWithExemplar({ route: "/" }, { trace_id: TRACE } as never),
    formHint,
  );
  assert.equal(
    await registry.metrics({ format: openMetricsFormat }),
    before,
    "nothing recorded changed",
  );
  assert.equal(lc.seriesCount, 1, "no series made by a rejected call");
  assert.equal(lh.seriesCount, 0, "no series made by a rejected call");
});

test("Counter and Histogram: an exemplar label value may be a number, written as text", async () => {
  const { registry, c } = setup();
  c.incWithExemplar(1, { attempt: 3 });
  assert.match(
    await registry.metrics({ format: openMetricsFormat }),
    /jobs_total 1 # \{attempt="3"\} 1 /,
  );
});

test("text 0.0.4 never carries exemplars, and promtool accepts the page", {
  skip: needs("promtool"),
}, async () => {
  const { registry, c, lc, h, lh } = setup();
  c.incWithExemplar(1, { trace_id: TRACE });
  lc.incWithExemplar({ shop: "a" }, { value: 1, exemplarLabels: { trace_id: TRACE } });
  h.observeWithExemplar(0.5, { trace_id: TRACE });
  h.observeWithExemplar(50, { trace_id: TRACE });
  lh.observeWithExemplar({ route: "/" }, { value: 1, exemplarLabels: { trace_id: TRACE } });
  const text = await registry.metrics();
  assert.doesNotMatch(text, /#\s*\{|trace_id/);
  const r = promtool(text);
  assert.equal(r.code, 0, r.output);
});

test("registry.collect() snapshots carry the exemplars; reset() drops them", async () => {
  const { registry, c, lc, h } = setup();
  c.incWithExemplar(1, { trace_id: TRACE });
  lc.incWithExemplar({ shop: "a" }, { value: 2, exemplarLabels: { trace_id: TRACE2 } });
  lc.inc({ shop: "b" });
  h.observeWithExemplar(0.05, { trace_id: TRACE });
  const fams = await registry.collect();
  const series = (name: string) => fams.find((f) => f.name === name)!.series;
  const jobs = series("jobs_total")[0] as ValueSeriesSnapshot;
  assert.deepEqual(jobs.exemplar?.labels, { trace_id: TRACE });
  assert.equal(typeof jobs.exemplar?.timestamp, "number");
  const orders = series("orders_total") as ValueSeriesSnapshot[];
  assert.equal(orders.find((s) => s.labels?.shop === "a")?.exemplar?.value, 2);
  assert.equal(orders.find((s) => s.labels?.shop === "b")?.exemplar, undefined);
  const hs = series("latency_seconds")[0] as HistogramSeriesSnapshot;
  assert.deepEqual(hs.exemplars?.map((e) => e?.labels.trace_id), [TRACE, undefined, undefined]);
  c.reset();
  h.reset();
  lc.reset();
  const after = await registry.metrics({ format: openMetricsFormat });
  assert.doesNotMatch(after, /trace_id/, after);
});

test("protobuf carries counter and bucket exemplars, the +Inf one on an explicit +Inf bucket", {
  skip: needs("go"),
}, async () => {
  const { registry, c, h } = setup();
  const before = Date.now();
  c.incWithExemplar(2, { trace_id: TRACE });
  const after = Date.now();
  h.observeWithExemplar(0.5, { trace_id: TRACE });
  h.observeWithExemplar(9, { trace_id: TRACE2 });
  const res = await createMetricsHandler({ registry, formats: [protobufFormat] })(
    new Request("http://x/metrics", { headers: { accept: PROTOBUF_CONTENT_TYPE } }),
  );
  assert.equal(res.headers.get("content-type"), PROTOBUF_CONTENT_TYPE);
  const fams = goDecode(new Uint8Array(await res.arrayBuffer()));
  type Ex = { label: { name: string; value: string }[]; value: number; timestamp: string };
  const jobs = fams.find((f) => f.family.name === "jobs_total")!.family.metric[0] as {
    counter: { value: number; exemplar: Ex };
  };
  assert.equal(jobs.counter.value, 2);
  assert.deepEqual(jobs.counter.exemplar.label, [{ name: "trace_id", value: TRACE }]);
  assert.equal(jobs.counter.exemplar.value, 2);
  // Whole milliseconds as recorded (Prometheus truncates to ms: .053999901 would lose one).
  assert.match(jobs.counter.exemplar.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
  const t = Date.parse(jobs.counter.exemplar.timestamp);
  assert.ok(t >= before && t <= after, `${t} in [${before}, ${after}]`);
  const lat = fams.find((f) => f.family.name === "latency_seconds")!.family.metric[0] as {
    histogram: {
      sampleCount: string;
      bucket: { cumulativeCount: string; upperBound: number | string; exemplar?: Ex }[];
    };
  };
  const buckets = lat.histogram.bucket;
  assert.deepEqual(
    buckets.map((b) => [b.upperBound, Number(b.cumulativeCount), b.exemplar?.label[0].value]),
    [[0.1, 0, undefined], [1, 1, TRACE], ["Infinity", 2, TRACE2]],
  );
  assert.equal(buckets[2].exemplar?.value, 9);
});

test("NativeExemplars keeps at most 10: when full, the oldest past 5 minutes, else the nearest value, goes", () => {
  const set = new NativeExemplars();
  const ex = (value: number, timestamp: number) => ({
    labels: { v: String(value) },
    value,
    timestamp,
  });
  for (let i = 0; i < 10; i++) set.add(ex(i * 10, 1000 + i));
  set.add(ex(41, 1100)); // none older than 300 s: replaces the nearest value, 40
  assert.equal(set.list.length, 10);
  assert.deepEqual(set.list.map((e) => e.value).sort((a, b) => a - b), [
    0,
    10,
    20,
    30,
    41,
    50,
    60,
    70,
    80,
    90,
  ]);
  set.add(ex(55, 1000 + 301)); // 0 @1000 is past the 5 minutes: it goes, whatever its value
  assert.deepEqual(set.list.map((e) => e.value).sort((a, b) => a - b), [
    10,
    20,
    30,
    41,
    50,
    55,
    60,
    70,
    80,
    90,
  ]);
  assert.equal(set.list.length, 10);
});

test(
  "RemoteWriter sends the exemplars of incWithExemplar() and observeWithExemplar() (1.0, ms timestamps)",
  {
    skip: needs("go-snappy"),
  },
  async () => {
    const { registry, lc, h } = setup();
    const before = Date.now();
    lc.incWithExemplar({ shop: "north" }, { value: 2, exemplarLabels: { trace_id: TRACE } });
    h.observeWithExemplar(0.5, { trace_id: TRACE2 });
    const after = Date.now();
    const bodies: Uint8Array[] = [];
    const fetch = (async (_u: unknown, init?: RequestInit) => {
      bodies.push(new Uint8Array(await new Response(init!.body).arrayBuffer()));
      return Promise.resolve(new Response(null, { status: 204 }));
    }) as typeof globalThis.fetch;
    await new RemoteWriter("http://receiver.test/api/v1/write", { registry, fetch }).write();
    const dir = mkdtempSync(join(tmpdir(), "promedge-ex-"));
    try {
      writeFileSync(join(dir, "body"), bodies[0]);
      type L = { name: string[]; value: string[] };
      type Ts = {
        labels: L[];
        exemplars?: { labels: L[]; value: number[]; timestamp: number[] }[];
      };
      const req = JSON.parse(rwdecode("v1", [join(dir, "body")])) as { timeseries: Ts[] };
      const withEx = req.timeseries.filter((t) => t.exemplars).map((t) => ({
        series: t.labels.map((l) => `${l.name[0]}=${l.value[0]}`).join(","),
        ex: t.exemplars!.map((e) => ({
          labels: e.labels.map((l) => `${l.name[0]}=${l.value[0]}`).join(","),
          value: e.value[0],
          ms: e.timestamp[0],
        })),
      }));
      assert.deepEqual(withEx.map((x) => x.series).sort(), [
        "__name__=latency_seconds_bucket,le=1.0",
        "__name__=orders_total,shop=north",
      ]);
      for (const x of withEx) {
        const [e] = x.ex;
        assert.equal(x.ex.length, 1);
        assert.deepEqual(
          [e.labels, e.value],
          x.series.startsWith("__name__=orders")
            ? [`trace_id=${TRACE}`, 2]
            : [`trace_id=${TRACE2}`, 0.5],
        );
        assert.ok(e.ms >= before && e.ms <= after && Number.isInteger(e.ms), `${e.ms}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("a bound child's incWithExemplar() and observeWithExemplar() bring back a series reset() or remove() took out", async () => {
  const { registry, lc, lh } = setup();
  const north = lc.labels({ shop: "north" });
  const slash = lh.labels({ route: "/" });
  north.incWithExemplar(1, { trace_id: TRACE });
  slash.observeWithExemplar(50, { trace_id: TRACE });
  lc.reset();
  lh.reset();
  north.incWithExemplar(2, { trace_id: TRACE2 });
  slash.observeWithExemplar(5, { trace_id: TRACE2 });
  assert.equal(lc.get({ shop: "north" }), 2, "from zero");
  lc.remove({ shop: "north" });
  north.incWithExemplar(3, { trace_id: TRACE });
  assert.equal(lc.get({ shop: "north" }), 3);
  const fams = await registry.collect();
  const orders = fams.find((f) => f.name === "orders_total")!.series as ValueSeriesSnapshot[];
  assert.deepEqual(orders.map((s) => [s.value, s.exemplar?.labels.trace_id]), [[3, TRACE]]);
  const sizes = fams.find((f) => f.name === "size_bytes")!.series as HistogramSeriesSnapshot[];
  assert.equal(sizes.length, 1);
  assert.equal(sizes[0].count, 1);
  assert.deepEqual(sizes[0].exemplars?.map((e) => e?.labels.trace_id), [
    TRACE2,
    undefined,
    undefined,
  ]);
});

test(
  "a native Histogram keeps at most 10 exemplars per series beside the bucket ones, and remote write sends them",
  {
    skip: needs("go-snappy"),
  },
  async () => {
    const registry = new Registry();
    const h = new Histogram({
      name: "wait_seconds",
      help: "W.",
      buckets: [1],
      native: nativeHistogram(),
      registry,
    });
    for (let i = 1; i <= 12; i++) h.observeWithExemplar(i / 4, { trace_id: "t" + i });
    const [fam] = await registry.collect();
    const s = fam.series[0] as HistogramSeriesSnapshot;
    assert.equal(s.count, 12);
    assert.deepEqual(
      s.exemplars?.map((e) => e?.labels.trace_id),
      ["t4", "t12"],
      "le=1: 1.0; +Inf: 3.0",
    );
    const set = s.native?.exemplars ?? [];
    assert.equal(set.length, 10);
    for (const e of set) assert.equal(e.value, Number(e.labels.trace_id.slice(1)) / 4);
    const bodies: Uint8Array[] = [];
    const fetch = (async (_u: unknown, init?: RequestInit) => {
      bodies.push(new Uint8Array(await new Response(init!.body).arrayBuffer()));
      return Promise.resolve(new Response(null, { status: 204 }));
    }) as typeof globalThis.fetch;
    await new RemoteWriter("http://receiver.test/api/v1/write", { registry, fetch }).write();
    const dir = mkdtempSync(join(tmpdir(), "promedge-ex-"));
    try {
      writeFileSync(join(dir, "body"), bodies[0]);
      type Ts = { histograms?: unknown[]; exemplars?: { value: number[] }[] };
      const req = JSON.parse(rwdecode("v1", [join(dir, "body")])) as { timeseries: Ts[] };
      const native = req.timeseries.find((t) => t.histograms);
      assert.ok(native, JSON.stringify(req));
      assert.deepEqual(
        native.exemplars?.map((e) => e.value[0]).sort((a, b) => a - b),
        set.map((e) => e.value).sort((a, b) => a - b),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("incWithExemplar() past maxSeries lands, with its exemplar, in the overflow series; a bound child returns to its own when there is room", async () => {
  const registry = new Registry();
  const c = new Counter({
    name: "logins_total",
    help: "L.",
    labelNames: ["user"],
    maxSeries: 2,
    registry,
  });
  c.inc({ user: "a" });
  c.inc({ user: "b" });
  const x = c.labels({ user: "x" }); // past the cap
  x.incWithExemplar(1, { trace_id: TRACE });
  c.incWithExemplar({ user: "y" }, { value: 5, exemplarLabels: { trace_id: TRACE2 } });
  const byUser = async () => {
    const fams = await registry.collect();
    const f = fams.find((f) => f.name === "logins_total")!;
    const o = fams.find((f) => f.name === "promedge_series_overflow_total")!;
    return {
      series: Object.fromEntries(
        (f.series as ValueSeriesSnapshot[]).map((
          s,
        ) => [s.labels!.user, [s.value, s.exemplar?.labels.trace_id]]),
      ),
      overflowed: (o.series[0] as ValueSeriesSnapshot).value,
    };
  };
  assert.deepEqual(await byUser(), {
    series: { a: [1, undefined], b: [1, undefined], [OVERFLOW_VALUE]: [6, TRACE2] },
    overflowed: 2,
  });
  c.remove({ user: "a" });
  x.incWithExemplar(2, { trace_id: TRACE });
  assert.deepEqual(await byUser(), {
    series: { b: [1, undefined], [OVERFLOW_VALUE]: [6, TRACE2], x: [2, TRACE] },
    overflowed: 2,
  });
});
