// The ./prom-client entry, checked against prom-client 15's documented API
// (its README and index.d.ts): the shapes code written for prom-client reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import client, {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  exponentialBuckets,
  Gauge,
  Histogram,
  linearBuckets,
  Metric,
  openMetricsContentType,
  prometheusContentType,
  register,
  Registry,
  Summary,
  validateMetricName,
} from "../src/compat/prom-client.ts";
import real from "prom-client";
import { Counter as CoreCounter, Registry as CoreRegistry } from "../mod.ts";
import { bundlePromClientCjs, needs, promtool, pyParse } from "./_tools.ts";

test("prom-client entry: the default export holds the named exports", () => {
  assert.equal(client.Counter, Counter);
  assert.equal(client.register, register);
  assert.equal(client.Registry, Registry);
  assert.equal(client.contentType, register.contentType);
  assert.equal(prometheusContentType, "text/plain; version=0.0.4; charset=utf-8");
  assert.equal(
    openMetricsContentType,
    "application/openmetrics-text; version=1.0.0; charset=utf-8",
  );
  assert.equal(Registry.PROMETHEUS_CONTENT_TYPE, prometheusContentType);
  assert.equal(Registry.OPENMETRICS_CONTENT_TYPE, openMetricsContentType);
  assert.deepEqual(linearBuckets(0, 10, 3), [0, 10, 20]);
  assert.deepEqual(exponentialBuckets(1, 2, 3), [1, 2, 4]);
  assert.equal(validateMetricName("a_b:c"), true);
  assert.equal(validateMetricName("no valid"), false);
});

test("Counter({ registers: [reg] }) lands in that registry only; registers: [] in none", async () => {
  const reg = new Registry();
  const c = new Counter({ name: "pc_reg_total", help: "h", registers: [reg] });
  c.inc();
  assert.equal(reg.getSingleMetric("pc_reg_total"), c);
  assert.equal(register.getSingleMetric("pc_reg_total"), undefined);
  const none = new Counter({ name: "pc_none_total", help: "h", registers: [] });
  none.inc(2);
  assert.equal(register.getSingleMetric("pc_none_total"), undefined);
  assert.equal((await none.get()).values[0].value, 2);
  const def = new Gauge({ name: "pc_default_g", help: "h" });
  assert.equal(register.getSingleMetric("pc_default_g"), def);
  register.removeSingleMetric("pc_default_g");
});

test("Counter.get() resolves to { name, help, type, values: [{ labels, value }], aggregator }", async () => {
  const reg = new Registry();
  const c = new Counter({
    name: "pc_get_total",
    help: "Help.",
    labelNames: ["method", "code"],
    registers: [reg],
  });
  c.inc({ method: "GET", code: 200 });
  c.labels("POST", "201").inc(3);
  assert.deepEqual(await c.get(), {
    name: "pc_get_total",
    help: "Help.",
    type: "counter",
    aggregator: "sum",
    values: [
      { labels: { method: "GET", code: "200" }, value: 1 },
      { labels: { method: "POST", code: "201" }, value: 3 },
    ],
  });
  assert.ok(new Gauge({ name: "pc_is_metric", help: "h", registers: [] }) instanceof Metric);
});

test("Histogram.get() lists cumulative buckets (numeric le, '+Inf'), then _sum and _count with metricName", async () => {
  const h = new Histogram({
    name: "pc_h",
    help: "h",
    labelNames: ["r"],
    buckets: [1, 5],
    registers: [],
  });
  h.observe({ r: "/" }, 3);
  h.labels("/").observe(0.5);
  const { values, type } = await h.get();
  assert.equal(type, "histogram");
  assert.deepEqual(values, [
    { labels: { le: 1, r: "/" }, value: 1, metricName: "pc_h_bucket", exemplar: null },
    { labels: { le: 5, r: "/" }, value: 2, metricName: "pc_h_bucket", exemplar: null },
    { labels: { le: "+Inf", r: "/" }, value: 2, metricName: "pc_h_bucket", exemplar: null },
    { labels: { r: "/" }, value: 3.5, metricName: "pc_h_sum" },
    { labels: { r: "/" }, value: 2, metricName: "pc_h_count" },
  ]);
  h.zero({ r: "/x" });
  const zeroed = (await h.get()).values.filter((v) => v.labels.r === "/x");
  assert.equal(zeroed.length, 5);
  assert.ok(zeroed.every((v) => v.value === 0));
});

test("Summary.get() lists quantiles (numeric quantile label), then _sum and _count", async () => {
  const s = new Summary({ name: "pc_s", help: "h", percentiles: [0.5, 0.9], registers: [] });
  for (const v of [1, 2, 3, 4, 5]) s.observe(v);
  const { values } = await s.get();
  assert.deepEqual(values.map((v) => [v.labels.quantile, v.metricName]), [
    [0.5, undefined],
    [0.9, undefined],
    [undefined, "pc_s_sum"],
    [undefined, "pc_s_count"],
  ]);
  assert.ok(Math.abs(values[0].value - 3) <= 0.03);
  assert.equal(values[2].value, 15);
  assert.equal(values[3].value, 5);
});

test("Gauge: children have startTimer() and setToCurrentTime(), read through the global clocks", async () => {
  const g = new Gauge({ name: "pc_g", help: "h", labelNames: ["code"], registers: [] });
  const realNow = Date.now;
  const realPerf = performance.now;
  try {
    Date.now = () => 1_700_000_000_000;
    let t = 1000;
    performance.now = () => t;
    g.labels("200").setToCurrentTime();
    assert.equal((await g.get()).values[0].value, 1_700_000_000);
    const end = g.labels({ code: "201" }).startTimer();
    t += 1500;
    assert.equal(end(), 1.5);
    const done = g.startTimer({ code: "202" });
    t += 250;
    done();
    const byCode = Object.fromEntries((await g.get()).values.map((v) => [v.labels.code, v.value]));
    assert.deepEqual(byCode, { "200": 1_700_000_000, "201": 1.5, "202": 0.25 });
  } finally {
    Date.now = realNow;
    performance.now = realPerf;
  }
});

test("Histogram.startTimer() merges start and end labels and observes the elapsed seconds", async () => {
  const h = new Histogram({
    name: "pc_timer",
    help: "h",
    labelNames: ["method", "ok"],
    buckets: [1],
    registers: [],
  });
  const realPerf = performance.now;
  let t = 0;
  performance.now = () => t;
  try {
    const start = { method: "GET" };
    const end = h.startTimer(start);
    t = 500;
    assert.equal(end({ ok: "yes" }), 0.5);
    assert.deepEqual(start, { method: "GET" }, "the start labels are not changed");
  } finally {
    performance.now = realPerf;
  }
  const sum = (await h.get()).values.find((v) => v.metricName === "pc_timer_sum")!;
  assert.deepEqual(sum.labels, { method: "GET", ok: "yes" });
  assert.equal(sum.value, 0.5);
});

test("partial label sets, boolean values and inc() without labels are accepted as prom-client does", async () => {
  const reg = new Registry();
  const c = new Counter({
    name: "pc_partial_total",
    help: "h",
    labelNames: ["a", "b"],
    registers: [reg],
  });
  c.inc({ a: "x" });
  c.inc({ a: true, b: 1 });
  c.inc();
  const values = (await c.get()).values;
  assert.deepEqual(values.map((v) => v.labels), [{ a: "x" }, { a: "true", b: "1" }, {}]);
  // Prometheus reads an empty label as no label: the page holds three distinct series.
  const text = await reg.metrics();
  assert.match(text, /pc_partial_total\{a="x",b=""\} 1\n/);
  assert.match(text, /pc_partial_total\{a="true",b="1"\} 1\n/);
});

test("label sets that prom-client's key join merges stay apart here", async () => {
  const c = new Counter({
    name: "pc_join_total",
    help: "h",
    labelNames: ["a", "b"],
    registers: [],
  });
  c.inc({ a: "p,b:q" });
  c.inc({ a: "p", b: "q" });
  assert.equal((await c.get()).values.length, 2);
});

test("prom-client's error texts: invalid names, unknown labels, wrong label count, bad values", () => {
  assert.throws(() => new Gauge({ name: "no valid", help: "h" }), {
    message: "Invalid metric name: no valid",
  });
  assert.throws(() => new Gauge({ name: "g", help: "h", labelNames: ["no valid", "ok"] }), {
    message: "Invalid label name: no valid",
  });
  const c = new Counter({ name: "pc_err_total", help: "h", labelNames: ["m", "e"], registers: [] });
  assert.throws(() => c.labels("GET"), {
    message: 'Invalid number of arguments (1): "GET" for label names (2): "m, e".',
  });
  assert.throws(() => c.inc({ x: "1" }), {
    message: `Added label "x" is not included in initial labelset: [ 'm', 'e' ]`,
  });
  assert.throws(() => c.inc({ m: "a" }, -1), {
    message: "It is not possible to decrease a counter",
  });
  assert.throws(() => c.inc("3ms" as never), { message: "Value is not a valid number: 3ms" });
  assert.throws(() => new Histogram({ name: "h", help: "h", labelNames: ["le"] }), {
    message: "le is a reserved label keyword",
  });
  assert.equal(c.get !== undefined, true);
});

test("registerMetric() takes a plain { name, get() } object and writes it", async () => {
  const reg = new Registry();
  const plain = {
    name: "pc_plain",
    get: () =>
      Promise.resolve({
        name: "pc_plain",
        help: "A plain object.",
        type: "gauge",
        values: [{ value: 5, labels: { a: "1" } }, { value: 6, labels: { a: "2" } }],
      }),
  };
  reg.registerMetric(plain);
  assert.equal(reg.getSingleMetric("pc_plain"), plain);
  assert.equal(
    await reg.metrics(),
    '# HELP pc_plain A plain object.\n# TYPE pc_plain gauge\npc_plain{a="1"} 5\npc_plain{a="2"} 6\n',
  );
  assert.throws(() => reg.registerMetric({ ...plain }), {
    message: "A metric with the name pc_plain has already been registered.",
  });
});

test("Registry: setDefaultLabels, getMetricsAsJSON, getMetricsAsArray, getSingleMetricAsString, resetMetrics, clear", async () => {
  const reg = new Registry();
  reg.setDefaultLabels({ env: "dev" });
  const c = new Counter({ name: "pc_r_total", help: "h", labelNames: ["type"], registers: [reg] });
  const g = new Gauge({ name: "pc_r_g", help: "h", registers: [reg] });
  c.labels("t").inc();
  g.set(4);
  const json = await reg.getMetricsAsJSON();
  assert.deepEqual(json.find((m) => m.name === "pc_r_total")!.values, [
    { labels: { type: "t", env: "dev" }, value: 1 },
  ]);
  assert.deepEqual(reg.getMetricsAsArray(), [g, c]);
  assert.equal(
    await reg.getSingleMetricAsString("pc_r_g"),
    '# HELP pc_r_g h\n# TYPE pc_r_g gauge\npc_r_g{env="dev"} 4\n',
  );
  reg.resetMetrics();
  assert.deepEqual((await c.get()).values, []);
  assert.equal((await g.get()).values[0].value, 0);
  reg.clear();
  assert.equal(await reg.metrics(), "");
  assert.deepEqual(reg.defaultLabels, {});
});

test("Registry content type: new Registry(type), setContentType, OpenMetrics page, merge", async () => {
  assert.throws(() => new Registry("text/html"), {
    message: "Content type text/html is unsupported",
  });
  const om = new Registry(openMetricsContentType);
  new Counter({ name: "pc_om", help: "h", registers: [om] }).inc();
  assert.equal(om.contentType, openMetricsContentType);
  assert.equal(await om.metrics(), "# TYPE pc_om counter\n# HELP pc_om h\npc_om_total 1\n# EOF\n");
  om.setContentType(prometheusContentType);
  assert.equal(await om.metrics(), "# HELP pc_om h\n# TYPE pc_om counter\npc_om 1\n");
  const other = new Registry();
  new Gauge({ name: "pc_other", help: "h", registers: [other] });
  const merged = Registry.merge([om, other]);
  assert.deepEqual((await merged.getMetricsAsJSON()).map((m) => m.name), ["pc_om", "pc_other"]);
  assert.throws(() => Registry.merge([om, new Registry(openMetricsContentType)]), {
    message: "Registers can only be merged if they have the same content type",
  });
});

test("collect() runs with the metric as `this` before each read and scrape", async () => {
  const reg = new Registry();
  let calls = 0;
  const g = new Gauge({
    name: "pc_collect",
    help: "h",
    registers: [reg],
    collect() {
      calls++;
      this.set(42);
    },
  });
  assert.equal((await g.get()).values[0].value, 42);
  assert.match(await reg.metrics(), /pc_collect 42\n/);
  assert.equal(calls, 2);
});

test("enableExemplars: inc({ labels, value, exemplarLabels }) and observe({ ... }) keep the value and the exemplar", async () => {
  const reg = new Registry(openMetricsContentType);
  const c = new Counter({
    name: "pc_ex_total",
    help: "h",
    labelNames: ["m"],
    enableExemplars: true,
    registers: [reg],
  });
  c.inc({ labels: { m: "get" }, value: 2, exemplarLabels: { traceId: "abc" } });
  c.inc({ labels: { m: "get" } });
  const [cv] = (await c.get()).values;
  assert.equal(cv.value, 3);
  assert.deepEqual((cv.exemplar as { labelSet: unknown }).labelSet, { traceId: "abc" });
  assert.equal((cv.exemplar as { value: number }).value, 2);
  const h = new Histogram({
    name: "pc_ex_h",
    help: "h",
    buckets: [1],
    enableExemplars: true,
    registers: [reg],
  });
  h.observe({ value: 0.5, exemplarLabels: { traceId: "abc" } });
  const [b1, inf] = (await h.get()).values;
  assert.equal(b1.value, 1);
  assert.deepEqual(b1.exemplar, {
    labelSet: { traceId: "abc" },
    value: 0.5,
    timestamp: (b1.exemplar as { timestamp: number }).timestamp,
  });
  assert.equal(inf.exemplar, null);
  const page = await reg.metrics();
  assert.match(page, /^pc_ex_total\{m="get"\} 3 # \{traceId="abc"\} 2 [0-9.]+$/m);
  assert.match(page, /^pc_ex_h_bucket\{le="1\.0"\} 1 # \{traceId="abc"\} 0\.5 [0-9.]+$/m);
  assert.throws(() => c.inc({ value: 1, exemplarLabels: { t: "x".repeat(200) } }), RangeError);
  assert.throws(
    () =>
      new Counter({
        name: "pc_ex2",
        help: "h",
        enableExemplars: true,
        registers: [new Registry()],
      }),
    { message: "Exemplars are supported only on OpenMetrics registries" },
  );
});

test("collectDefaultMetrics({ register, prefix, labels }) fills that registry only, labelled", async () => {
  const reg = new Registry();
  collectDefaultMetrics({ register: reg, prefix: "app_", labels: { pod: "p1" } });
  collectDefaultMetrics({ register: reg, prefix: "app_", labels: { pod: "p1" } }); // twice: no change
  const json = await reg.getMetricsAsJSON();
  assert.ok(json.length > 0);
  for (const m of json) {
    assert.ok(m.name.startsWith("app_"), m.name);
    for (const v of m.values) assert.equal(v.labels.pod, "p1");
  }
  assert.equal(register.getMetricsAsArray().length, 0, "the global registry starts empty");
});

test("AggregatorRegistry.clusterMetrics() in a process without workers gives no worker metrics", async () => {
  const inCluster = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
    .process?.getBuiltinModule?.("node:cluster") as { isPrimary?: boolean } | undefined;
  if (inCluster?.isPrimary) {
    const page = await new AggregatorRegistry().clusterMetrics();
    const samples = page.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    assert.ok(samples.every((l) => l.startsWith("promedge_aggregation_")), page);
  } else {await assert.rejects(
      new AggregatorRegistry().clusterMetrics(),
      /primary of a node:cluster/,
    );}
});

test("a core metric joins a prom-client registry, and the core's Registry rejects registers:", async () => {
  const reg = new Registry();
  new CoreCounter({ name: "pc_core_total", help: "h", registry: reg }).inc();
  assert.match(await reg.metrics(), /pc_core_total 1\n/);
  assert.throws(
    () => new CoreCounter({ name: "x_total", help: "h", registers: [reg] } as never),
    /unknown option "registers"; use `registry: r`/,
  );
  assert.ok(reg instanceof CoreRegistry);
});

test("the prom-client page passes promtool and the OpenMetrics page the strict parser", {
  skip: needs("promtool", "python"),
}, async () => {
  const reg = new Registry();
  reg.setDefaultLabels({ app: "a" });
  const c = new Counter({
    name: "pc_v_total",
    help: "h",
    labelNames: ["a", "b"],
    registers: [reg],
  });
  c.inc({ a: "x" });
  c.inc({ a: false, b: 2 });
  new Histogram({
    name: "pc_valid_latency_seconds",
    help: "h",
    labelNames: ["r"],
    registers: [reg],
  }).observe({}, 1);
  new Summary({ name: "pc_valid_size_bytes", help: "h", registers: [reg] }).observe(1);
  const text = await reg.metrics();
  assert.equal(promtool(text).code, 0, promtool(text).output);
  reg.setContentType(openMetricsContentType);
  assert.ok(pyParse(await reg.metrics(), true).length === 3);
});

test("the entry bundles to CommonJS (esbuild) and Node require()s it", {
  skip: typeof (globalThis as { Deno?: unknown }).Deno === "object" ||
    typeof (globalThis as { Bun?: unknown }).Bun === "object",
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "promedge-cjs-"));
  const out = join(dir, "prom-client.cjs");
  bundlePromClientCjs(out);
  writeFileSync(
    join(dir, "use.cjs"),
    `const { Counter, register, Registry } = require("./prom-client.cjs");
     const c = new Counter({ name: "cjs_total", help: "h", labelNames: ["a"] });
     c.inc({ a: "1" }, 2);
     register.metrics().then((t) => { process.stdout.write(t + Registry.PROMETHEUS_CONTENT_TYPE); });`,
  );
  const r = spawnSync(process.execPath, [join(dir, "use.cjs")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /cjs_total\{a="1"\} 2\ntext\/plain; version=0\.0\.4/);
});

test("AggregatorRegistry.clusterMetrics() merges two real node:cluster workers (CommonJS bundle)", {
  skip: typeof (globalThis as { Deno?: unknown }).Deno === "object" ||
    typeof (globalThis as { Bun?: unknown }).Bun === "object",
}, () => {
  const dir = mkdtempSync(join(tmpdir(), "promedge-cluster-"));
  const out = join(dir, "prom-client.cjs");
  bundlePromClientCjs(out);
  writeFileSync(
    join(dir, "app.cjs"),
    `const cluster = require("node:cluster");
     const client = require("./prom-client.cjs");
     if (cluster.isPrimary) {
       const agg = new client.AggregatorRegistry();
       let ready = 0;
       for (let i = 1; i <= 2; i++) cluster.fork({ N: String(i) }).on("message", async (m) => {
         if (m !== "ready" || ++ready < 2) return;
         process.stdout.write(await agg.clusterMetrics());
         for (const w of Object.values(cluster.workers)) w.kill();
       });
     } else {
       const c = new client.Counter({ name: "jobs_total", help: "Jobs.", labelNames: ["q"] });
       c.inc({ q: "mail" }, 10 * Number(process.env.N));
       new client.Histogram({ name: "lat_seconds", help: "L.", buckets: [1] }).observe(0.5);
       process.send("ready");
     }`,
  );
  const r = spawnSync(process.execPath, [join(dir, "app.cjs")], {
    encoding: "utf8",
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^jobs_total\{q="mail"\} 30$/m);
  assert.match(r.stdout, /^lat_seconds_count 2$/m);
});

test("Counter({ registers }) rejects what is not an array of registries, at the constructor", () => {
  const r = new Registry();
  assert.throws(
    () => new Counter({ name: "reg_a", help: "h", registers: [null as never] }),
    /Metric "reg_a": registers\[0\] is not a registry \(got null\)/,
  );
  assert.throws(
    () => new Counter({ name: "reg_b", help: "h", registers: [r, {} as never] }),
    /registers\[1\] is not a registry/,
  );
  assert.throws(
    () => new Counter({ name: "reg_c", help: "h", registers: r as never }),
    /registers must be an array of registries/,
  );
  // Checked before joining any: the first registry is left as it was.
  assert.equal(r.getSingleMetric("reg_b"), undefined);
});

test("Counter({ registers: [a, b] }) joins both or neither when b has the name taken", async () => {
  const a = new Registry();
  const b = new Registry();
  const taken = new Gauge({ name: "jobs", help: "Taken.", registers: [b] });
  assert.throws(
    () => new Counter({ name: "jobs", help: "Jobs.", registers: [a, a, b] }),
    /already been registered/,
  );
  assert.equal(a.getSingleMetric("jobs"), undefined);
  assert.equal(await a.metrics(), "");
  assert.equal(b.getSingleMetric("jobs"), taken);
  // The name is free in a again.
  new Counter({ name: "jobs", help: "Jobs.", registers: [a] }).inc(2);
  assert.match(await a.metrics(), /^jobs 2$/m);
});

test("Counter.inc() / Gauge.set() / labels() reject an object, array, symbol or function label value, recording nothing", async () => {
  const r = new Registry();
  const c = new Counter({ name: "objs", help: "h", labelNames: ["a"], registers: [r] });
  const g = new Gauge({ name: "objg", help: "h", labelNames: ["a"], registers: [r] });
  for (const v of [{}, [1, 2], Symbol("s"), () => 1]) {
    assert.throws(
      () => c.inc({ a: v }),
      /Metric "objs": label "a" must be a string, number or boolean/,
    );
    assert.throws(() => g.set({ a: v }, 1), /Metric "objg": label "a"/);
    assert.throws(() => c.labels({ a: v }).inc(), /label "a"/);
  }
  c.inc({ a: true });
  c.inc({ a: 1n as never });
  assert.deepEqual((await c.get()).values.map((v) => v.labels), [{ a: "true" }, { a: "1" }]);
  assert.deepEqual((await g.get()).values, []);
});

test("Counter.inc({ exemplarLabels }) rejects exemplar labels that are not an object, recording nothing", async () => {
  const r = new Registry(Registry.OPENMETRICS_CONTENT_TYPE);
  const c = new Counter({
    name: "exn",
    help: "h",
    labelNames: ["a"],
    registers: [r],
    enableExemplars: true,
  });
  const h = new Histogram({
    name: "exh",
    help: "h",
    buckets: [1],
    registers: [r],
    enableExemplars: true,
  });
  assert.throws(
    () => c.inc({ labels: { a: "x" }, value: 1, exemplarLabels: 5 as never }),
    /Counter "exn": exemplar labels must be an object/,
  );
  assert.throws(
    () => h.observe({ value: 1, exemplarLabels: "t" as never }),
    /Histogram "exh": exemplar labels must be an object/,
  );
  assert.deepEqual((await c.get()).values, []);
  assert.equal((await h.get()).values.find((v) => v.metricName === "exh_count")?.value, 0);
  // null and {} still mean "no exemplar".
  c.inc({ labels: { a: "x" }, value: 1, exemplarLabels: null as never });
  c.inc({ labels: { a: "x" }, value: 1, exemplarLabels: {} });
  assert.equal((await c.get()).values[0].value, 2);
});

test("collectDefaultMetrics({ labels }) rejects a bad label at the call, not at the next scrape", async () => {
  const r = new Registry();
  assert.throws(
    () => collectDefaultMetrics({ register: r, labels: { "bad-name": 1 } }),
    /collectDefaultMetrics\(\): invalid label name "bad-name"/,
  );
  assert.throws(
    () => collectDefaultMetrics({ register: r, labels: { svc: true as never } }),
    /label "svc" must be a string or a number/,
  );
  assert.throws(
    () => collectDefaultMetrics({ register: r, labels: { svc: "a\uD800" } }),
    /label "svc".*lone UTF-16 surrogate/,
  );
  assert.throws(
    () => collectDefaultMetrics({ register: r, prefix: "bad-prefix" }),
    /invalid prefix "bad-prefix"/,
  );
  assert.equal(await r.metrics(), ""); // nothing was installed
  collectDefaultMetrics({ register: r, labels: { svc: "api" } });
  assert.match(await r.metrics(), /^js_heap_used_bytes\{svc="api"\} \d+$/m);
});

test("collectDefaultMetrics({ labels }) never overwrites a default metric's own label (js_runtime_info's version)", async () => {
  const r = new Registry();
  collectDefaultMetrics({ register: r, labels: { version: "mine", svc: "api" } });
  const page = await r.metrics();
  const info = page.split("\n").find((l) => l.startsWith("js_runtime_info{"));
  assert.ok(info, page);
  assert.doesNotMatch(info, /version="mine"/);
  assert.match(info, /svc="api"/);
  assert.match(info, /version="\d/);
  assert.match(page, /^js_heap_used_bytes\{version="mine",svc="api"\} \d+$/m);
});

test("Registry.merge() keeps the default metrics, and refuses two registries that both have them", async () => {
  const a = new Registry();
  collectDefaultMetrics({ register: a, prefix: "a_" });
  new Counter({ name: "jobs", help: "Jobs.", registers: [a] }).inc();
  const b = new Registry();
  new Gauge({ name: "temp", help: "T.", registers: [b] }).set(3);
  const page = await Registry.merge([a, b]).metrics();
  assert.match(page, /^a_js_heap_used_bytes \d+$/m);
  assert.match(page, /^jobs 1$/m);
  assert.match(page, /^temp 3$/m);
  const c = new Registry();
  collectDefaultMetrics({ register: c, prefix: "a_" });
  assert.throws(() => Registry.merge([a, c]), /collector "default metrics".*"a_/);
});

test("collectDefaultMetrics() reserves its names: a metric of the same name is refused at creation", async () => {
  const r = new Registry();
  collectDefaultMetrics({ register: r });
  assert.throws(
    () => new Gauge({ name: "process_open_fds", help: "Mine.", registers: [r] }),
    /process_open_fds/,
  );
  assert.match(await r.metrics(), /^process_cpu_seconds_total \d/m); // the scrape still works
});

test("collectDefaultMetrics() again with other labels throws at the call, saying why; the first set stays", async () => {
  const r = new Registry();
  collectDefaultMetrics({ register: r, labels: { a: "1" } });
  collectDefaultMetrics({ register: r, labels: { a: "1" } }); // the same again: nothing changes
  assert.throws(
    () => collectDefaultMetrics({ register: r, labels: { a: "2" } }),
    /already has the default metrics, with other labels/,
  );
  const page = await r.metrics();
  assert.match(page, /^process_cpu_seconds_total\{a="1"\} \d/m);
  assert.doesNotMatch(page, /a="2"/);
  collectDefaultMetrics({ register: r, prefix: "b_", labels: { a: "2" } });
  assert.match(await r.metrics(), /^b_process_cpu_seconds_total\{a="2"\} \d/m);
});

/** What `fn` throws, as `Class: message`, or "ok". */
function outcome(fn: () => void): string {
  try {
    fn();
    return "ok";
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

test("Counter.inc() / Histogram.observe() / Summary.observe() check the labels before the value, as prom-client's do", () => {
  const make = (lib: typeof client | typeof real, names: string[]) => ({
    c: new lib.Counter({ name: "o_total", help: "h", labelNames: names, registers: [] }),
    h: new lib.Histogram({ name: "o_h", help: "h", labelNames: names, registers: [] }),
    s: new lib.Summary({ name: "o_s", help: "h", labelNames: names, registers: [] }),
  });
  for (const names of [[], ["m"]]) {
    const [ours, theirs] = [make(client, names), make(real, names)];
    const cases: [string, (m: ReturnType<typeof make>) => void][] = [
      ["inc({ bad }, NaN)", (m) => m.c.inc({ bad: 1 } as never, NaN)],
      ["inc({ bad }, -1)", (m) => m.c.inc({ bad: 1 } as never, -1)],
      ["inc({ bad }, 'x')", (m) => m.c.inc({ bad: 1 } as never, "x" as never)],
      ["inc({ labels, value })", (m) => m.c.inc({ labels: { m: "a" }, value: 2 } as never)],
      ["Histogram observe({ bad }, NaN)", (m) => m.h.observe({ bad: 1 } as never, NaN)],
      [
        "Histogram observe({ labels, value })",
        (m) => m.h.observe({ labels: {}, value: 2 } as never),
      ],
      ["Summary observe({ bad }, NaN)", (m) => m.s.observe({ bad: 1 } as never, NaN)],
      ["Summary observe({ labels, value })", (m) => m.s.observe({ labels: {}, value: 2 } as never)],
      ["Summary observe({}, NaN)", (m) => m.s.observe({}, NaN)],
    ];
    for (const [what, fn] of cases) {
      // prom-client's message, then (here) a hint for the exemplar form.
      assert.ok(
        outcome(() => fn(ours)).startsWith(outcome(() => fn(theirs as never))),
        `${what} with labelNames ${JSON.stringify(names)}: ${outcome(() => fn(ours))}`,
      );
    }
  }
});

test("exemplar forms and Gauge.inc()/dec() check the labels before the value and the exemplar, as prom-client's do", () => {
  const make = (lib: typeof client | typeof real) => ({
    c: new lib.Counter({
      name: "x_total",
      help: "h",
      labelNames: ["m"],
      enableExemplars: true,
      registers: [],
    }),
    h: new lib.Histogram({
      name: "x_h",
      help: "h",
      labelNames: ["m"],
      enableExemplars: true,
      registers: [],
    }),
    g: new lib.Gauge({ name: "x_g", help: "h", labelNames: ["m"], registers: [] }),
  });
  const [ours, theirs] = [make(client), make(real)];
  const ex = { trace_id: "t" };
  const cases: [string, (m: ReturnType<typeof make>) => void][] = [
    [
      "Counter { bad, value: 'x' }",
      (m) => m.c.inc({ labels: { b: 1 }, value: "x", exemplarLabels: ex } as never),
    ],
    [
      "Counter { bad, value: -1 }",
      (m) => m.c.inc({ labels: { b: 1 }, value: -1, exemplarLabels: ex } as never),
    ],
    [
      "Histogram { bad, value: 'x' }",
      (m) => m.h.observe({ labels: { b: 1 }, value: "x", exemplarLabels: ex } as never),
    ],
    ["Gauge inc({ bad }, NaN)", (m) => m.g.inc({ b: 1 } as never, NaN)],
    ["Gauge dec({ bad }, 'x')", (m) => m.g.dec({ b: 1 } as never, "x" as never)],
    ["Gauge dec({ bad }, NaN)", (m) => m.g.dec({ b: 1 } as never, NaN)],
  ];
  for (const [what, fn] of cases) {
    const theirsSays = outcome(() => fn(theirs as never));
    assert.match(theirsSays, /Added label "b"/, `${what}: prom-client names the label`);
    assert.ok(
      outcome(() => fn(ours)).startsWith(theirsSays),
      `${what}: ${outcome(() => fn(ours))}`,
    );
  }
});

test("Summary({ enableExemplars }) takes observe(labels, value) and keeps no exemplar; the exemplar form throws, as prom-client's does", async () => {
  const pages: string[] = [];
  for (const lib of [client, real] as const) {
    const reg = new lib.Registry(lib.openMetricsContentType as never);
    const s = new lib.Summary({
      name: "sx_seconds",
      help: "h",
      labelNames: ["m"],
      percentiles: [0.5],
      enableExemplars: true,
      registers: [reg as never],
    });
    s.observe({ m: "a" }, 2);
    s.labels("a").observe(2);
    (s.startTimer as (...a: unknown[]) => () => void)({ m: "b" }, { traceId: "t" })();
    const form = () =>
      s.observe({ labels: { m: "a" }, value: 2, exemplarLabels: { t: "x" } } as never);
    assert.match(
      outcome(form),
      /^Error: Added label "labels" is not included in initial labelset: \[ 'm' \]/,
    );
    if (lib === client) assert.match(outcome(form), /enableExemplars: true/, "the hint");
    pages.push(await reg.metrics());
  }
  const [ours, theirs] = pages.map((p) => pyParse(p, true));
  for (const fams of [ours, theirs]) {
    const f = fams.find((f) => f.name === "sx_seconds")!;
    assert.equal(
      f.samples.filter((x) => x.labels.m === "a" && x.name === "sx_seconds_count")[0].value,
      2,
    );
    assert.equal(
      f.samples.filter((x) => x.labels.m === "b" && x.name === "sx_seconds_count")[0].value,
      1,
    );
    assert.ok(f.samples.every((x) => x.exemplar === null));
  }
});

test("validateMetricName() and the name checks accept and refuse what prom-client's do, with its messages and the culprit", () => {
  const names = ["a", "a_b:c", ":a", "_a", "1a", "a-b", "a b", "", "é", "a\n", "__a"];
  for (const n of names) {
    assert.equal(validateMetricName(n), real.validateMetricName(n), JSON.stringify(n));
  }
  for (const n of names.filter((n) => n !== "" && n !== "__a")) {
    const label = (lib: typeof client | typeof real) => () =>
      new lib.Gauge({ name: "g", help: "h", labelNames: [n, "ok"], registers: [] });
    const [ours, theirs] = [outcome(label(client)), outcome(label(real))];
    assert.equal(ours, theirs === "ok" ? "ok" : `${theirs}: ${n}`, JSON.stringify(n));
    const metric = (lib: typeof client | typeof real) => () =>
      new lib.Gauge({ name: n, help: "h", registers: [] });
    const [om, tm] = [outcome(metric(client)), outcome(metric(real))];
    assert.equal(om, tm === "ok" ? "ok" : `${tm}: ${n}`, JSON.stringify(n));
  }
});
