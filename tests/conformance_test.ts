// Our pages, checked by the reference tools: promtool (text 0.0.4) and the
// Python client's parsers (strict for OpenMetrics).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Counter, Gauge, Histogram, Info, openMetricsFormat, Registry, Summary } from "../mod.ts";
import { needs, promtool, pyParse, sampleValue } from "./_tools.ts";

const NASTY = ["back\\slash", 'quote"d', "new\nline", "tab\there", "ünïcødé ✓ 日本 🚀", "", "{}=,"];

function page() {
  const registry = new Registry();
  const c = new Counter({
    name: "http_requests_total",
    help: 'Requests with \\ backslash, "quotes" and a\nnewline; ünïcødé',
    labelNames: ["path", "code"],
    registry,
  });
  NASTY.forEach((v, i) => c.inc({ path: v, code: 200 + i }, i + 1));
  const g = new Gauge({ name: "temperature_celsius", help: "T.", labelNames: ["k"], registry });
  g.set({ k: "nan" }, NaN);
  g.set({ k: "inf" }, Infinity);
  g.set({ k: "-inf" }, -Infinity);
  g.set({ k: "tiny" }, 1e-300);
  g.set({ k: "huge" }, 1.5e300);
  g.set({ k: "neg" }, -0.25);
  const h = new Histogram({
    name: "request_duration_seconds",
    help: "Latency.",
    labelNames: ["path"],
    buckets: [0.001, 0.5, 1, 1e6],
    unit: "seconds",
    registry,
  });
  h.observe({ path: "new\nline" }, 0.3);
  h.observe({ path: "new\nline" }, 2e6);
  h.observe({ path: "/" }, 1);
  const s = new Summary({ name: "payload_bytes", help: "Sizes.", registry, unit: "bytes" });
  for (let i = 1; i <= 1000; i++) s.observe(i);
  new Summary({ name: "empty_seconds", help: "No observations yet.", registry });
  new Info({ name: "build", help: "Build.", labelNames: ["version"], registry }).set({
    version: "1.0-ß",
  });
  new Counter({ name: "unlabelled_total", help: "No labels.", registry }).inc(1e21);
  return registry;
}

test("the text page passes promtool check metrics", { skip: needs("promtool") }, async () => {
  const text = await page().metrics();
  assert.ok(text.endsWith("\n"));
  const r = promtool(text);
  assert.equal(r.code, 0, r.output);
});

test("the text page parses back to the same values, labels and help", {
  skip: needs("python"),
}, async () => {
  const fams = pyParse(await page().metrics());
  NASTY.forEach((v, i) => {
    assert.equal(
      sampleValue(fams, "http_requests_total", { path: v, code: String(200 + i) }),
      i + 1,
      JSON.stringify(v),
    );
  });
  const help = fams.find((f) => f.name === "http_requests")!.help;
  assert.equal(help, 'Requests with \\ backslash, "quotes" and a\nnewline; ünïcødé');
  assert.equal(sampleValue(fams, "temperature_celsius", { k: "nan" }), "NaN");
  assert.equal(sampleValue(fams, "temperature_celsius", { k: "inf" }), "+Inf");
  assert.equal(sampleValue(fams, "temperature_celsius", { k: "-inf" }), "-Inf");
  assert.equal(sampleValue(fams, "temperature_celsius", { k: "tiny" }), 1e-300);
  assert.equal(sampleValue(fams, "temperature_celsius", { k: "huge" }), 1.5e300);
  assert.equal(sampleValue(fams, "unlabelled_total"), 1e21);
  assert.equal(
    sampleValue(fams, "request_duration_seconds_bucket", { path: "new\nline", le: "1.0" }),
    1,
  );
  assert.equal(
    sampleValue(fams, "request_duration_seconds_bucket", { path: "new\nline", le: "+Inf" }),
    2,
  );
  assert.equal(sampleValue(fams, "build_info", { version: "1.0-ß" }), 1);
});

test("the OpenMetrics page passes the strict parser with the same values", {
  skip: needs("python"),
}, async () => {
  const om = await page().metrics({ format: openMetricsFormat, createdTimestamps: true });
  assert.ok(om.endsWith("# EOF\n"));
  const fams = pyParse(om, true);
  const byName = Object.fromEntries(fams.map((f) => [f.name, f]));
  assert.equal(byName.http_requests.type, "counter");
  assert.equal(
    byName.http_requests.help,
    'Requests with \\ backslash, "quotes" and a\nnewline; ünïcødé',
  );
  assert.equal(byName.request_duration_seconds.unit, "seconds");
  assert.equal(byName.payload_bytes.unit, "bytes");
  assert.equal(byName.build.type, "info");
  NASTY.forEach((v, i) => {
    assert.equal(
      sampleValue(fams, "http_requests_total", { path: v, code: String(200 + i) }),
      i + 1,
    );
    const created = sampleValue(fams, "http_requests_created", { path: v, code: String(200 + i) });
    assert.ok(Math.abs(Number(created) - Date.now() / 1000) < 60, `created ${created}`);
  });
  assert.equal(sampleValue(fams, "request_duration_seconds_bucket", { path: "/", le: "1.0" }), 1);
  assert.equal(sampleValue(fams, "request_duration_seconds_bucket", { path: "/", le: "1e+06" }), 1);
  assert.equal(sampleValue(fams, "empty_seconds", { quantile: "0.5" }), "NaN");
  const p50 = Number(sampleValue(fams, "payload_bytes", { quantile: "0.5" }));
  assert.ok(Math.abs(p50 - 500) <= 5, `p50 ${p50}`);
});

test("le and quantile labels are written in canonical float form", async () => {
  const registry = new Registry();
  new Histogram({
    name: "h",
    help: "h",
    buckets: [0.5, 1, 10, 1e-5, 1e21].sort((a, b) => a - b),
    registry,
  });
  const text = await registry.metrics({ format: openMetricsFormat });
  const les = [...text.matchAll(/le="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(les, ["1e-05", "0.5", "1.0", "10.0", "1e+21", "+Inf"]);
});

test("bounds follow Go's shortest %g form, as the OpenMetrics examples do", async () => {
  const { formatBound } = await import("../src/exposition/_escape.ts");
  const cases: [number, string][] = [
    [0, "0.0"],
    [0.001, "0.001"],
    [0.0001, "0.0001"],
    [1e-5, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [1, "1.0"],
    [100000, "100000.0"],
    [1e6, "1e+06"],
    [1234567, "1.234567e+06"],
    [1e21, "1e+21"],
    [1e100, "1e+100"],
    [-2.5, "-2.5"],
    [-1e6, "-1e+06"],
    [Infinity, "+Inf"],
  ];
  for (const [v, want] of cases) assert.equal(formatBound(v), want, String(v));
});

test("OpenMetrics leaves out negative sums and quantiles, and _sum beside negative buckets", {
  skip: needs("python"),
}, async () => {
  const registry = new Registry();
  const temp = new Histogram({ name: "temp_celsius", help: "h", buckets: [-10, 0, 10], registry });
  temp.observe(-15);
  temp.observe(5);
  const drift = new Histogram({ name: "drift_seconds", help: "h", buckets: [1], registry });
  drift.observe(-3);
  const delta = new Summary({ name: "delta", help: "h", percentiles: [0.5], registry });
  delta.observe(-2);
  const om = await registry.metrics({ format: openMetricsFormat });
  const fams = pyParse(om, true);
  assert.equal(sampleValue(fams, "temp_celsius_sum"), undefined);
  assert.equal(sampleValue(fams, "temp_celsius_bucket", { le: "+Inf" }), 2);
  assert.equal(sampleValue(fams, "temp_celsius_bucket", { le: "-10.0" }), 1);
  assert.equal(sampleValue(fams, "drift_seconds_sum"), undefined);
  assert.equal(sampleValue(fams, "delta_sum"), undefined);
  assert.equal(sampleValue(fams, "delta", { quantile: "0.5" }), undefined, "no negative quantile");
  assert.equal(sampleValue(fams, "delta_count"), undefined, "_count goes with _sum");
  const text = await registry.metrics();
  assert.match(text, /^temp_celsius_sum -10$/m, "text 0.0.4 keeps every sum");
  assert.match(text, /^delta_sum -2$/m);
  assert.match(text, /^delta\{quantile="0.5"\} -2$/m);
  assert.equal(promtool(text).code, 0, promtool(text).output);
});

test("Registry.metrics() writes OpenMetrics _created samples only with createdTimestamps", {
  skip: needs("python"),
}, async () => {
  const registry = page();
  const plain = pyParse(await registry.metrics({ format: openMetricsFormat }), true);
  const samples = plain.flatMap((f) => f.samples.map((s) => s.name));
  assert.ok(samples.includes("http_requests_total"));
  assert.deepEqual(samples.filter((n) => n.endsWith("_created")), []);
  const withCreated = pyParse(
    await registry.metrics({ format: openMetricsFormat, createdTimestamps: true }),
    true,
  );
  const created = withCreated.flatMap((f) => f.samples).filter((s) => s.name.endsWith("_created"));
  assert.ok(created.some((s) => s.name === "request_duration_seconds_created"));
  assert.ok(created.some((s) => s.name === "http_requests_created"));
  assert.doesNotMatch(await registry.metrics({ createdTimestamps: true }), /_created/);
});
