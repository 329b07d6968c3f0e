// RemoteWriter: what it sends (read back by Go's snappy and protowire), and how it
// behaves when the receiver refuses, fails, throttles, hangs or is not there.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Counter, Gauge, Histogram, Registry, Summary } from "../mod.ts";
import type { FamilySnapshot } from "../src/collector.ts";
import { type RemoteFamily, RemoteWriteError, RemoteWriter } from "../src/remote/mod.ts";
import { redirecting } from "./_redirect.ts";
import { needs, rwdecode } from "./_tools.ts";

const dir = mkdtempSync(join(tmpdir(), "promedge-rw-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const skip = needs("go-snappy");

interface Request1 {
  headers: Headers;
  body: Uint8Array;
}

/** A fetch that records each request and answers from `replies` (the last one repeats). */
function recorder(replies: (() => Response)[] = [() => new Response(null, { status: 204 })]) {
  const requests: Request1[] = [];
  const fetch = (async (_url: string | URL | Request, init?: RequestInit) => {
    requests.push({
      headers: new Headers(init!.headers),
      body: new Uint8Array(await new Response(init!.body).arrayBuffer()),
    });
    return Promise.resolve(replies[Math.min(requests.length - 1, replies.length - 1)]());
  }) as typeof globalThis.fetch;
  return { requests, fetch };
}

let files = 0;
type Json = Record<string, unknown[]>;
/** Decodes a body with Go: snappy, then the request message of `version`. */
function decode(body: Uint8Array, version: "v1" | "v2"): Json {
  const f = join(dir, `body-${files++}`);
  writeFileSync(f, body);
  return JSON.parse(rwdecode(version, [f]));
}

/** A v1 request's series as { labels: "a=b,c=d", value, timestamp }. */
function seriesV1(req: Json) {
  return ((req.timeseries ?? []) as Json[]).map((ts) => ({
    labels: (ts.labels as Json[]).map((l) => `${l.name[0]}=${l.value[0]}`).join(","),
    value: (ts.samples as Json[] | undefined)?.[0].value[0],
    timestamp: (ts.samples as Json[] | undefined)?.[0].timestamp[0],
    ts,
  }));
}

function registryWithEverything(): Registry {
  const registry = new Registry();
  new Counter({ name: "jobs_total", help: "Jobs done.", labelNames: ["kind", "Zone"], registry })
    .labels({ kind: "etl", Zone: "" }).inc(3);
  new Gauge({ name: "temp_celsius", help: "Temperature.", unit: "celsius", registry }).set(-2.5);
  new Histogram({ name: "lat_seconds", help: "Latency.", buckets: [0.1, 1], registry })
    .observe(0.5);
  new Summary({ name: "size_bytes", help: "Sizes.", percentiles: [0.5], registry }).observe(7);
  return registry;
}

test("RemoteWriter.write() sends RW 1.0 with the spec's headers, sorted labels and metadata", {
  skip,
}, async () => {
  const { requests, fetch } = recorder();
  const writer = new RemoteWriter("http://receiver.test/api/v1/write", {
    registry: registryWithEverything(),
    labels: { job: "batch", instance: "" },
    fetch,
  });
  await writer.write();
  assert.equal(requests.length, 1);
  const h = requests[0].headers;
  assert.equal(h.get("content-encoding"), "snappy");
  assert.equal(h.get("content-type"), "application/x-protobuf");
  assert.equal(h.get("x-prometheus-remote-write-version"), "0.1.0");
  assert.match(h.get("user-agent")!, /^promedge\//);
  const req = decode(requests[0].body, "v1");
  const got = new Map(seriesV1(req).map((s) => [s.labels, s.value]));
  assert.deepEqual(
    [...got.keys()].sort(),
    [
      "__name__=jobs_total,job=batch,kind=etl", // empty Zone and instance dropped
      "__name__=lat_seconds_bucket,job=batch,le=+Inf",
      "__name__=lat_seconds_bucket,job=batch,le=0.1",
      "__name__=lat_seconds_bucket,job=batch,le=1.0",
      "__name__=lat_seconds_count,job=batch",
      "__name__=lat_seconds_sum,job=batch",
      "__name__=size_bytes,job=batch,quantile=0.5",
      "__name__=size_bytes_count,job=batch",
      "__name__=size_bytes_sum,job=batch",
      "__name__=temp_celsius,job=batch",
    ],
  );
  assert.equal(got.get("__name__=jobs_total,job=batch,kind=etl"), 3);
  assert.equal(got.get("__name__=temp_celsius,job=batch"), -2.5);
  assert.equal(got.get("__name__=lat_seconds_bucket,job=batch,le=0.1"), 0);
  assert.equal(got.get("__name__=lat_seconds_bucket,job=batch,le=1.0"), 1);
  assert.equal(got.get("__name__=lat_seconds_sum,job=batch"), 0.5);
  assert.equal(got.get("__name__=size_bytes,job=batch,quantile=0.5"), 7);
  // One timestamp for the whole write, in ms, near now.
  const stamps = new Set(seriesV1(req).map((s) => s.timestamp));
  assert.equal(stamps.size, 1);
  assert.ok(Math.abs(Number([...stamps][0]) - Date.now()) < 60_000);
  const meta = Object.fromEntries(
    (req.metadata as Json[]).map((m) => [m.metric_family_name[0], m]),
  );
  assert.deepEqual(meta.jobs_total.type, [1]);
  assert.deepEqual(meta.temp_celsius.type, [2]);
  assert.deepEqual(meta.temp_celsius.unit, ["celsius"]);
  assert.deepEqual(meta.lat_seconds.type, [3]);
  assert.deepEqual(meta.size_bytes.type, [5]);
  assert.deepEqual(meta.jobs_total.help, ["Jobs done."]);
});

test("RemoteWriter sorts labels in byte order, as Prometheus does (uppercase before __name__)", {
  skip,
}, async () => {
  const { requests, fetch } = recorder();
  const source = (): RemoteFamily[] => [{
    name: "up",
    type: "gauge",
    help: "",
    series: [{ labels: { zone: "z", Region: "eu", a_b: "x" }, value: 1 }],
  }];
  await new RemoteWriter("http://r.test/w", { source, fetch, labels: { B: "b" } }).write();
  const [s] = seriesV1(decode(requests[0].body, "v1"));
  assert.equal(s.labels, "B=b,Region=eu,__name__=up,a_b=x,zone=z");
});

test('RemoteWriter version 2 sends a symbols table starting with "" and typed metadata', {
  skip,
}, async () => {
  const { requests, fetch } = recorder([() =>
    new Response(null, {
      status: 204,
      headers: { "x-prometheus-remote-write-samples-written": "10" },
    })]);
  const writer = new RemoteWriter("http://r.test/api/v1/write", {
    registry: registryWithEverything(),
    version: 2,
    labels: { job: "batch" },
    fetch,
  });
  await writer.write();
  assert.equal(
    requests[0].headers.get("content-type"),
    "application/x-protobuf;proto=io.prometheus.write.v2.Request",
  );
  assert.equal(requests[0].headers.get("x-prometheus-remote-write-version"), "2.0.0");
  const req = decode(requests[0].body, "v2");
  const symbols = req.symbols as string[];
  assert.equal(symbols[0], "");
  assert.equal(new Set(symbols).size, symbols.length, "each symbol once");
  const byLabels = new Map<string, Json>();
  for (const ts of req.timeseries as Json[]) {
    const refs = ts.labels_refs as number[];
    const pairs: string[] = [];
    for (let i = 0; i < refs.length; i += 2) {
      pairs.push(`${symbols[refs[i]]}=${symbols[refs[i + 1]]}`);
    }
    const names = pairs.map((p) => p.split("=")[0]);
    assert.deepEqual(names, [...names].sort(), "labels sorted");
    byLabels.set(pairs.join(","), ts);
  }
  const jobs = byLabels.get("__name__=jobs_total,job=batch,kind=etl")!;
  assert.equal((jobs.samples as Json[])[0].value[0], 3);
  const meta = (jobs.metadata as Json[])[0];
  assert.deepEqual(meta.type, [1]);
  assert.equal(symbols[(meta.help_ref as number[])[0]], "Jobs done.");
  assert.ok(Number((jobs.created_timestamp as number[])[0]) > 1.6e12, "created in ms");
  const temp = (byLabels.get("__name__=temp_celsius,job=batch")!.metadata as Json[])[0];
  assert.deepEqual(temp.type, [2]);
  assert.equal(symbols[(temp.unit_ref as number[])[0]], "celsius");
  const bucket = byLabels.get("__name__=lat_seconds_bucket,job=batch,le=+Inf")!;
  assert.deepEqual((bucket.metadata as Json[])[0].type, [3]);
  assert.equal(writer.version, 2);
});

test(
  "RemoteWriter version 2 falls back to 1.0 for a receiver that answers without Samples-Written",
  {
    skip,
  },
  async () => {
    const { requests, fetch } = recorder(); // 204, no headers: Prometheus 2.42's answer
    const writer = new RemoteWriter("http://r.test/w", {
      registry: registryWithEverything(),
      version: 2,
      fetch,
    });
    await writer.write();
    assert.equal(requests.length, 2);
    assert.equal(requests[0].headers.get("x-prometheus-remote-write-version"), "2.0.0");
    assert.equal(requests[1].headers.get("x-prometheus-remote-write-version"), "0.1.0");
    assert.equal(seriesV1(decode(requests[1].body, "v1")).length, 10);
    assert.equal(writer.version, 1);
    await writer.write(); // remembered: straight to 1.0
    assert.equal(requests.length, 3);
    assert.equal(requests[2].headers.get("x-prometheus-remote-write-version"), "0.1.0");
  },
);

test("RemoteWriter sends native histograms and exemplars in both versions", { skip }, async () => {
  const native = {
    schema: 0,
    zeroThreshold: 2 ** -128,
    zeroCount: 1,
    count: 6,
    sum: 11.5,
    positiveSpans: [{ offset: 0, length: 2 }, { offset: 1, length: 1 }],
    positiveDeltas: [2, -1, 1],
    negativeSpans: [{ offset: -1, length: 1 }],
    negativeDeltas: [1],
  };
  const source = (): RemoteFamily[] => [
    {
      name: "req_seconds",
      type: "histogram",
      help: "h",
      series: [{ labels: {}, native, exemplars: [{ labels: { trace_id: "abc" }, value: 0.7 }] }],
    },
    {
      name: "hits_total",
      type: "counter",
      help: "",
      series: [{
        labels: {},
        value: 5,
        exemplar: { labels: { trace_id: "t1" }, value: 1, timestamp: 1_700_000_000_123 },
      }],
    },
  ];
  const { requests, fetch } = recorder([
    () => new Response(null, { headers: { "x-prometheus-remote-write-samples-written": "1" } }),
  ]);
  await new RemoteWriter("http://r.test/w", { source, fetch }).write();
  await new RemoteWriter("http://r.test/w", { source, fetch, version: 2 }).write();
  const v1 = seriesV1(decode(requests[0].body, "v1"));
  const h1 = (v1[0].ts.histograms as Json[])[0];
  const v2 = decode(requests[1].body, "v2");
  const h2 = ((v2.timeseries as Json[])[0].histograms as Json[])[0];
  for (const h of [h1, h2]) {
    assert.deepEqual(h.count_int, [6]);
    assert.deepEqual(h.sum, [11.5]);
    assert.deepEqual(h.schema, [0]);
    assert.deepEqual(h.zero_threshold, [2 ** -128]);
    assert.deepEqual(h.zero_count_int, [1]);
    assert.deepEqual(h.positive_spans, [{ length: [2] }, { offset: [1], length: [1] }]);
    assert.deepEqual(h.positive_deltas, [2, -1, 1]);
    assert.deepEqual(h.negative_spans, [{ offset: [-1], length: [1] }]);
    assert.deepEqual(h.negative_deltas, [1]);
  }
  assert.equal(v1[0].labels, "__name__=req_seconds");
  assert.equal(v1.length, 2, "no _count/_sum series beside a native histogram");
  const ex1 = (v1[1].ts.exemplars as Json[])[0];
  assert.deepEqual(ex1.labels, [{ name: ["trace_id"], value: ["t1"] }]);
  assert.deepEqual(ex1.value, [1]);
  assert.deepEqual(ex1.timestamp, [1_700_000_000_123]);
  const ex2 = ((v2.timeseries as Json[])[1].exemplars as Json[])[0];
  const symbols = v2.symbols as string[];
  assert.deepEqual((ex2.labels_refs as number[]).map((r) => symbols[r]), ["trace_id", "t1"]);
});

/** A registry holding `families` as they are, as a collector of the registry might give them. */
function registryOf(...families: FamilySnapshot[]): Registry {
  const registry = new Registry();
  for (const f of families) {
    registry.register({
      name: f.name,
      reservedNames: [f.name, f.name + "_bucket", f.name + "_sum", f.name + "_count"],
      collect: () => f,
    });
  }
  return registry;
}

test(
  "RemoteWriter sends a registry's created times, exemplars and native histograms as collected",
  {
    skip,
  },
  async () => {
    const native = {
      schema: 3,
      zeroThreshold: 2 ** -128,
      zeroCount: 2,
      positiveSpans: [{ offset: 4, length: 2 }],
      positiveDeltas: [1, 1], // buckets 4 and 5: 1 and 2
      negativeSpans: [{ offset: 0, length: 1 }],
      negativeDeltas: [1],
      exemplars: [{ labels: { trace_id: "n1" }, value: 1.2, timestamp: 1_700_000_001.5 }],
    };
    const registry = registryOf(
      {
        name: "hits_total",
        type: "counter",
        help: "Hits.",
        series: [{
          labelText: 'path="/a"',
          labels: { path: "/a" },
          value: 4,
          created: 1_690_000_000.25,
          exemplar: {
            labels: { trace_id: "c1", span_id: "s" },
            value: 2,
            timestamp: 1_700_000_000,
          },
        }],
      },
      {
        name: "lat_seconds",
        type: "histogram",
        help: "Latency.",
        buckets: [0.5, 1],
        series: [{
          labelText: "",
          labels: {},
          counts: [1, 0, 2], // not cumulative: 1 in (..0.5], 2 in (1..+Inf)
          sum: 7.25,
          count: 3,
          created: 1_690_000_000,
          exemplars: [{ labels: { trace_id: "b0" }, value: 0.25 }, undefined, {
            labels: { trace_id: "b2" },
            value: 5,
            timestamp: 1_700_000_002,
          }],
        }],
      },
      {
        name: "rpc_seconds",
        type: "histogram",
        help: "Native only.",
        buckets: [],
        series: [{
          labelText: 'm="x"',
          labels: { m: "x" },
          counts: [6],
          sum: 9.5,
          count: 6,
          native,
        }],
      },
    );
    const { requests, fetch } = recorder([
      () => new Response(null, { headers: { "x-prometheus-remote-write-samples-written": "1" } }),
    ]);
    const writer = new RemoteWriter("http://r.test/w", { registry, fetch });
    await writer.write();
    const v1 = new Map(seriesV1(decode(requests[0].body, "v1")).map((s) => [s.labels, s]));
    assert.deepEqual([...v1.keys()].sort(), [
      "__name__=hits_total,path=/a",
      "__name__=lat_seconds_bucket,le=+Inf",
      "__name__=lat_seconds_bucket,le=0.5",
      "__name__=lat_seconds_bucket,le=1.0",
      "__name__=lat_seconds_count",
      "__name__=lat_seconds_sum",
      "__name__=rpc_seconds,m=x", // native only: no _bucket, _sum, _count beside it
    ]);
    assert.equal(v1.get("__name__=lat_seconds_bucket,le=1.0")!.value, 1, "cumulative");
    assert.equal(v1.get("__name__=lat_seconds_bucket,le=+Inf")!.value, 3);
    const exemplars = (labels: string) => v1.get(labels)!.ts.exemplars as Json[] | undefined;
    assert.deepEqual(exemplars("__name__=hits_total,path=/a"), [{
      labels: [{ name: ["span_id"], value: ["s"] }, { name: ["trace_id"], value: ["c1"] }],
      value: [2],
      timestamp: [1_700_000_000_000],
    }]);
    const b0 = exemplars("__name__=lat_seconds_bucket,le=0.5")!;
    assert.deepEqual(b0[0].labels, [{ name: ["trace_id"], value: ["b0"] }]);
    assert.deepEqual(b0[0].timestamp, [v1.get("__name__=lat_seconds_bucket,le=0.5")!.timestamp]);
    assert.equal(exemplars("__name__=lat_seconds_bucket,le=1.0"), undefined);
    assert.deepEqual(exemplars("__name__=lat_seconds_bucket,le=+Inf")![0].timestamp, [
      1_700_000_002_000,
    ]);
    const rpc = v1.get("__name__=rpc_seconds,m=x")!.ts;
    const h = (rpc.histograms as Json[])[0];
    assert.deepEqual(h.count_int, [6]);
    assert.deepEqual(h.sum, [9.5]);
    assert.deepEqual(h.schema, [3]);
    assert.deepEqual(h.zero_count_int, [2]);
    assert.deepEqual(h.positive_spans, [{ offset: [4], length: [2] }]);
    assert.deepEqual(h.positive_deltas, [1, 1]);
    assert.deepEqual(h.negative_spans, [{ length: [1] }]);
    assert.deepEqual(h.negative_deltas, [1]);
    assert.equal(rpc.samples, undefined, "a histogram sample, no float sample");
    assert.deepEqual(rpc.exemplars, [{
      labels: [{ name: ["trace_id"], value: ["n1"] }],
      value: [1.2],
      timestamp: [1_700_000_001_500],
    }]);

    // Remote-Write 2.0 carries the created times, in milliseconds.
    const v2writer = new RemoteWriter("http://r.test/w", { registry, fetch, version: 2 });
    await v2writer.write();
    const v2 = decode(requests[1].body, "v2");
    const symbols = v2.symbols as string[];
    const created = new Map((v2.timeseries as Json[]).map((ts) => [
      (ts.labels_refs as number[]).map((r) => symbols[r]).join(","),
      ts.created_timestamp?.[0],
    ]));
    assert.equal(created.get("__name__,hits_total,path,/a"), 1_690_000_000_250);
    assert.equal(created.get("__name__,lat_seconds_count"), 1_690_000_000_000);
  },
);

test(
  "RemoteWriter sends a staleness marker (NaN 0x7ff0000000000002) once for a series that went away",
  {
    skip,
  },
  async () => {
    const registry = new Registry();
    const g = new Gauge({ name: "queue", help: "q", labelNames: ["name"], registry });
    g.labels({ name: "a" }).set(1);
    g.labels({ name: "b" }).set(2);
    const { requests, fetch } = recorder();
    const writer = new RemoteWriter("http://r.test/w", { registry, fetch });
    await writer.write();
    g.remove({ name: "b" });
    await writer.write();
    await writer.write();
    const [first, second, third] = requests.map((r) => seriesV1(decode(r.body, "v1")));
    assert.equal(first.length, 2); // the failure counter has no series until a failure
    const stale = second.find((s) => s.labels === "__name__=queue,name=b");
    assert.equal(stale?.value, "NaN:7ff0000000000002");
    assert.ok(!third.some((s) => s.labels === "__name__=queue,name=b"), "only once");
    assert.ok(Number(second[0].timestamp) > Number(first[0].timestamp), "later timestamp");
    assert.ok(Number(third[0].timestamp) > Number(second[0].timestamp), "later timestamp");
  },
);

test("RemoteWriter drops an exemplar over 128 code points, sends its sample and counts the drop", {
  skip,
}, async () => {
  const registry = new Registry();
  const exemplar = (traceId: string) => ({ labels: { trace_id: traceId }, value: 1 });
  const source = (): RemoteFamily[] => [{
    name: "hits_total",
    type: "counter",
    help: "",
    series: [
      { labels: { n: "120" }, value: 1, exemplar: exemplar("x".repeat(120)) }, // 8 + 120: kept
      { labels: { n: "121" }, value: 2, exemplar: exemplar("x".repeat(121)) }, // 129: dropped
      // 120 emoji are 240 UTF-16 units but 120 code points: kept.
      { labels: { n: "emoji" }, value: 3, exemplar: exemplar("\u{1F600}".repeat(120)) },
      { labels: { n: "bad" }, value: 4, exemplar: { labels: { "trace-id": "a" }, value: 1 } },
    ],
  }];
  const { requests, fetch } = recorder();
  await new RemoteWriter("http://r.test/w", { registry, source, fetch }).write();
  const got = new Map(seriesV1(decode(requests[0].body, "v1")).map((s) => [s.labels, s]));
  assert.equal(got.size, 4, "every sample is sent");
  const traceId = (n: string) =>
    ((got.get(`__name__=hits_total,n=${n}`)!.ts.exemplars as Json[] | undefined)?.[0]
      ?.labels as Json[] | undefined)?.[0].value[0];
  assert.equal(traceId("120"), "x".repeat(120));
  assert.equal(traceId("121"), undefined);
  assert.equal(traceId("emoji"), "\u{1F600}".repeat(120));
  assert.equal(traceId("bad"), undefined);
  const page = await registry.metrics();
  assert.match(
    page,
    /^promedge_remote_write_exemplars_dropped_total\{url="http:\/\/r\.test\/w",reason="too_long"\} 1$/m,
  );
  assert.match(page, /^promedge_remote_write_exemplars_dropped_total\{[^}]*reason="invalid"\} 1$/m);
});

test("RemoteWriter marks a native histogram stale with a histogram whose sum is the stale NaN", {
  skip,
}, async () => {
  let present = true;
  const native = {
    schema: 0,
    zeroThreshold: 2 ** -128,
    zeroCount: 0,
    count: 1,
    sum: 1,
    positiveSpans: [{ offset: 0, length: 1 }],
    positiveDeltas: [1],
  };
  const source = (): RemoteFamily[] => [{
    name: "rpc_seconds",
    type: "histogram",
    help: "",
    series: present ? [{ labels: {}, native }] : [],
  }];
  const { requests, fetch } = recorder();
  const writer = new RemoteWriter("http://r.test/w", { source, fetch });
  await writer.write();
  present = false;
  await writer.write();
  const [marker] = seriesV1(decode(requests[1].body, "v1"));
  assert.equal(marker.labels, "__name__=rpc_seconds");
  assert.equal(marker.ts.samples, undefined, "not a float sample");
  const h = (marker.ts.histograms as Json[])[0];
  assert.deepEqual(h.sum, ["NaN:7ff0000000000002"]);
  assert.deepEqual(h.count_int, [0]);
  assert.equal(h.positive_spans, undefined);
  assert.ok(Number(h.timestamp[0]) > 0);
});

test("RemoteWriter sends a staleness marker again when the write that carried it failed", {
  skip,
}, async () => {
  let present = true;
  const source = (): RemoteFamily[] => [{
    name: "g",
    type: "gauge",
    help: "",
    series: [{ labels: {}, value: 1 }, ...(present ? [{ labels: { a: "b" }, value: 2 }] : [])],
  }];
  const { requests, fetch } = recorder([
    () => new Response(null, { status: 204 }),
    () => new Response("bad", { status: 400 }),
    () => new Response(null, { status: 204 }),
  ]);
  const writer = new RemoteWriter("http://r.test/w", { source, fetch });
  await writer.write();
  present = false;
  await assert.rejects(writer.write(), /400/);
  await writer.write();
  await writer.write();
  assert.equal(requests.length, 4);
  const marker = (i: number) =>
    seriesV1(decode(requests[i].body, "v1")).find((s) => s.labels === "__name__=g,a=b")?.value;
  assert.equal(marker(1), "NaN:7ff0000000000002");
  assert.equal(marker(2), "NaN:7ff0000000000002", "sent again after the failed write");
  assert.equal(marker(3), undefined, "and then no more");
});

test("RemoteWriter splits a large write into requests of maxSeriesPerRequest series", {
  skip,
}, async () => {
  const registry = new Registry();
  const g = new Gauge({ name: "g", help: "g", labelNames: ["i"], registry });
  for (let i = 0; i < 25; i++) g.labels({ i: String(i) }).set(i);
  const { requests, fetch } = recorder();
  await new RemoteWriter("http://r.test/w", { registry, fetch, maxSeriesPerRequest: 10 }).write();
  assert.deepEqual(requests.map((r) => seriesV1(decode(r.body, "v1")).length), [10, 10, 5]);
  const all = requests.flatMap((r) => seriesV1(decode(r.body, "v1")).map((s) => s.labels));
  assert.equal(new Set(all).size, 25);
});

test("RemoteWriter.write() rejects a label set twice (series and labels option) before sending", async () => {
  const registry = new Registry();
  new Counter({ name: "c_total", help: "c", labelNames: ["job"], registry }).labels({ job: "x" })
    .inc();
  const { requests, fetch } = recorder();
  const writer = new RemoteWriter("http://r.test/w", { registry, fetch, labels: { job: "y" } });
  await assert.rejects(writer.write(), /c_total\{job="x"\} has label "job".*labels option/);
  assert.equal(requests.length, 0);
});

test("RemoteWriter.write() rejects a series written twice, and bad names, before sending", async () => {
  const { requests, fetch } = recorder();
  const twice = new RemoteWriter("http://r.test/w", {
    fetch,
    source: () => [
      { name: "x", type: "gauge", help: "", series: [{ labels: {}, value: 1 }] },
      { name: "x", type: "gauge", help: "", series: [{ labels: {}, value: 2 }] },
    ],
  });
  await assert.rejects(twice.write(), /series x appears twice/);
  const badLabel = new RemoteWriter("http://r.test/w", {
    fetch,
    source: () => [{
      name: "x",
      type: "gauge",
      help: "",
      series: [{ labels: { "a-b": "1" }, value: 1 }],
    }],
  });
  await assert.rejects(badLabel.write(), /label name "a-b"/);
  const le = new RemoteWriter("http://r.test/w", {
    fetch,
    source: () => [{
      name: "h",
      type: "histogram",
      help: "",
      series: [{ labels: { le: "1" }, buckets: [{ le: 1, count: 1 }], count: 1, sum: 1 }],
    }],
  });
  await assert.rejects(le.write(), /has label "le"/);
  assert.equal(requests.length, 0);
  assert.throws(() => new RemoteWriter("http://r.test/w", { labels: { __x: "1" } }), /__/);
  assert.throws(() => new RemoteWriter("ftp://r.test/w"), /http or https/);
  assert.throws(() => new RemoteWriter("not a url"), /not a URL/);
});

// ---- faults, against a local HTTP server --------------------------------------------------

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/** A receiver on 127.0.0.1 answering with `handler`; counts requests. */
async function receiver(handler: Handler) {
  let n = 0;
  const server = createServer((req, res) => {
    const i = n++;
    req.resume();
    req.on("end", () => handler(req, res, i));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    count: () => n,
    close: () =>
      new Promise<void>((r) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

function oneGauge(): Registry {
  const registry = new Registry();
  new Gauge({ name: "g", help: "g", registry }).set(1);
  return registry;
}

test("RemoteWriter.write() follows a 307 and a 308 to the receiver with the same body and headers, with the global fetch or one that hands on to it", async () => {
  const wrapped = ((url: string, init: RequestInit) => fetch(url, init)) as typeof fetch;
  for (const [status, own] of [[307], [308], [307, wrapped]] as [number, typeof fetch?][]) {
    const peer = await redirecting(status, 204);
    const got = peer.got;
    const what = `${status}${own ? ", fetch option" : ""}`;
    try {
      await new RemoteWriter(`${peer.base}/api/v1/write`, { registry: oneGauge(), fetch: own })
        .write();
      assert.equal(got.length, 2, `${what}: ${got.length} requests`);
      assert.equal(got[1].url, "/api/v1/write");
      assert.ok(got[0].body.length > 0);
      assert.ok(got[1].body.equals(got[0].body), `${what}: the redirected request's body`);
      assert.equal(got[1].headers["content-type"], "application/x-protobuf");
      assert.equal(got[1].headers["x-prometheus-remote-write-version"], "0.1.0");
    } finally {
      peer.close();
    }
  }
});

test("RemoteWriter.write() does not retry a 400 and rejects with the status and the reply", async () => {
  const r = await receiver((_q, res) => {
    res.writeHead(400).end("out of order sample");
  });
  try {
    const writer = new RemoteWriter(r.url, { registry: oneGauge(), retry: { minDelay: 1 } });
    const e = await writer.write().then(() => undefined, (e) => e);
    assert.ok(e instanceof RemoteWriteError);
    assert.equal(e.status, 400);
    assert.equal(e.reply, "out of order sample");
    assert.match(e.message, /answered 400: out of order sample/);
    assert.equal(r.count(), 1);
  } finally {
    await r.close();
  }
});

test("RemoteWriter.write() retries a 503 and resolves when the retry lands", async () => {
  const r = await receiver((_q, res, n) => {
    if (n === 0) res.writeHead(503).end("overloaded");
    else res.writeHead(204).end();
  });
  try {
    await new RemoteWriter(r.url, { registry: oneGauge(), retry: { minDelay: 10 } }).write();
    assert.equal(r.count(), 2);
  } finally {
    await r.close();
  }
});

test("RemoteWriter.write() waits for Retry-After on a 429", async () => {
  const r = await receiver((_q, res, n) => {
    if (n === 0) res.writeHead(429, { "retry-after": "1" }).end("slow down");
    else res.writeHead(204).end();
  });
  try {
    const t = Date.now();
    await new RemoteWriter(r.url, { registry: oneGauge(), retry: { minDelay: 10 } }).write();
    assert.ok(Date.now() - t >= 950, `waited ${Date.now() - t} ms`);
    assert.equal(r.count(), 2);
  } finally {
    await r.close();
  }
});

test("RemoteWriter.write() gives up after its retries on a 5xx, bounded", async () => {
  const r = await receiver((_q, res) => {
    res.writeHead(500).end("broken");
  });
  try {
    const writer = new RemoteWriter(r.url, {
      registry: oneGauge(),
      retry: { retries: 2, minDelay: 5 },
    });
    await assert.rejects(writer.write(), /answered 500: broken.*after 3 tries/);
    assert.equal(r.count(), 3);
  } finally {
    await r.close();
  }
});

test("RemoteWriter.write() names the URL when nothing answers", async () => {
  const r = await receiver(() => {});
  const url = r.url;
  await r.close(); // nobody listens there now
  const writer = new RemoteWriter(url, {
    registry: oneGauge(),
    retry: { retries: 1, minDelay: 5 },
  });
  const e = await writer.write().then(() => undefined, (e) => e);
  assert.ok(e instanceof RemoteWriteError);
  assert.equal(e.status, undefined);
  assert.ok(e.message.includes(url), e.message);
  assert.match(e.message, /nothing answered/);
});

test("RemoteWriter.write() times out on a receiver that never answers", async () => {
  const r = await receiver(() => {}); // never responds
  try {
    const writer = new RemoteWriter(r.url, {
      registry: oneGauge(),
      timeout: 200,
      retry: { retries: 0 },
    });
    const t = Date.now();
    await assert.rejects(writer.write(), /nothing answered within 200 ms/);
    assert.ok(Date.now() - t < 5000);
  } finally {
    await r.close();
  }
});

test("RemoteWriter.start() counts periodic failures without an unhandled rejection; stop() flushes", async () => {
  let fail = true;
  const r = await receiver((_q, res) => {
    if (fail) res.writeHead(400).end("no");
    else res.writeHead(204).end();
  });
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  proc?.on("unhandledRejection", onUnhandled);
  try {
    const registry = oneGauge();
    const errors: unknown[] = [];
    const writer = new RemoteWriter(r.url, { registry, onError: (e) => errors.push(e) });
    writer.start(0.05);
    while (errors.length < 2) await new Promise((res) => setTimeout(res, 20));
    fail = false;
    const before = r.count();
    await writer.stop();
    assert.ok(r.count() > before, "stop() wrote once more");
    const page = await registry.metrics();
    const m = /^promedge_remote_write_failures_total\{url="([^"]+)"\} (\d+)$/m.exec(page);
    assert.ok(m, page);
    assert.equal(m[1], r.url);
    assert.ok(Number(m[2]) >= 2);
    assert.ok(errors[0] instanceof RemoteWriteError);
    const count = r.count();
    await new Promise((res) => setTimeout(res, 150));
    assert.equal(r.count(), count, "no writes after stop()");
    assert.deepEqual(unhandled, []);
  } finally {
    proc?.off("unhandledRejection", onUnhandled);
    await r.close();
  }
});

// ---- a careless or hostile caller, and receivers that answer garbage ----------------------

/** Records unhandled rejections (Node and Bun: process; Deno: the window event) while `f` runs. */
async function noUnhandled(f: () => Promise<void>): Promise<void> {
  const seen: unknown[] = [];
  const onNode = (e: unknown) => seen.push(e);
  const onWeb = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    seen.push(e.reason);
  };
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  proc?.on("unhandledRejection", onNode);
  const deno = "Deno" in globalThis;
  if (deno) globalThis.addEventListener("unhandledrejection", onWeb);
  try {
    await f();
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    proc?.off("unhandledRejection", onNode);
    if (deno) globalThis.removeEventListener("unhandledrejection", onWeb);
  }
  assert.deepEqual(seen, [], "no unhandled rejection");
}

test("RemoteWriter rejects bad headers, userAgent, fetch, onError, registry and surrogate labels at construction", () => {
  const registry = oneGauge();
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ headers: { "x a": "b" } }, /RemoteWriter: bad headers or userAgent option/],
    [{ headers: { "x-org": "a\r\nb: c" } }, /RemoteWriter: bad headers or userAgent option/],
    [{ headers: { "x-org": "\ud800" } }, /RemoteWriter: bad headers or userAgent option/],
    [{ userAgent: "a\nb" }, /RemoteWriter: bad headers or userAgent option/],
    [{ fetch: "fetch" }, /RemoteWriter: fetch must be a function, got string/],
    [{ onError: console }, /RemoteWriter: onError must be a function, got object/],
    [{ retry: null }, /RemoteWriter: retry must be an object/],
    [{ labels: { job: "a\ud800" } }, /RemoteWriter: label "job".*lone UTF-16 surrogate/],
  ];
  for (const [o, re] of cases) {
    assert.throws(() => new RemoteWriter("http://r.test/w", { registry, ...o }), re);
  }
  assert.throws(
    () => new RemoteWriter("http://r.test/w", { registry: {} as Registry }),
    /RemoteWriter: registry must be a Registry/,
  );
});

test("RemoteWriter sends a URL's user:password as Basic auth (fetch refuses such URLs)", async () => {
  let auth: string | undefined;
  const r = await receiver((q, res) => {
    auth = q.headers.authorization;
    res.writeHead(204).end();
  });
  try {
    const url = r.url.replace("http://", "http://us%20er:p%C3%A9ss@");
    await new RemoteWriter(url, { registry: oneGauge(), retry: { retries: 0 } }).write();
    assert.equal(auth, "Basic " + btoa("us er:p\u00c3\u00a9ss")); // UTF-8 bytes of "us er:péss"
    // An explicit authorization header wins.
    await new RemoteWriter(url, {
      registry: oneGauge(),
      headers: { authorization: "Bearer t" },
    }).write();
    assert.equal(auth, "Bearer t");
  } finally {
    await r.close();
  }
});

test("RemoteWriter.write() gives up at its timeout on a fetch that ignores the abort signal", async () => {
  await noUnhandled(async () => {
    const hangs = (() => new Promise(() => {})) as typeof fetch;
    // Rejects only after the writer gave up: that rejection must not escape.
    const late = (() =>
      new Promise((_, reject) =>
        setTimeout(() =>
          reject(new Error("late")), 250)
      )) as typeof fetch;
    const endless = (() =>
      Promise.resolve(
        new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), { status: 500 }),
      )) as typeof fetch;
    for (const fetch of [hangs, late, endless]) {
      const writer = new RemoteWriter("http://r.test/w", {
        registry: oneGauge(),
        fetch,
        timeout: 100,
        retry: { retries: 0 },
      });
      const t = Date.now();
      await assert.rejects(writer.write(), /nothing answered within 100 ms \(timeout\)/);
      assert.ok(Date.now() - t < 2000, `took ${Date.now() - t} ms`);
    }
    await new Promise((r) => setTimeout(r, 300)); // let `late` reject
  });
});

test("RemoteWriter.write() rejects a fetch option's non-Response with a TypeError, without retrying", async () => {
  for (const reply of [undefined, null, {}, 42]) {
    let calls = 0;
    const writer = new RemoteWriter("http://r.test/w", {
      registry: oneGauge(),
      fetch: (() => (calls++, Promise.resolve(reply))) as unknown as typeof fetch,
      retry: { minDelay: 1 },
    });
    await assert.rejects(writer.write(), {
      name: "TypeError",
      message: `RemoteWriter: the fetch option returned ${
        JSON.stringify(reply) ?? "undefined"
      }, not a Response`,
    });
    assert.equal(calls, 1);
  }
});

test("RemoteWriter.write() keeps at most 64 KiB of a receiver's reply", async () => {
  const r = await receiver((_q, res) => {
    res.writeHead(400);
    res.end("x".repeat(8 << 20));
  });
  try {
    const e = await new RemoteWriter(r.url, { registry: oneGauge() }).write().then(
      () => undefined,
      (e) => e,
    );
    assert.ok(e instanceof RemoteWriteError);
    assert.equal(e.status, 400);
    assert.equal(e.reply, "x".repeat(65536));
    assert.ok(e.message.length < 2000);
  } finally {
    await r.close();
  }
});

test("RemoteWriter takes a timeout or retry.maxDelay beyond the longest timer as that timer", async () => {
  // Such timers fire at once: every request would time out, and a long
  // Retry-After would be retried after 1 ms.
  const r = await receiver((_q, res, n) => {
    if (n === 0) setTimeout(() => res.writeHead(204).end(), 50);
    else res.writeHead(429, { "retry-after": "3000000" }).end("later");
  });
  try {
    await new RemoteWriter(r.url, { registry: oneGauge(), timeout: 1e12 }).write();
    const writer = new RemoteWriter(r.url, { registry: oneGauge(), retry: { maxDelay: 1e12 } });
    await assert.rejects(writer.write(), /answered 429: later.*asks to retry after 3000000 s/);
    assert.equal(r.count(), 2, "the 429 was not retried");
  } finally {
    await r.close();
  }
});

test("RemoteWriter.start() refuses an interval beyond the longest timer (it would fire every ms)", () => {
  const writer = new RemoteWriter("http://r.test/w", {
    registry: oneGauge(),
    fetch: () => Promise.resolve(new Response(null, { status: 204 })),
  });
  try {
    for (const s of [1e9, 2147484, Infinity, NaN, -1]) {
      assert.throws(() => writer.start(s), /RemoteWriter.start\(\): the interval must be/);
    }
    writer.start(2147483); // the longest accepted
  } finally {
    writer.stop().catch(() => {});
  }
});

test("RemoteWriter.write() refuses a source's label value with a lone surrogate before sending", async () => {
  const { requests, fetch } = recorder();
  const writer = new RemoteWriter("http://r.test/w", {
    fetch,
    registry: new Registry(),
    source: (): RemoteFamily[] => [{
      name: "x",
      help: "",
      type: "gauge",
      series: [{ labels: { a: "\ud800" }, value: 1 }, { labels: { a: "\udc00" }, value: 2 }],
    }],
  });
  await assert.rejects(writer.write(), /series x\{a="\\ud800"\} label "a".*lone UTF-16 surrogate/);
  assert.equal(requests.length, 0);
});

test("RemoteWriter: write() calls racing the periodic writes send samples in time order", {
  skip,
}, async () => {
  await noUnhandled(async () => {
    const { requests, fetch } = recorder([() => new Response(null, { status: 204 })]);
    const slow = ((url: string, init: RequestInit) =>
      new Promise((r) =>
        setTimeout(r, 5)
      ).then(() => fetch(url, init))) as typeof fetch;
    const registry = new Registry();
    const g = new Gauge({ name: "g", help: "h", registry });
    const writer = new RemoteWriter("http://r.test/w", { registry, fetch: slow });
    writer.start(0.005);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      g.set(i);
      writes.push(writer.write());
      await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all(writes);
    await writer.stop();
    assert.ok(requests.length >= 21);
    const stamps = requests.map((q) => Number(seriesV1(decode(q.body, "v1"))[0].timestamp));
    for (let i = 1; i < stamps.length; i++) {
      assert.ok(stamps[i] > stamps[i - 1], `request ${i}: ${stamps[i]} after ${stamps[i - 1]}`);
    }
  });
});
