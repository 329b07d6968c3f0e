// The aggregator's page in every format (protobuf read by Go's decoder), native
// histograms carried and merged, and the merged totals sent by a RemoteWriter.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Counter,
  createMetricsHandler,
  Gauge,
  Histogram,
  openMetricsFormat,
  Registry,
  Summary,
} from "../mod.ts";
import {
  AggregationSource,
  Aggregator,
  aggregatorObject,
  StateError,
} from "../src/aggregate/mod.ts";
import { encodeState } from "../src/aggregate/_codec.ts";
import type { FamilyState, NativeState, SourceState } from "../src/aggregate/_state.ts";
import { RemoteWriter } from "../src/remote/mod.ts";
import { cloudflareStorage } from "./_storage.ts";
import { type DecodedFamily, goDecode, needs, pyParse, rwdecode, sampleValue } from "./_tools.ts";

const PROTOBUF_ACCEPT =
  "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

const dir = mkdtempSync(join(tmpdir(), "promedge-agg-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function family(fams: DecodedFamily[], name: string) {
  const f = fams.find((x) => x.family.name === name);
  assert.ok(f, `family ${name} in ${fams.map((x) => x.family.name)}`);
  return f.family;
}

function labelsOf(m: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of (m.label ?? []) as { name: string; value?: string }[]) {
    out[l.name] = l.value ?? "";
  }
  return out;
}

async function protobufPage(agg: Aggregator): Promise<DecodedFamily[]> {
  const res = await createMetricsHandler({ registry: agg.registry })(
    new Request("http://localhost/metrics", {
      headers: { accept: PROTOBUF_ACCEPT, "accept-encoding": "gzip" },
    }),
  );
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^application\/vnd\.google\.protobuf/);
  return goDecode(new Uint8Array(await res.arrayBuffer()));
}

/** Three workers, each with its own registry; returns the aggregator that got their states. */
async function threeWorkers(): Promise<Aggregator> {
  const agg = new Aggregator();
  for (let i = 0; i < 3; i++) {
    const registry = new Registry();
    const req = new Counter({
      name: "requests_total",
      help: "Requests.",
      labelNames: ["route"],
      registry,
    });
    req.inc({ route: "/a" }, i + 1);
    req.inc({ route: 'we"ird\\\n✓' });
    new Gauge({ name: "inflight", help: "In flight.", registry }).set(i + 2);
    const lat = new Histogram({
      name: "latency_seconds",
      help: "Latency.",
      buckets: [0.1, 1],
      registry,
    });
    lat.observe(0.05);
    lat.observe(0.5 * (i + 1));
    const sizes = new Summary({
      name: "sizes_bytes",
      help: "Sizes.",
      percentiles: [0.5],
      registry,
    });
    for (let k = 1; k <= 100; k++) sizes.observe(k + 100 * i);
    await new AggregationSource({ registry, send: (b) => void agg.ingest(b) }).flush();
  }
  return agg;
}

test(
  "Aggregator's page goes out as protobuf through the metrics handler, and Go's decoder reads the merged totals",
  { skip: needs("go", "python") },
  async () => {
    const agg = await threeWorkers();
    const fams = await protobufPage(agg);

    const req = family(fams, "requests_total");
    assert.equal(req.type ?? "COUNTER", "COUNTER");
    const byRoute = Object.fromEntries(
      req.metric.map((m) => [labelsOf(m).route, (m.counter as { value: number }).value]),
    );
    assert.deepEqual(byRoute, { "/a": 6, 'we"ird\\\n✓': 3 });

    assert.equal((family(fams, "inflight").metric[0].gauge as { value: number }).value, 9);

    const lat = family(fams, "latency_seconds").metric[0].histogram as {
      sampleCount: string;
      sampleSum: number;
      bucket: { cumulativeCount?: string; upperBound: number }[];
    };
    assert.equal(lat.sampleCount, "6");
    assert.ok(Math.abs(lat.sampleSum - 3.15) < 1e-12, String(lat.sampleSum));
    assert.deepEqual(
      lat.bucket.map((b) => [b.upperBound, Number(b.cumulativeCount ?? 0)]),
      [[0.1, 3], [1, 5]],
    );

    const sizes = family(fams, "sizes_bytes").metric[0].summary as {
      sampleCount: string;
      sampleSum: number;
      quantile: { quantile: number; value: number }[];
    };
    assert.equal(sizes.sampleCount, "300");
    assert.equal(sizes.sampleSum, 3 * 5050 + 100 * 100 + 200 * 100);
    // 1..300 across the workers: the median of all is 150 (each worker's own is 50, 150, 250).
    assert.ok(Math.abs(sizes.quantile[0].value - 150) / 150 <= 0.011, String(sizes.quantile[0]));

    assert.equal(
      (family(fams, "promedge_aggregation_sources").metric[0].gauge as { value: number }).value,
      3,
    );

    // The same totals in OpenMetrics, read by the strict Python parser.
    const om = pyParse(await agg.registry.metrics({ format: openMetricsFormat }), true);
    assert.equal(sampleValue(om, "requests_total", { route: "/a" }), 6);
    assert.equal(sampleValue(om, "latency_seconds_bucket", { le: "1.0" }), 5);
  },
);

// ---- native histograms, from hand-built states ----

/** The spec's bucket index of v > 0 at `schema` (values here sit well away from bounds). */
function index(v: number, schema: number): number {
  return Math.ceil(Math.log2(v) * 2 ** schema);
}

/** A native part holding `values` at `schema`, computed from the spec, not by the library. */
function nativeOf(values: number[], schema: number, zeroThreshold = 2 ** -128): NativeState {
  const n: NativeState = {
    schema,
    zeroThreshold,
    zeroCount: 0,
    positive: new Map(),
    negative: new Map(),
  };
  for (const v of values) {
    if (Math.abs(v) <= zeroThreshold) n.zeroCount++;
    else {
      const side = v > 0 ? n.positive : n.negative;
      const k = index(Math.abs(v), schema);
      side.set(k, (side.get(k) ?? 0) + 1);
    }
  }
  return n;
}

function histogramState(
  source: string,
  values: number[],
  native: NativeState | undefined,
): SourceState {
  const fam: FamilyState = {
    name: "req_seconds",
    help: "Request time.",
    type: "histogram",
    unit: undefined,
    labelNames: [],
    buckets: [1],
    series: [{
      labels: [],
      labelText: "",
      created: 1_700_000_000,
      value: 0,
      counts: [values.filter((v) => v <= 1).length, values.filter((v) => v > 1).length],
      sum: values.reduce((a, b) => a + b, 0),
      count: values.length,
      native,
    }],
  };
  return { source, seq: 1, time: Date.now(), families: [fam] };
}

/** Spans + deltas as Go decoded them, back to index -> count. */
function bucketsOf(spans: { offset?: number; length?: number }[] = [], deltas: string[] = []) {
  const out = new Map<number, number>();
  let k = 0, d = 0, c = 0;
  for (const s of spans) {
    k += s.offset ?? 0;
    for (let j = 0; j < (s.length ?? 0); j++, k++) {
      c += Number(deltas[d++]);
      if (c !== 0) out.set(k, c);
    }
  }
  return out;
}

/** The expected buckets of `values` at `schema`, and the zero count, from the spec. */
function expected(values: number[], schema: number, zeroThreshold: number) {
  const n = nativeOf(values, schema, zeroThreshold);
  return {
    zeroCount: n.zeroCount,
    positive: [...n.positive].sort((a, b) => a[0] - b[0]),
    negative: [...n.negative].sort((a, b) => a[0] - b[0]),
  };
}

interface GoNative {
  sampleCount: string;
  sampleSum: number;
  schema?: number;
  zeroThreshold?: number;
  zeroCount?: string;
  positiveSpan?: { offset?: number; length?: number }[];
  positiveDelta?: string[];
  negativeSpan?: { offset?: number; length?: number }[];
  negativeDelta?: string[];
  bucket?: { cumulativeCount?: string; upperBound: number }[];
}

function decodedNative(h: GoNative) {
  return {
    zeroCount: Number(h.zeroCount ?? 0),
    positive: [...bucketsOf(h.positiveSpan, h.positiveDelta)],
    negative: [...bucketsOf(h.negativeSpan, h.negativeDelta)],
  };
}

const A = [0.3, 1.7, 3, 5.5, 12, 100, -0.7, -20, 0];
const B = [0.4, 2.2, 7, 7.5, 1000, -3, -3.3, 0, 0];

test(
  "Aggregator merges native histograms at the lower schema, and the protobuf page carries them",
  { skip: needs("go") },
  async () => {
    const agg = new Aggregator();
    agg.ingest(encodeState(histogramState("a", A, nativeOf(A, 3))));
    agg.ingest(encodeState(histogramState("b", B, nativeOf(B, 1))));
    const h = family(await protobufPage(agg), "req_seconds").metric[0].histogram as GoNative;
    assert.equal(h.schema, 1, "the lower schema wins");
    assert.equal(h.zeroThreshold, 2 ** -128);
    assert.deepEqual(decodedNative(h), expected([...A, ...B], 1, 2 ** -128));
    assert.equal(h.sampleCount, "18");
    assert.equal(h.sampleSum, [...A, ...B].reduce((a, b) => a + b, 0));
    // The classic buckets are still there for scrapers without native histograms.
    assert.deepEqual(h.bucket!.map((b) => [b.upperBound, Number(b.cumulativeCount ?? 0)]), [
      [1, [...A, ...B].filter((v) => v <= 1).length],
    ]);
  },
);

test(
  "Aggregator merges native zero buckets of different widths at the wider one",
  { skip: needs("go") },
  async () => {
    const agg = new Aggregator();
    // 0.5 is a bucket bound at schema 1: the buckets below it join the zero bucket.
    agg.ingest(encodeState(histogramState("a", A, nativeOf(A, 1, 0.001))));
    agg.ingest(encodeState(histogramState("b", B, nativeOf(B, 1, 0.5))));
    const h = family(await protobufPage(agg), "req_seconds").metric[0].histogram as GoNative;
    assert.equal(h.zeroThreshold, 0.5);
    assert.deepEqual(decodedNative(h), expected([...A, ...B], 1, 0.5));
  },
);

test(
  "Aggregator drops the native part of a series that one source sends without it (it would not add up)",
  { skip: needs("go") },
  async () => {
    const agg = new Aggregator();
    agg.ingest(encodeState(histogramState("a", A, nativeOf(A, 3))));
    agg.ingest(encodeState(histogramState("b", B, undefined)));
    const h = family(await protobufPage(agg), "req_seconds").metric[0].histogram as GoNative;
    assert.equal(h.schema, undefined);
    assert.equal(h.positiveSpan, undefined);
    assert.equal(h.sampleCount, "18");
  },
);

test("Aggregator keeps native buckets across a restore from its store", async () => {
  const kept = new Map<string, Uint8Array>();
  const store = {
    put: (k: string, v: Uint8Array) => void kept.set(k, v),
    delete: (k: string) => void kept.delete(k),
  };
  new Aggregator({ store }).ingest(encodeState(histogramState("a", A, nativeOf(A, 2))));
  const again = new Aggregator();
  assert.deepEqual(again.restore(kept), []);
  const [fam] = await again.registry.collect({ names: ["req_seconds"] });
  assert.ok(fam.type === "histogram" && fam.series[0].native !== undefined);
  const n = fam.series[0].native;
  assert.equal(n.schema, 2);
  const got = decodedNative({
    sampleCount: "",
    sampleSum: 0,
    zeroCount: String(n.zeroCount),
    positiveSpan: [...n.positiveSpans],
    positiveDelta: n.positiveDeltas.map(String),
    negativeSpan: [...n.negativeSpans],
    negativeDelta: n.negativeDeltas.map(String),
  });
  assert.deepEqual(got, expected(A, 2, 2 ** -128));
});

test("Aggregator.ingest() rejects native parts that cannot be: bad schema, more in buckets than counted", () => {
  const agg = new Aggregator();
  const bad = (n: NativeState) => encodeState(histogramState("x", A, n));
  assert.throws(() => agg.ingest(bad({ ...nativeOf(A, 3), schema: 9 })), /native schema 9/);
  assert.throws(
    () => agg.ingest(bad({ ...nativeOf(A, 3), zeroCount: 5 })),
    (e) => e instanceof StateError && /native buckets but 9 in all/.test(e.message),
  );
  assert.throws(
    () => agg.ingest(bad({ ...nativeOf(A, 3), zeroThreshold: NaN })),
    /native zero threshold NaN/,
  );
  assert.equal(agg.sources, 0, "nothing was taken");
});

test(
  "RemoteWriter({ registry: aggregator.registry }) sends the merged totals (read back by Go)",
  { skip: needs("go-snappy") },
  async () => {
    const agg = await threeWorkers();
    const bodies: Uint8Array[] = [];
    const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
      bodies.push(new Uint8Array(await new Response(init!.body).arrayBuffer()));
      return Promise.resolve(new Response(null, { status: 204 }));
    }) as typeof globalThis.fetch;
    await new RemoteWriter("http://receiver.test/api/v1/write", {
      registry: agg.registry,
      labels: { job: "aggregated" },
      fetch,
    }).write();
    assert.equal(bodies.length, 1);
    const f = join(dir, "rw-body");
    writeFileSync(f, bodies[0]);
    type Json = Record<string, unknown[]>;
    const req = JSON.parse(rwdecode("v1", [f])) as Json;
    const series = new Map<string, number>();
    for (const ts of req.timeseries as Json[]) {
      const labels = (ts.labels as Json[]).map((l) => `${l.name[0]}=${l.value[0]}`).join(",");
      series.set(labels, (ts.samples as Json[])[0].value[0] as number);
    }
    assert.equal(series.get("__name__=requests_total,job=aggregated,route=/a"), 6);
    assert.equal(series.get("__name__=inflight,job=aggregated"), 9);
    assert.equal(series.get("__name__=latency_seconds_bucket,job=aggregated,le=1.0"), 5);
    assert.equal(series.get("__name__=latency_seconds_count,job=aggregated"), 6);
    assert.equal(series.get("__name__=sizes_bytes_count,job=aggregated"), 300);
  },
);

test(
  "aggregatorObject() keeps a source larger than one storage value (128 KiB) across eviction, and drops its old chunks",
  async () => {
    const state = cloudflareStorage();
    const Totals = aggregatorObject();
    const registry = new Registry();
    const c = new Counter({ name: "hits_total", help: "Hits.", labelNames: ["path"], registry });
    for (let i = 0; i < 40_000; i++) c.inc({ path: "/item/" + i }, i % 7);
    const source = new AggregationSource({ registry, id: "big", send: () => {} });
    const big = await source.encode();
    assert.ok(big.length > 4 * 131072, `a state of ${big.length} bytes`);
    const post = (o: { fetch(r: Request): Promise<Response> }, body: Uint8Array) =>
      o.fetch(new Request("http://do/", { method: "POST", body: body as Uint8Array<ArrayBuffer> }));
    const first = new Totals(state);
    assert.equal((await post(first, big)).status, 200);
    await new Promise((r) => setTimeout(r, 10));
    const chunks = [...state.data.keys()].filter((k) => k.startsWith("chunk:")).length;
    assert.ok(chunks >= 4, `${chunks} chunks`);

    // Evicted: a new object reads the storage back.
    const again = new Totals(state);
    await state.ready;
    const text = await (await again.fetch(new Request("http://do/metrics"))).text();
    assert.match(text, /^hits_total\{path="\/item\/39997"\} 6$/m);
    const total = [...text.matchAll(/^hits_total\{[^}]*\} (\d+)$/gm)]
      .reduce((a, m) => a + Number(m[1]), 0);
    let want = 0;
    for (let i = 0; i < 40_000; i++) want += i % 7;
    assert.equal(total, want);

    // The same source, now small: its old chunks go.
    c.reset();
    c.inc({ path: "/" });
    assert.equal((await post(again, await source.encode())).status, 200);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual([...state.data.keys()].filter((k) => k.startsWith("chunk:")), []);
    const third = new Totals(state);
    await state.ready;
    const small = await (await third.fetch(new Request("http://do/metrics"))).text();
    assert.match(small, /^hits_total\{path="\/"\} 1$/m);
    assert.doesNotMatch(small, /item/);
  },
);
