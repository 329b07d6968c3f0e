import { test } from "node:test";
import assert from "node:assert/strict";
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Info,
  openMetricsFormat,
  Registry,
  Summary,
} from "../mod.ts";
import { protobufFormat } from "../src/exposition/protobuf.ts";
import { Pushgateway } from "../src/push/pushgateway.ts";
import { goDecode, needs, promtool, pyParse } from "./_tools.ts";

function filled(): Registry {
  const registry = new Registry({ defaultLabels: { service: "api", region: 3 } });
  new Counter({ name: "jobs_total", help: "Jobs.", labelNames: ["q"], registry }).inc({ q: "a" });
  new Gauge({ name: "temp", help: "T.", registry }).set(5);
  new Gauge({ name: "own", help: "Own region.", labelNames: ["region"], registry })
    .set({ region: "eu" }, 1);
  new Histogram({ name: "lat", help: "L.", buckets: [1], labelNames: ["r"], registry })
    .observe({ r: "/" }, 0.5);
  new Summary({ name: "sz", help: "S.", percentiles: [0.5], registry }).observe(2);
  new Info({ name: "build", help: "B.", labelNames: ["v"], registry }).set({ v: "1" });
  registry.registerCollector(() => [{
    name: "queue",
    help: "Q.",
    type: "gauge",
    samples: [{ labels: { service: "mail" }, value: 7 }, { value: 1 }],
  }]);
  return registry;
}

test(
  "Registry defaultLabels: every series of every type gets them, in text 0.0.4 (promtool, Python parser)",
  {
    skip: needs("promtool", "python"),
  },
  async () => {
    const text = await filled().metrics();
    assert.equal(promtool(text).code, 0, promtool(text).output);
    const fams = pyParse(text);
    const samples = fams.flatMap((f) => f.samples.map((s) => ({ f: f.name, ...s })));
    assert.ok(samples.length > 10);
    for (const s of samples) {
      if (s.f === "queue" && s.labels.service === "mail") continue;
      assert.equal(s.labels.service, "api", `${s.name} ${JSON.stringify(s.labels)}`);
    }
    const own = samples.find((s) => s.name === "own")!;
    assert.equal(own.labels.region, "eu", "a metric's own label of the same name wins");
    const jobs = samples.find((s) => s.name === "jobs_total")!;
    assert.deepEqual(jobs.labels, { q: "a", service: "api", region: "3" });
    const queued = samples.filter((s) => s.f === "queue").map((s) => s.labels.service).sort();
    assert.deepEqual(queued, ["api", "mail"], "a collector's own label of the same name wins");
    assert.ok(samples.some((s) => s.name === "lat_bucket" && s.labels.le === "1.0"));
  },
);

test("Registry defaultLabels: OpenMetrics (strict parser) and protobuf (Go decoder) carry them", {
  skip: needs("python", "go"),
}, async () => {
  const registry = filled();
  const om = pyParse(await registry.metrics({ format: openMetricsFormat }), true);
  for (const f of om) {
    for (const s of f.samples) {
      if (f.name !== "queue") assert.equal(s.labels.service, "api", s.name);
    }
  }
  const body = new Uint8Array(
    await new Response(await registry.stream({ format: protobufFormat })).arrayBuffer(),
  );
  const decoded = goDecode(body);
  const lat = decoded.find((d) => d.family.name === "lat")!;
  const pairs = (lat.family.metric[0] as { label: { name: string; value: string }[] }).label;
  assert.deepEqual(
    pairs.map((p) => `${p.name}=${p.value}`).sort(),
    ["r=/", "region=3", "service=api"],
  );
});

test("Registry.collect() snapshots carry the default labels; setDefaultLabels({}) removes them", async () => {
  const registry = filled();
  const [jobs] = await registry.collect({ names: ["jobs_total"] });
  assert.deepEqual(jobs.series[0].labels, { q: "a", service: "api", region: "3" });
  assert.deepEqual(registry.defaultLabels, { service: "api", region: "3" });
  registry.setDefaultLabels({});
  const [bare] = await registry.collect({ names: ["jobs_total"] });
  assert.deepEqual(bare.series[0].labels, { q: "a" });
  assert.equal(
    await registry.metrics({ names: ["temp"] }),
    "# HELP temp T.\n# TYPE temp gauge\ntemp 5\n",
  );
});

test("Registry.setDefaultLabels() rejects bad names and values, naming them", () => {
  const r = new Registry();
  assert.throws(() => r.setDefaultLabels({ "bad-name": "x" }), /invalid label name "bad-name"/);
  assert.throws(() => r.setDefaultLabels({ le: "x" }), /"le" would clash/);
  assert.throws(
    () => r.setDefaultLabels({ ok: true as unknown as string }),
    /"ok" must be a string/,
  );
  assert.throws(() => r.setDefaultLabels(null as never), /takes an object/);
});

test("Registry.setDefaultLabels() rejects a lone surrogate (no U+FFFD on the page), keeps the old labels", async () => {
  const r = new Registry({ defaultLabels: { service: "api" } });
  new Counter({ name: "jobs_total", help: "Jobs.", registry: r }).inc();
  assert.throws(
    () => r.setDefaultLabels({ service: "a\uD800" }),
    /default label "service".*lone UTF-16 surrogate/,
  );
  assert.deepEqual(r.defaultLabels, { service: "api" });
  assert.match(await r.metrics(), /^jobs_total\{service="api"\} 1$/m);
});

test("Registry.collect() snapshots serialise to JSON with plain arrays (the registry as JSON)", async () => {
  const registry = filled();
  const json = JSON.parse(JSON.stringify(await registry.collect()));
  const lat = json.find((f: { name: string }) => f.name === "lat");
  assert.deepEqual(lat.series[0].counts, [1, 0]);
  assert.deepEqual(lat.buckets, [1]);
  const sz = json.find((f: { name: string }) => f.name === "sz");
  assert.deepEqual(sz.series[0].quantiles, [2]);
  assert.equal(sz.series[0].labels.service, "api");
});

test("Counter.snapshot() and Histogram.snapshot() read the series with their labels, without a registry", () => {
  const c = new Counter({ name: "snap_total", help: "h", labelNames: ["a"], registry: null });
  c.inc({ a: "x" }, 2);
  const snap = c.snapshot();
  assert.equal(snap.type, "counter");
  assert.deepEqual(snap.series.map((s) => [s.labels, s.value]), [[{ a: "x" }, 2]]);
  c.inc({ a: "x" });
  assert.equal(snap.series[0].value, 2, "a snapshot is detached from the live metric");
  const h = new Histogram({ name: "snap_h", help: "h", buckets: [1, 2], registry: null });
  h.observe(1.5);
  assert.deepEqual(Array.from(h.snapshot().series[0].counts), [0, 1, 0]);
});

test("Histogram.zero() and Counter.zero() export a series at 0 before its first update and keep an existing one", async () => {
  const registry = new Registry();
  const h = new Histogram({ name: "z_h", help: "h", labelNames: ["m"], buckets: [1], registry });
  const c = new Counter({ name: "z_total", help: "h", labelNames: ["m"], registry });
  h.zero({ m: "POST" });
  c.zero({ m: "POST" });
  assert.match(await registry.metrics(), /z_h_count\{m="POST"\} 0\n/);
  assert.match(await registry.metrics(), /z_total\{m="POST"\} 0\n/);
  c.inc({ m: "POST" }, 3);
  c.zero({ m: "POST" });
  assert.equal(c.get({ m: "POST" }), 3);
  assert.throws(() => h.zero({ x: "1" } as never), /has no label "x"/);
});

test("metric constructors reject an unknown option with a TypeError naming the one to use", () => {
  const r = new Registry();
  assert.throws(
    () => new Counter({ name: "o_total", help: "h", registers: [r] } as never),
    (e: unknown) =>
      e instanceof TypeError && /Counter "o_total": unknown option "registers"; use `registry: r`/
        .test(e.message),
  );
  assert.equal(r.getAll().length, 0);
  assert.throws(
    () => new Gauge({ name: "o", help: "h", register: r } as never),
    /Gauge "o": unknown option "register"; use `registry: r`/,
  );
  assert.throws(
    () => new Histogram({ name: "o", help: "h", bucket: [1] } as never),
    /Histogram "o": unknown option "bucket"; did you mean "buckets"\?/,
  );
  assert.throws(
    () => new Summary({ name: "o", help: "h", labelnames: ["a"] } as never),
    /unknown option "labelnames"; did you mean "labelNames"\?/,
  );
  assert.throws(() => new Registry({ timeout: 1 } as never), /Registry: unknown option "timeout"/);
  assert.throws(
    () => collectDefaultMetrics({ register: r } as never),
    /collectDefaultMetrics\(\): unknown option "register"/,
  );
  assert.throws(
    () => new Pushgateway("http://127.0.0.1:9091", { registers: [r] } as never),
    /Pushgateway: unknown option "registers"/,
  );
  // An option left undefined changes nothing and passes.
  new Counter({ name: "o_total", help: "h", registry: r, unit: undefined });
});
