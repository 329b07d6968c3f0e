// Histogram with a native part (issue #10 part 3). Expectations are computed
// here from the spec's rule (bucket i of schema s is (2^((i-1)/2^s), 2^(i/2^s)]),
// never from the library's own index code, and the protobuf body is read by
// Prometheus' Go decoder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { metrics } from "../src/http/hono.ts";
import {
  createMetricsHandler,
  defaultRegistry,
  type Format,
  FORMATS,
  Histogram,
  type HistogramFamilySnapshot,
  type HistogramSeriesSnapshot,
  metricsHandler,
  negotiate,
  OPENMETRICS_CONTENT_TYPE,
  openMetricsFormat,
  type PageOptions,
  Registry,
  serveMetrics,
  textFormat,
} from "../mod.ts";
import { nativeHistogram } from "../src/metrics/native_histogram.ts";
import { PROTOBUF_CONTENT_TYPE } from "../src/exposition/protobuf.ts";
import { type DecodedFamily, goDecode, needs, promtool, pyParse, sampleValue } from "./_tools.ts";

/** Exactly what Prometheus 2.42 sends with --enable-feature=native-histograms. */
const PROMETHEUS_NATIVE_ACCEPT =
  "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

const ZERO_THRESHOLD = 2 ** -128;

/** Positive, negative and zero-bucket values; powers of two sit exactly on bounds. */
const VALUES = [
  0.0042,
  0.031,
  0.2,
  0.7,
  1,
  1.3,
  2,
  3,
  7.5,
  9.9,
  42,
  123.4,
  1000.3,
  0.5,
  0.25,
  2 ** -20,
  5e5,
  3,
  3,
  0.7,
  1,
  1, // repeats, so deltas are not all +-1
  -0.3,
  -1,
  -2.7,
  -64,
  -1e-3,
  -2.7,
  0,
  0,
  1e-40,
  -1e-45, // |v| <= 2^-128: the zero bucket
];

/** The spec's bucket index of `a > 0` at `schema`, without the library's code. */
function specIndex(a: number, schema: number): number {
  const e = Math.log2(a);
  const exact = 2 ** Math.round(e) === a; // a power of two: log2 is exact, a bound of every schema
  const x = (exact ? Math.round(e) : e) * 2 ** schema;
  if (!exact) {
    assert.ok(
      Math.abs(x - Math.round(x)) > 1e-6,
      `test value ${a} is too near a bound of schema ${schema} for Math.log2 to decide`,
    );
  }
  return Math.ceil(x);
}

interface Expected {
  schema: number;
  zeroCount: number;
  count: number;
  sum: number;
  positive: Map<number, number>;
  negative: Map<number, number>;
}

/** Buckets of `values` at the highest schema <= `schema` that keeps within maxBuckets. */
function expected(values: number[], schema: number, maxBuckets = 160, zt = ZERO_THRESHOLD) {
  for (let s = schema;; s--) {
    const out: Expected = {
      schema: s,
      zeroCount: 0,
      count: values.length,
      sum: 0,
      positive: new Map(),
      negative: new Map(),
    };
    for (const v of values) {
      out.sum += v;
      if (Math.abs(v) <= zt) out.zeroCount++;
      else {
        const side = v > 0 ? out.positive : out.negative;
        const k = specIndex(Math.abs(v), s);
        side.set(k, (side.get(k) ?? 0) + 1);
      }
    }
    const width = (m: Map<number, number>) =>
      m.size === 0 ? 0 : Math.max(...m.keys()) - Math.min(...m.keys()) + 1;
    const fits = out.positive.size + out.negative.size <= maxBuckets &&
      width(out.positive) <= 2 * maxBuckets && width(out.negative) <= 2 * maxBuckets;
    if (fits || s === -4) return out;
  }
}

/**
 * Spans and deltas as client_golang writes them: sorted populated buckets;
 * a gap of one or two empty buckets is filled with zero counts, a longer one
 * starts a new span whose offset is the gap.
 */
function spansAndDeltas(buckets: Map<number, number>) {
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  let prevCount = 0, nextIndex = 0;
  for (const [k, c] of [...buckets].sort((a, b) => a[0] - b[0])) {
    if (spans.length === 0) spans.push({ offset: k, length: 0 });
    else if (k - nextIndex > 2) spans.push({ offset: k - nextIndex, length: 0 });
    else {
      for (let g = nextIndex; g < k; g++) {
        deltas.push(0 - prevCount);
        prevCount = 0;
        spans[spans.length - 1].length++;
      }
    }
    spans[spans.length - 1].length++;
    deltas.push(c - prevCount);
    prevCount = c;
    nextIndex = k + 1;
  }
  return { spans, deltas };
}

/** The native fields of one decoded histogram, normalised (jsonpb omits zeros, writes int64 as strings). */
function nativeFields(h: Record<string, unknown>) {
  const spans = (x: unknown) =>
    ((x ?? []) as { offset?: number; length?: number }[]).map((s) => ({
      offset: s.offset ?? 0,
      length: s.length ?? 0,
    }));
  const deltas = (x: unknown) => ((x ?? []) as string[]).map(Number);
  return {
    schema: (h.schema ?? 0) as number,
    zeroThreshold: (h.zeroThreshold ?? 0) as number,
    zeroCount: Number(h.zeroCount ?? 0),
    count: Number(h.sampleCount ?? 0),
    sum: (h.sampleSum ?? 0) as number,
    positive: { spans: spans(h.positiveSpan), deltas: deltas(h.positiveDelta) },
    negative: { spans: spans(h.negativeSpan), deltas: deltas(h.negativeDelta) },
  };
}

async function scrapeProtobuf(registry: Registry): Promise<DecodedFamily[]> {
  const res = await createMetricsHandler({ registry })(
    new Request("http://localhost/metrics", {
      headers: { accept: PROMETHEUS_NATIVE_ACCEPT, "accept-encoding": "gzip" },
    }),
  );
  assert.equal(res.headers.get("content-type"), PROTOBUF_CONTENT_TYPE);
  return goDecode(new Uint8Array(await res.arrayBuffer()));
}

function histogramOf(fams: DecodedFamily[], name: string): Record<string, unknown> {
  const f = fams.find((x) => x.family.name === name);
  assert.ok(f, `family ${name} in ${fams.map((x) => x.family.name)}`);
  assert.equal(f.family.type, "HISTOGRAM");
  return f.family.metric[0].histogram as Record<string, unknown>;
}

const CONFIGS: [string, true | { schema?: number; maxBuckets?: number }, number, number][] = [
  // name, native option, schema expected before lowering, maxBuckets
  ["h_default", true, 3, 160],
  ["h_schema0", { schema: 0 }, 0, 160],
  ["h_schema8", { schema: 8 }, 8, 160],
  ["h_schema_neg2", { schema: -2 }, -2, 160],
  ["h_small", { schema: 8, maxBuckets: 6 }, 8, 6],
];

test(
  "Histogram native: Go's decoder reads schema, zero bucket, spans and deltas that agree with the spec's bucket rule",
  { skip: needs("go") },
  async () => {
    const registry = new Registry();
    for (const [name, native] of CONFIGS) {
      const h = new Histogram({
        name,
        help: "h",
        native: nativeHistogram(native === true ? undefined : native),
        buckets: [0.1, 1, 10],
        registry,
      });
      for (const v of VALUES) h.observe(v);
    }
    const fams = await scrapeProtobuf(registry);
    for (const [name, , schema, maxBuckets] of CONFIGS) {
      const want = expected(VALUES, schema, maxBuckets);
      const h = histogramOf(fams, name);
      assert.deepEqual(nativeFields(h), {
        schema: want.schema,
        zeroThreshold: ZERO_THRESHOLD,
        zeroCount: want.zeroCount,
        count: want.count,
        sum: want.sum,
        positive: spansAndDeltas(want.positive),
        negative: spansAndDeltas(want.negative),
      }, name);
      // The classic buckets travel beside the native ones.
      const cumulative = [0.1, 1, 10].map((b) => VALUES.filter((v) => v <= b).length);
      assert.deepEqual(
        (h.bucket as { cumulativeCount?: string; upperBound: number }[]).map((
          b,
        ) => [b.upperBound, Number(b.cumulativeCount ?? 0)]),
        [[0.1, cumulative[0]], [1, cumulative[1]], [10, cumulative[2]]],
        name,
      );
    }
    assert.ok(expected(VALUES, 8, 6).schema < 8, "maxBuckets 6 forces a lower schema");
    assert.equal(nativeFields(histogramOf(fams, "h_small")).schema, expected(VALUES, 8, 6).schema);
  },
);

test(
  "Histogram native: an empty series is written as native (zero_threshold > 0, or one empty bucket when zeroThreshold is 0)",
  { skip: needs("go") },
  async () => {
    const registry = new Registry();
    new Histogram({ name: "empty_default", help: "h", native: nativeHistogram(), registry });
    new Histogram({
      name: "empty_zt0",
      help: "h",
      native: nativeHistogram({ zeroThreshold: 0 }),
      registry,
    });
    const zt0 = new Histogram({
      name: "zt0_with_zero",
      help: "h",
      native: nativeHistogram({ zeroThreshold: 0 }),
      registry,
    });
    zt0.observe(0);
    zt0.observe(1e-300);
    const fams = await scrapeProtobuf(registry);
    const empty = nativeFields(histogramOf(fams, "empty_default"));
    assert.equal(empty.zeroThreshold, ZERO_THRESHOLD);
    assert.deepEqual([empty.count, empty.zeroCount, empty.positive.spans], [0, 0, []]);
    const e0 = nativeFields(histogramOf(fams, "empty_zt0"));
    assert.equal(e0.zeroThreshold, 0);
    assert.deepEqual(e0.positive, { spans: [{ offset: 0, length: 1 }], deltas: [0] });
    assert.equal(e0.count, 0);
    const z = nativeFields(histogramOf(fams, "zt0_with_zero"));
    assert.equal(z.zeroCount, 1, "with zeroThreshold 0 only an exact 0 is in the zero bucket");
    assert.deepEqual(z.positive, spansAndDeltas(new Map([[specIndex(1e-300, 3), 1]])));
  },
);

test("nativeHistogram() rejects a bad option with an error naming it; Histogram's native takes only what it makes", () => {
  const registry = new Registry();
  const cases: [unknown, RegExp][] = [
    [{ schema: 9 }, /nativeHistogram\(\): schema 9 .* -4 to 8/],
    [{ schema: -5 }, /schema -5/],
    [{ schema: 2.5 }, /schema 2\.5/],
    [{ zeroThreshold: -1 }, /zeroThreshold -1 .* >= 0/],
    [{ zeroThreshold: NaN }, /zeroThreshold NaN/],
    [{ zeroThreshold: Infinity }, /zeroThreshold Infinity/],
    [{ maxBuckets: 0 }, /maxBuckets 0 .* >= 1/],
    [{ maxBuckets: 1.5 }, /maxBuckets 1\.5/],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => nativeHistogram(options as never),
      { name: "RangeError", message },
      JSON.stringify(options),
    );
  }
  assert.throws(
    () => nativeHistogram({ shema: 3 } as never),
    { name: "TypeError", message: /shema is not a native histogram option/ },
  );
  assert.throws(
    () => nativeHistogram(3 as never),
    { name: "TypeError", message: /nativeHistogram\(\): options must be an object/ },
  );
  // The 0.2 forms get the way to the new one.
  for (const old of [true, { schema: 3 }, 3, null]) {
    assert.throws(
      () => new Histogram({ name: "h", help: "h", native: old as never, registry }),
      {
        name: "TypeError",
        message:
          /Histogram "h": native takes nativeHistogram\(options\?\) from "@promedge\/client\/native"/,
      },
      JSON.stringify(old),
    );
  }
  // Nothing half-made was registered: the name is still free.
  const ok = new Histogram({ name: "h", help: "h", registry });
  assert.equal(ok.native, undefined);
  assert.deepEqual(ok.formats, []);
  const h2 = new Histogram({ name: "h2", help: "h", native: nativeHistogram(), registry });
  assert.deepEqual(h2.native, { schema: 3, zeroThreshold: 2 ** -128, maxBuckets: 160 });
  assert.deepEqual(registry.formats.map((f) => f.name), ["protobuf"]);
});

async function seriesOf(registry: Registry, name: string): Promise<HistogramSeriesSnapshot[]> {
  const fam = (await registry.collect()).find((f) => f.name === name);
  assert.ok(fam && fam.type === "histogram");
  return fam.series as HistogramSeriesSnapshot[];
}

test("Histogram.observe() with a native part rejects NaN and ±Infinity, recording nothing in either part", async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: "h",
    help: "h",
    native: nativeHistogram(),
    labelNames: ["a"],
    registry,
  });
  h.observe({ a: "x" }, 2);
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(() => h.observe({ a: "x" }, bad), { name: "RangeError", message: /finite/ });
    assert.throws(() => h.labels({ a: "x" }).observe(bad), RangeError);
  }
  const [s] = await seriesOf(registry, "h");
  assert.equal(s.count, 1);
  assert.equal(s.sum, 2);
  assert.deepEqual(s.native!.positiveSpans, [{ offset: specIndex(2, 3), length: 1 }]);
  assert.deepEqual(s.native!.positiveDeltas, [1]);
});

test("Histogram native series: labels(), time(), startTimer(), reset() and remove() work on both parts", async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: "h",
    help: "h",
    labelNames: ["route"],
    native: nativeHistogram({ schema: 8, maxBuckets: 4 }),
    registry,
  });
  const child = h.labels({ route: "/a" });
  for (const v of [1, 2, 4, 8, 16, 32]) child.observe(v); // 6 buckets > 4: lowered
  await h.time({ route: "/b" }, async () => {})();
  h.labels("/c").time(() => 1)();
  h.startTimer({ route: "/d" })();
  const byRoute = new Map(
    (await seriesOf(registry, "h")).map((s) => [s.labelText, s]),
  );
  const a = byRoute.get('route="/a"')!;
  const want = expected([1, 2, 4, 8, 16, 32], 8, 4);
  assert.ok(want.schema < 8);
  assert.equal(a.native!.schema, want.schema);
  assert.deepEqual(a.native!.positiveDeltas, spansAndDeltas(want.positive).deltas);
  assert.equal(a.count, 6);
  for (const r of ["/b", "/c", "/d"]) {
    const s = byRoute.get(`route="${r}"`)!;
    assert.equal(s.count, 1, r);
    const n = s.native!;
    let inBuckets = n.zeroCount, c = 0;
    for (const d of n.positiveDeltas) inBuckets += c += d;
    assert.equal(inBuckets, 1, `${r}: the timed call is in one native bucket`);
  }

  h.remove({ route: "/b" });
  assert.deepEqual(
    (await seriesOf(registry, "h")).map((s) => s.labelText),
    ['route="/a"', 'route="/c"', 'route="/d"'],
  );
  h.reset();
  assert.equal(h.seriesCount, 0);
  h.observe({ route: "/a" }, 3);
  const [fresh] = await seriesOf(registry, "h");
  assert.equal(
    fresh.native!.schema,
    8,
    "a series made after reset() starts at the configured schema",
  );
  assert.deepEqual(fresh.native!.positiveSpans, [{ offset: specIndex(3, 8), length: 1 }]);

  const single = new Histogram({
    name: "one",
    help: "h",
    native: nativeHistogram({ schema: 0 }),
    registry,
  });
  single.observe(-5);
  single.reset();
  single.observe(0.75);
  const [s1] = await seriesOf(registry, "one");
  assert.deepEqual([s1.count, s1.sum, s1.native!.negativeSpans], [1, 0.75, []]);
  assert.deepEqual(s1.native!.positiveSpans, [{ offset: 0, length: 1 }]);
});

test("a classic Histogram has no native part in its snapshot", async () => {
  const registry = new Registry();
  new Histogram({ name: "c", help: "h", registry }).observe(1);
  const [s] = await seriesOf(registry, "c");
  assert.equal(s.native, undefined);
});

test(
  "text and OpenMetrics pages with native histograms show the classic buckets and pass promtool and the strict parser",
  { skip: needs("promtool", "python") },
  async () => {
    const registry = new Registry();
    const h = new Histogram({
      name: "rpc_seconds",
      help: "RPC latency.",
      labelNames: ["method"],
      buckets: [0.1, 1],
      native: nativeHistogram(),
      unit: "seconds",
      registry,
    });
    for (const v of [0.05, 0.5, 5, -1, 0]) h.observe({ method: "get" }, v);
    new Histogram({
      name: "idle_seconds",
      help: "I.",
      native: nativeHistogram({ schema: -4 }),
      registry,
    });
    const text = await registry.metrics();
    const checked = promtool(text);
    assert.equal(checked.code, 0, checked.output);
    const om = await registry.metrics({ format: openMetricsFormat });
    const fams = pyParse(om, true);
    assert.equal(sampleValue(fams, "rpc_seconds_bucket", { method: "get", le: "0.1" }), 3);
    assert.equal(sampleValue(fams, "rpc_seconds_bucket", { method: "get", le: "1.0" }), 4);
    assert.equal(sampleValue(fams, "rpc_seconds_bucket", { method: "get", le: "+Inf" }), 5);
    assert.equal(sampleValue(fams, "rpc_seconds_count", { method: "get" }), 5);
    assert.equal(sampleValue(fams, "idle_seconds_count"), 0);
    assert.match(text, /^rpc_seconds_bucket\{method="get",le="0\.1"\} 3$/m);
    assert.doesNotMatch(text + om, /schema|zero_threshold|span/i);
    const res = await createMetricsHandler({ registry })(
      new Request("http://localhost/metrics", {
        headers: { accept: "application/openmetrics-text;version=1.0.0" },
      }),
    );
    assert.equal(res.headers.get("content-type"), OPENMETRICS_CONTENT_TYPE);
  },
);

test("a bound child of a native Histogram brings its series back, native part included, after reset() and remove()", async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: "nat_child",
    help: "h",
    labelNames: ["r"],
    native: nativeHistogram({ schema: 0 }),
    registry,
  });
  const child = h.labels({ r: "a" });
  child.observe(3);
  for (const drop of [() => h.reset(), () => h.remove({ r: "a" })]) {
    drop();
    child.observe(1);
    child.observe(1);
    const [fam] = await registry.collect();
    const s = fam.series[0] as HistogramSeriesSnapshot;
    assert.equal(fam.series.length, 1);
    assert.equal(s.count, 2, "counted from zero");
    assert.equal(s.sum, 2);
    // 1 is the upper bound of bucket 0 at schema 0: (0.5, 1].
    assert.deepEqual(s.native?.positiveSpans, [{ offset: 0, length: 1 }]);
    assert.deepEqual(s.native?.positiveDeltas, [2]);
  }
});

test(
  "Histogram native: a million ±1e308 and ±1e-308 observations keep an exact count within maxBuckets, and Go reads them",
  {
    skip: needs("go"),
  },
  async () => {
    const registry = new Registry();
    const h = new Histogram({
      name: "extreme",
      help: "h",
      buckets: [],
      native: nativeHistogram(),
      registry,
    });
    for (const v of [Number.MIN_VALUE, -0, Number.MAX_VALUE, -Number.MAX_VALUE]) h.observe(v);
    const n = 1_000_000;
    for (let i = 0; i < n; i++) h.observe((i & 2 ? -1 : 1) * (i & 1 ? 1e308 : 1e-308));
    const got = histogramOf(await scrapeProtobuf(registry), "extreme");
    assert.equal(Number(got.sampleCount), n + 4);
    // MIN_VALUE, -0 and every ±1e-308 sit in the zero bucket (<= 2^-128).
    assert.equal(Number(got.zeroCount), n / 2 + 2);
    let buckets = 0, total = 0;
    for (const side of ["positiveDelta", "negativeDelta"]) {
      let c = 0;
      for (const d of (got[side] ?? []) as string[]) {
        c += Number(d);
        total += c;
        buckets++;
      }
    }
    assert.equal(total, n / 2 + 2, "the buckets hold every value outside the zero bucket");
    assert.ok(buckets <= 160, `${buckets} buckets`);
  },
);

test("the handler offers protobuf while the registry holds a native histogram, and not before or after", async () => {
  const registry = new Registry();
  const handler = createMetricsHandler({ registry });
  const typeOf = async () => {
    const res = await handler(
      new Request("http://localhost/metrics", { headers: { accept: PROMETHEUS_NATIVE_ACCEPT } }),
    );
    await res.body?.cancel();
    return res.headers.get("content-type");
  };
  new Histogram({ name: "classic_seconds", help: "h", registry }).observe(1);
  assert.equal(await typeOf(), OPENMETRICS_CONTENT_TYPE, "no native histogram: OpenMetrics");
  const h = new Histogram({ name: "n_seconds", help: "h", native: nativeHistogram(), registry });
  assert.equal(await typeOf(), PROTOBUF_CONTENT_TYPE);
  registry.unregister(h);
  assert.equal(await typeOf(), OPENMETRICS_CONTENT_TYPE);
  const off = createMetricsHandler({ registry, protobuf: false });
  registry.register(h);
  const res = await off(
    new Request("http://localhost/metrics", { headers: { accept: PROMETHEUS_NATIVE_ACCEPT } }),
  );
  await res.body?.cancel();
  assert.equal(res.headers.get("content-type"), OPENMETRICS_CONTENT_TYPE, "protobuf: false");
});

test("Histogram's native: false means no native part, as in 0.2 (so native: on && nativeHistogram() works)", async () => {
  const registry = new Registry();
  for (const on of [false, true]) {
    const h = new Histogram({
      name: `h_${on}`,
      help: "h",
      native: on && nativeHistogram(),
      registry,
    });
    h.observe(1);
    assert.equal(h.native === undefined, !on);
    assert.deepEqual(h.formats.map((f) => f.name), on ? ["protobuf"] : []);
    const [s] = (await h.collect({ labels: true })).series as HistogramSeriesSnapshot[];
    assert.equal(s.native === undefined, !on);
  }
});

test("Histogram's native rejects each wrong value at the constructor, naming it and the fix; nothing is registered", () => {
  const registry = new Registry();
  const cyclic: Record<string, unknown> = { schema: 3 };
  cyclic.self = cyclic;
  const cases: [unknown, RegExp][] = [
    [true, /got true; write native: nativeHistogram\(\)/],
    [{}, /got \{\}; write native: nativeHistogram\(\{\}\)/],
    [{ schema: 5 }, /write native: nativeHistogram\(\{"schema":5\}\)/],
    [
      Object.freeze({ schema: 5, maxBuckets: 10 }),
      /nativeHistogram\(\{"schema":5,"maxBuckets":10\}\)/,
    ],
    [null, /got null/],
    [3, /got 3/],
    ["yes", /got "yes"/],
    [
      nativeHistogram,
      /got the function nativeHistogram itself; call it: native: nativeHistogram\(\)/,
    ],
    [cyclic, /got an object/],
    // Made by an incompatible copy of the library: refused here, not at the first observe().
    [{ _counts: () => ({}) }, /another, incompatible copy of @promedge\/client/],
  ];
  for (const [native, message] of cases) {
    assert.throws(
      () => new Histogram({ name: "h", help: "h", native: native as never, registry }),
      (e: Error) => {
        assert.equal(e.name, "TypeError");
        assert.match(
          e.message,
          /^Histogram "h": native takes nativeHistogram\(options\?\) from "@promedge\/client\/native" \(or false for none\)/,
        );
        assert.match(e.message, message);
        assert.ok(e.message.length < 400, `a short message: ${e.message}`);
        return true;
      },
      String(native),
    );
    assert.equal(registry.get("h"), undefined, "nothing registered");
  }
  assert.deepEqual(registry.formats, []);
});

test("a nativeHistogram() from a second copy of its module works as one from the first", async () => {
  const copy = await import("../src/metrics/native_histogram.ts?second-copy") as {
    nativeHistogram: typeof nativeHistogram;
  };
  assert.notEqual(copy.nativeHistogram, nativeHistogram, "a distinct copy");
  const registry = new Registry();
  const h = new Histogram({ name: "h", help: "h", native: copy.nativeHistogram(), registry });
  h.observe(2);
  const res = await createMetricsHandler({ registry })(
    new Request("http://localhost/metrics", { headers: { accept: PROMETHEUS_NATIVE_ACCEPT } }),
  );
  assert.equal(res.headers.get("content-type"), PROTOBUF_CONTENT_TYPE);
  assert.ok((await res.arrayBuffer()).byteLength > 0);
});

test("metricsHandler, serveMetrics() and Hono's metrics() serve protobuf to Prometheus once the default registry holds a native histogram", async () => {
  const accept = { accept: PROMETHEUS_NATIVE_ACCEPT };
  const typeOf = async (res: Response | Promise<Response>) => {
    const r = await res;
    await r.body?.cancel();
    return r.headers.get("content-type");
  };
  const app = new Hono();
  app.get("/metrics", metrics());
  const server = await serveMetrics({ port: 0, hostname: "127.0.0.1" });
  const paths = {
    metricsHandler: () =>
      metricsHandler(new Request("http://localhost/metrics", { headers: accept })),
    serveMetrics: () => fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: accept }),
    hono: () => app.request("/metrics", { headers: accept }),
  };
  const h = new Histogram({ name: "dflt_native_seconds", help: "h", native: nativeHistogram() });
  try {
    h.observe(0.5);
    for (const [path, get] of Object.entries(paths)) {
      assert.equal(await typeOf(get()), PROTOBUF_CONTENT_TYPE, path);
    }
    defaultRegistry.unregister(h);
    for (const [path, get] of Object.entries(paths)) {
      assert.equal(await typeOf(get()), OPENMETRICS_CONTENT_TYPE, `${path}, once it is gone`);
    }
  } finally {
    defaultRegistry.unregister(h);
    await server.close();
  }
});

test("negotiate() picks protobuf for Prometheus' native-histograms Accept when offered registry.formats, as its JSDoc shows", async () => {
  const registry = new Registry();
  const offered = () => [...registry.formats, ...FORMATS];
  assert.equal(negotiate(PROMETHEUS_NATIVE_ACCEPT, offered()).name, "openmetrics");
  new Histogram({ name: "rpc_seconds", help: "RPC.", native: nativeHistogram(), registry });
  const format = negotiate(PROMETHEUS_NATIVE_ACCEPT, offered());
  assert.equal(format.contentType, PROTOBUF_CONTENT_TYPE);
  assert.equal(
    negotiate(PROMETHEUS_NATIVE_ACCEPT).name,
    "openmetrics",
    "FORMATS alone: no protobuf",
  );
  const page = await registry.stream({ format });
  assert.ok((await new Response(page).arrayBuffer()).byteLength > 0);
});

test("a page asks native histograms of a Format only if it reads them: nativeHistograms: false gets none, a Format without it gets each series' native part", async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: "lat_seconds",
    help: "h",
    labelNames: ["id"],
    native: nativeHistogram(),
    registry,
  });
  const single = new Histogram({
    name: "one_seconds",
    help: "h",
    native: nativeHistogram(),
    registry,
  });
  for (let i = 0; i < 3; i++) h.observe({ id: String(i) }, 0.25 * (i + 1));
  single.observe(2);
  /** A text Format that records what each histogram series it writes carries. */
  const seen = (flag: boolean | undefined) => {
    const natives: unknown[] = [];
    const format = {
      ...textFormat,
      name: "recording",
      nativeHistograms: flag, // textFormat's false overridden: undefined means true
      writer(o?: PageOptions) {
        const w = textFormat.writer(o);
        return {
          ...w,
          histogram(f: HistogramFamilySnapshot, from: number, to: number) {
            for (let i = from; i < to; i++) natives.push(f.series[i].native);
            return w.histogram(f, from, to);
          },
        };
      },
    };
    return { format: format as Format, natives };
  };
  for (const flag of [undefined, true]) {
    const { format, natives } = seen(flag);
    await registry.metrics({ format });
    assert.equal(natives.length, 4);
    for (const n of natives) {
      assert.deepEqual(
        (n as { positiveDeltas?: number[] } | undefined)?.positiveDeltas,
        [1],
        `nativeHistograms ${flag}: ${JSON.stringify(n)}`,
      );
    }
  }
  const { format, natives } = seen(false);
  const page = await registry.metrics({ format });
  assert.deepEqual(natives, [undefined, undefined, undefined, undefined]);
  // The classic part is written all the same.
  assert.match(page, /^lat_seconds_count\{id="2"\} 1$/m);
  assert.match(page, /^one_seconds_bucket\{le="\+Inf"\} 1$/m);
  // textFormat and openMetricsFormat say false; a snapshot keeps the native part.
  assert.equal(textFormat.nativeHistograms, false);
  assert.equal(openMetricsFormat.nativeHistograms, false);
  const [snap] = (await registry.collect()).filter((f) => f.name === "lat_seconds");
  assert.ok(
    (snap as HistogramFamilySnapshot).series.every((s) => s.native?.positiveDeltas[0] === 1),
  );
});
