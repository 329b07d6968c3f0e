import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Counter,
  createMetricsHandler,
  Gauge,
  Histogram,
  Info,
  openMetricsFormat,
  Registry,
  Summary,
} from "../mod.ts";
import { PROTOBUF_CONTENT_TYPE, protobufFormat } from "../src/exposition/protobuf.ts";
import { type DecodedFamily, goDecode, needs } from "./_tools.ts";

/** Exactly what Prometheus 2.42 sends with --enable-feature=native-histograms. */
const PROMETHEUS_NATIVE_ACCEPT =
  "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

const NASTY = ['back\\slash "quoted"\nnewline', "ünïcødé ✓", ""];

function populated(): { registry: Registry; started: number } {
  const started = Date.now() / 1000;
  const registry = new Registry();
  const c = new Counter({
    name: "http_requests_total",
    help: "Requests.\nSecond line",
    labelNames: ["path", "code"],
    registry,
  });
  NASTY.forEach((p, i) => c.inc({ path: p, code: 200 + i }, i + 1.5));
  const g = new Gauge({ name: "temperature", help: "T.", labelNames: ["room"], registry });
  g.set({ room: "a" }, -3.25);
  g.set({ room: "nan" }, NaN);
  g.set({ room: "inf" }, Infinity);
  const h = new Histogram({
    name: "latency_seconds",
    help: "L.",
    buckets: [0.1, 1, 10],
    unit: "seconds",
    registry,
  });
  for (const v of [0.05, 0.1, 0.5, 5, 50]) h.observe(v);
  const s = new Summary({ name: "size_bytes", help: "S.", percentiles: [0.5, 0.9], registry });
  for (let i = 1; i <= 100; i++) s.observe(i);
  new Summary({ name: "empty", help: "E.", percentiles: [], registry }).observe(-2);
  new Info({ name: "build", help: "B.", labelNames: ["version"], registry }).set({
    version: "1.2.3",
  });
  registry.registerCollector(() => [
    { name: "legacy", help: "U.", type: "untyped", samples: [{ labels: { k: "v" }, value: 7 }] },
    { name: "jobs_total", help: "J.", type: "counter", samples: [{ value: 4 }] },
  ]);
  return { registry, started };
}

function family(fams: DecodedFamily[], name: string): DecodedFamily {
  const f = fams.find((x) => x.family.name === name);
  assert.ok(f, `family ${name} in ${fams.map((x) => x.family.name)}`);
  return f;
}

function labelsOf(m: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of (m.label ?? []) as { name: string; value?: string }[]) {
    out[l.name] = l.value ?? "";
  }
  return out;
}

test(
  "the handler serves protobuf, gzipped, to Prometheus' native-histogram Accept header, and Go's decoder reads every type",
  {
    skip: needs("go"),
  },
  async () => {
    const { registry, started } = populated();
    const handler = createMetricsHandler({ registry, formats: [protobufFormat] });
    const res = await handler(
      new Request("http://localhost/metrics", {
        headers: { accept: PROMETHEUS_NATIVE_ACCEPT, "accept-encoding": "gzip" },
      }),
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), PROTOBUF_CONTENT_TYPE);
    assert.equal(res.headers.get("content-encoding"), "gzip");
    const body = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual([body[0], body[1]], [0x1f, 0x8b], "a gzip body");
    const fams = goDecode(body);
    assert.deepEqual(fams.map((f) => f.family.name), [
      "build_info",
      "empty",
      "http_requests_total",
      "jobs_total",
      "latency_seconds",
      "legacy",
      "size_bytes",
      "temperature",
    ]);

    const req = family(fams, "http_requests_total");
    assert.equal(req.family.type ?? "COUNTER", "COUNTER");
    assert.equal(req.family.help, "Requests.\nSecond line");
    assert.deepEqual(
      req.family.metric.map((m) => [labelsOf(m), (m.counter as { value: number }).value]),
      NASTY.map((p, i) => [{ path: p, code: String(200 + i) }, i + 1.5]),
    );
    for (const c of req.created) {
      assert.ok(c !== null && c >= started - 1 && c <= Date.now() / 1000 + 1, `created ${c}`);
    }
    const jobs = family(fams, "jobs_total");
    assert.deepEqual(jobs.family.metric[0].counter, { value: 4 });
    assert.deepEqual(jobs.created, [null], "a collected counter has no created time");

    const temp = family(fams, "temperature");
    assert.equal(temp.family.type, "GAUGE");
    assert.deepEqual(
      temp.family.metric.map((m) => [labelsOf(m).room, (m.gauge as { value: unknown }).value]),
      [["a", -3.25], ["nan", "NaN"], ["inf", "Infinity"]],
    );

    const lat = family(fams, "latency_seconds");
    assert.equal(lat.family.type, "HISTOGRAM");
    const hist = lat.family.metric[0].histogram as {
      sampleCount: string;
      sampleSum: number;
      bucket: { cumulativeCount?: string; upperBound: number }[];
    };
    assert.equal(hist.sampleCount, "5");
    assert.equal(hist.sampleSum, 0.05 + 0.1 + 0.5 + 5 + 50);
    assert.deepEqual(
      hist.bucket.map((b) => [b.upperBound, Number(b.cumulativeCount ?? 0)]),
      [[0.1, 2], [1, 3], [10, 4]],
      "cumulative, a value on a bound in the bucket it closes, +Inf left to sample_count",
    );
    assert.ok(lat.created[0]! >= started - 1);

    const size = family(fams, "size_bytes");
    assert.equal(size.family.type, "SUMMARY");
    const sum = size.family.metric[0].summary as {
      sampleCount: string;
      sampleSum: number;
      quantile: { quantile: number; value: number }[];
    };
    assert.equal(sum.sampleCount, "100");
    assert.equal(sum.sampleSum, 5050);
    assert.deepEqual(sum.quantile.map((q) => q.quantile), [0.5, 0.9]);
    assert.ok(Math.abs(sum.quantile[0].value - 50) <= 1, `p50 ${sum.quantile[0].value}`);
    assert.ok(Math.abs(sum.quantile[1].value - 90) <= 1, `p90 ${sum.quantile[1].value}`);
    assert.ok(size.created[0]! >= started - 1);
    const empty = family(fams, "empty").family.metric[0].summary as Record<string, unknown>;
    assert.equal(empty.sampleCount, "1");
    assert.equal(empty.sampleSum, -2, "protobuf keeps a negative sum");
    assert.equal(empty.quantile, undefined);

    const info = family(fams, "build_info");
    assert.equal(info.family.type, "GAUGE", "info goes as a gauge, as client_golang writes it");
    assert.deepEqual(labelsOf(info.family.metric[0]), { version: "1.2.3" });
    assert.deepEqual(info.family.metric[0].gauge, { value: 1 });

    const legacy = family(fams, "legacy");
    assert.equal(legacy.family.type, "UNTYPED");
    assert.deepEqual(legacy.family.metric[0].untyped, { value: 7 });
    assert.deepEqual(labelsOf(legacy.family.metric[0]), { k: "v" });
  },
);

test(
  "the protobuf exposition writes a family of 5,000 series (lengths past one byte) that Go reads whole",
  {
    skip: needs("go"),
  },
  async () => {
    const registry = new Registry();
    const g = new Gauge({ name: "wide", help: "h".repeat(300), labelNames: ["id"], registry });
    for (let i = 0; i < 5000; i++) g.set({ id: "x".repeat(i % 200) + i }, i);
    const body = await new Response(await registry.stream({ format: protobufFormat }))
      .arrayBuffer();
    const [wide] = goDecode(new Uint8Array(body));
    assert.equal(wide.family.help, "h".repeat(300));
    assert.equal(wide.family.metric.length, 5000);
    // Every series once with its own value (on Bun a level past 64 label values
    // lists the integer-like ones, "0" to "199" here, first).
    const got = new Map(
      wide.family.metric.map((m) => [labelsOf(m).id, (m.gauge as { value?: number }).value ?? 0]),
    );
    assert.equal(got.size, 5000);
    for (let i = 0; i < 5000; i++) assert.equal(got.get("x".repeat(i % 200) + i), i);
  },
);

test("the handler serves text to a client that ranks protobuf below text, and no protobuf when turned off", async () => {
  const { registry } = populated();
  const on = createMetricsHandler({ registry, formats: [protobufFormat] });
  const low = await on(
    new Request("http://localhost/metrics", {
      headers: {
        accept:
          "text/plain;version=0.0.4;q=0.9,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5",
      },
    }),
  );
  assert.match(low.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  await low.body?.cancel();
  // A metric naming protobuf (as a native histogram does) puts it in registry.formats.
  registry.register({
    name: "needs_protobuf",
    reservedNames: ["needs_protobuf"],
    formats: [protobufFormat],
    collect: () => ({ name: "needs_protobuf", help: "N.", type: "gauge", series: [] }),
  });
  assert.deepEqual(registry.formats, [protobufFormat]);
  const off = createMetricsHandler({ registry, protobuf: false });
  const res = await off(
    new Request("http://localhost/metrics", { headers: { accept: PROMETHEUS_NATIVE_ACCEPT } }),
  );
  assert.match(res.headers.get("content-type")!, /^application\/openmetrics-text; version=1\.0\.0/);
  assert.match(await res.text(), /# EOF\n$/);
});

test("createMetricsHandler() rejects a format in formats that its openMetrics or protobuf flag turns off", () => {
  assert.throws(
    () => createMetricsHandler({ formats: [protobufFormat], protobuf: false }),
    {
      name: "TypeError",
      message:
        "createMetricsHandler(): formats lists the protobuf format, which protobuf: false turns off; drop one of the two",
    },
  );
  assert.throws(
    () => createMetricsHandler({ formats: [openMetricsFormat], openMetrics: false }),
    {
      name: "TypeError",
      message: /formats lists the openmetrics format, which openMetrics: false/,
    },
  );
  // Either flag alone, or a flag that does not touch the listed format, is fine.
  createMetricsHandler({ formats: [protobufFormat], openMetrics: false });
  createMetricsHandler({ protobuf: false, openMetrics: false });
});

test("createMetricsHandler() rejects formats that are not Formats, naming the option", () => {
  for (const bad of [protobufFormat, [{}], ["protobuf"], [null]]) {
    assert.throws(() => createMetricsHandler({ formats: bad as never }), {
      name: "TypeError",
      message:
        /createMetricsHandler\(\): formats must be an array of Formats such as \[protobufFormat\]/,
    });
  }
});

test("createMetricsHandler() rejects a formats array with a hole or a half-made Format, naming the index", () => {
  const holed = new Array(2);
  holed[0] = protobufFormat;
  const cases: [unknown, string][] = [
    [holed, "formats[1]"],
    [[{ writer: () => ({}) }], "formats[0]"],
    [[protobufFormat, { ...protobufFormat, accepts: undefined }], "formats[1]"],
  ];
  for (const [bad, where] of cases) {
    assert.throws(() => createMetricsHandler({ formats: bad as never }), (e: Error) => {
      assert.equal(e.name, "TypeError");
      assert.match(e.message, /^createMetricsHandler\(\): formats must be an array of Formats/);
      assert.ok(e.message.includes(where), e.message);
      return true;
    });
  }
});

test("createMetricsHandler() serves a registry without formats (another copy's) and still offers its formats option", async () => {
  const { registry } = populated();
  const older = new Proxy(registry, {
    get(t, k) {
      if (k === "formats") return undefined;
      const v = Reflect.get(t, k, t);
      return typeof v === "function" ? v.bind(t) : v;
    },
  });
  const res = await createMetricsHandler({ registry: older, formats: [protobufFormat] })(
    new Request("http://localhost/metrics", { headers: { accept: PROMETHEUS_NATIVE_ACCEPT } }),
  );
  assert.equal(res.headers.get("content-type"), PROTOBUF_CONTENT_TYPE);
  await res.body?.cancel();
});
