// AggregatorRegistry.aggregate() and aggregators of the ./prom-client entry, judged by prom-client
// 15 itself: the same getMetricsAsJSON() input goes to prom-client's aggregate() and to ours, and
// both pages are read back with the reference (Python) parser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import real from "prom-client";
import client, {
  type AggregatorFunction,
  AggregatorRegistry,
  aggregators,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  Registry,
} from "../src/compat/prom-client.ts";
import { bundlePromClientCjs, needs, type ParsedFamily, pyParseMany } from "./_tools.ts";

// prom-client's typings leave `aggregators` out; its index.js exports it.
const realAggregators = (real as unknown as { aggregators: Record<string, AggregatorFunction> })
  .aggregators;
const realAggregate = real.AggregatorRegistry.aggregate as unknown as (
  metricsArr: unknown[],
  registryType?: string,
) => { metrics(): Promise<string>; getMetricsAsJSON(): Promise<MetricObjectWithValues[]> };

type Json = MetricObjectWithValues[][];

/** One real prom-client registry per worker, filled by `fill(registry, workerIndex)`. */
function workers(n: number, fill: (r: InstanceType<typeof real.Registry>, i: number) => void) {
  return Promise.all(
    Array.from({ length: n }, (_, i) => {
      const r = new real.Registry();
      fill(r, i);
      return r.getMetricsAsJSON() as unknown as Promise<MetricObjectWithValues[]>;
    }),
  );
}

/** What the end-to-end program uses of either library. */
interface Lib {
  Registry: new () => { getMetricsAsJSON(): Promise<unknown> };
  Counter: new (config: object) => { inc(labels: object, value?: number): void };
  Gauge: new (config: object) => { set(value: number): void };
  Histogram: new (config: object) => { observe(value: number): void };
}

/** A `le` / `quantile` label as a number (`1` and `1.0` are the same bound); labels in order. */
function normLabels(labels: Record<string, string>): [string, string][] {
  return Object.entries(labels).map(([k, v]): [string, string] =>
    k === "le" || k === "quantile" ? [k, String(Number(v))] : [k, v]
  ).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Parsed families in a comparable form: by name, samples by name and labels. */
function norm(families: ParsedFamily[]) {
  return families.map((f) => ({
    name: f.name,
    type: f.type,
    help: f.help,
    samples: f.samples
      .map((s) => ({ name: s.name, labels: normLabels(s.labels), value: s.value }))
      .sort((a, b) => {
        const x = JSON.stringify([a.name, a.labels]);
        const y = JSON.stringify([b.name, b.labels]);
        return x < y ? -1 : x > y ? 1 : 0;
      }),
  })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Parses pages with the reference parser; fails the test when it rejects one. */
function parse(...pages: { text: string; om: boolean }[]) {
  return pyParseMany(pages).map((r, i) => {
    if (r.error !== undefined) assert.fail(`page ${i} rejected: ${r.error}\n${pages[i].text}`);
    return norm(r.families);
  });
}

/** The same input through prom-client's aggregate() and ours, each page parsed: [theirs, ours]. */
async function judge(input: unknown[]) {
  const before = structuredClone(input);
  const theirs = await realAggregate(structuredClone(input)).metrics();
  const ours = AggregatorRegistry.aggregate(input);
  assert.deepEqual(input, before, "aggregate() leaves its input as it was");
  const [a, b] = parse({ text: theirs, om: false }, { text: await ours.metrics(), om: false });
  return [a, b];
}

const py = { skip: needs("python") };

test("aggregators: prom-client's six methods, as a named export and on the default export", () => {
  assert.deepEqual(Object.keys(aggregators).sort(), Object.keys(realAggregators).sort());
  assert.equal(client.aggregators, aggregators);
});

test("aggregators.<method>() merges one metric's entries from every worker as prom-client's does", async () => {
  const json = await workers(3, (r, i) => {
    const g = new real.Gauge({ name: "temp", help: "T.", labelNames: ["room"], registers: [r] });
    g.set({ room: "a" }, [1.5, -2, 7][i]);
    if (i === 1) g.set({ room: "b" }, 4); // a series only one worker has
    if (i === 2) g.set({ room: "c" }, NaN);
    const h = new real.Histogram({ name: "lat", help: "L.", buckets: [1, 5], registers: [r] });
    for (let k = 0; k <= i; k++) h.observe(k * 2);
  });
  for (const name of ["temp", "lat"]) {
    const entries = json.map((w) => w.find((m) => m.name === name)!);
    for (const method of ["sum", "first", "min", "max", "average", "omit"]) {
      const theirs = realAggregators[method](structuredClone(entries));
      assert.deepEqual(aggregators[method](entries), theirs, `${method} of ${name}`);
    }
  }
  for (const method of Object.keys(realAggregators)) {
    assert.equal(aggregators[method]([]), realAggregators[method]([]), `${method} of nothing`);
  }
});

test(
  "AggregatorRegistry.aggregate() sums counters, matching series by labels across workers",
  py,
  async () => {
    const json = await workers(3, (r, i) => {
      const c = new real.Counter({
        name: "jobs_total",
        help: "Jobs done.",
        labelNames: ["queue", "code"],
        registers: [r],
      });
      c.inc({ queue: "mail", code: i === 1 ? "200" : 200 }, i + 1); // 200 and "200" are one series
      if (i === 2) c.inc({ queue: "sms" }, 7); // a label set only one worker has
      new real.Counter({ name: "idle_total", help: "Unused.", labelNames: ["q"], registers: [r] });
      if (i === 1) {
        new real.Counter({ name: "only_in_one_total", help: "O.", registers: [r] }).inc(5);
      }
    });
    const [theirs, ours] = await judge(json);
    assert.deepEqual(ours, theirs);
    assert.equal(ours.find((f) => f.name === "jobs")?.samples.length, 2);
    assert.equal(ours.find((f) => f.name === "only_in_one")?.samples[0].value, 5);
  },
);

test(
  "AggregatorRegistry.aggregate() merges gauges by each one's aggregator, and omit leaves one out",
  py,
  async () => {
    const methods = ["sum", "first", "min", "max", "average", "omit"] as const;
    const json = await workers(3, (r, i) => {
      for (const m of methods) {
        const g = new real.Gauge({
          name: `depth_${m}`,
          help: `Depth by ${m}.`,
          labelNames: ["shard"],
          aggregator: m,
          registers: [r],
        });
        g.set({ shard: "1" }, [2.5, -4, 10][i]);
        g.set({ shard: "2" }, [1 / 3, 2 / 3, 0.1][i]);
        if (i !== 0) g.set({ shard: "3" }, i * 11); // missing from the first worker
      }
    });
    const [theirs, ours] = await judge(json);
    assert.deepEqual(ours, theirs);
    assert.deepEqual(
      ours.map((f) => f.name),
      methods.filter((m) => m !== "omit").map((m) => `depth_${m}`).sort(),
    );
  },
);

test(
  "AggregatorRegistry.aggregate() merges histogram buckets, _sum and _count per label set",
  py,
  async () => {
    const json = await workers(3, (r, i) => {
      const make = (name: string, aggregator?: "average" | "max") =>
        new real.Histogram({
          name,
          help: "Latency.",
          labelNames: ["route"],
          buckets: [0.1, 0.5, 2.5],
          registers: [r],
          ...(aggregator ? { aggregator } : {}),
        });
      for (
        const h of [
          make("lat_seconds"),
          make("lat_avg_seconds", "average"),
          make("lat_max_seconds", "max"),
        ]
      ) {
        for (let k = 0; k < 3 + i * 4; k++) h.observe({ route: "/a" }, (k * 0.37 + i * 0.11) % 3.3);
        if (i === 1) h.observe({ route: "/only-here" }, 0.2);
      }
    });
    const [theirs, ours] = await judge(json);
    assert.deepEqual(ours, theirs);
  },
);

test(
  "AggregatorRegistry.aggregate() of histograms by average: buckets within 4 ulp of prom-client's",
  py,
  async () => {
    // Buckets are kept as per-bucket counts and added up again when written, so an average that is
    // not a whole number can come back one ulp off (3.6000000000000005 for 3.6); _sum and _count
    // are written as merged.
    let x = 16; // a seed whose merge shows the difference (6.8 written as 6.799999999999999)
    const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const json = await workers(5, (r) => {
      const h = new real.Histogram({
        name: "wait_seconds",
        help: "W.",
        buckets: [0.01, 0.05, 0.1, 0.5, 1, 5],
        aggregator: "average",
        registers: [r],
      });
      for (let k = Math.floor(next() * 300); k > 0; k--) h.observe(next() * next() * 6);
    });
    const [theirs, ours] = await judge(json);
    assert.equal(ours[0].samples.length, theirs[0].samples.length);
    ours[0].samples.forEach((s, i) => {
      const t = theirs[0].samples[i];
      assert.deepEqual([s.name, s.labels], [t.name, t.labels]);
      if (s.name !== "wait_seconds_bucket") return assert.equal(s.value, t.value, s.name);
      const [a, b] = [s.value as number, t.value as number];
      assert.ok(Math.abs(a - b) <= 4 * Number.EPSILON * Math.abs(b), `${a} vs ${b}`);
    });
  },
);

test(
  "AggregatorRegistry.aggregate() merges summaries as prom-client does (quantiles summed too)",
  py,
  async () => {
    const json = await workers(2, (r, i) => {
      const s = new real.Summary({
        name: "size_bytes",
        help: "Sizes.",
        percentiles: [0.5, 0.9, 0.99],
        labelNames: ["kind"],
        registers: [r],
      });
      for (let k = 1; k <= 20; k++) s.observe({ kind: "img" }, k * (i + 1));
      if (i === 0) s.observe({ kind: "txt" }, 3);
    });
    const [theirs, ours] = await judge(json);
    assert.deepEqual(ours, theirs);
    const median = (fams: typeof ours) =>
      fams[0].samples.find((s) =>
        s.labels.some(([k, v]) => k === "quantile" && v === "0.5") &&
        s.labels.some(([, v]) => v === "img")
      )?.value;
    const per = json.map((w) =>
      w[0].values.find((v) => v.labels.quantile === 0.5 && v.labels.kind === "img")!.value
    );
    assert.equal(median(ours), per[0] + per[1]);
  },
);

test(
  "AggregatorRegistry.aggregate() of this entry's getMetricsAsJSON() matches prom-client end to end",
  py,
  async () => {
    // The same program on both libraries; each library's JSON goes to its own aggregate().
    const program = (lib: Lib) =>
      Promise.all([0, 1].map((i) => {
        const r = new lib.Registry();
        const opts = { registers: [r] };
        const c = new lib.Counter({ name: "req_total", help: "R.", labelNames: ["m"], ...opts });
        c.inc({ m: "GET" }, 3 + i);
        if (i === 1) c.inc({ m: "PUT" });
        new lib.Gauge({ name: "conns", help: "C.", aggregator: "max", ...opts }).set(10 - 7 * i);
        new lib.Gauge({ name: "started", help: "S.", aggregator: "omit", ...opts }).set(99);
        const h = new lib.Histogram({ name: "dur", help: "D.", buckets: [1, 2], ...opts });
        h.observe(i + 0.5);
        return r.getMetricsAsJSON();
      }));
    const theirs = await realAggregate(await program(real as unknown as Lib)).metrics();
    const merged = AggregatorRegistry.aggregate(await program(client as unknown as Lib));
    const [a, b] = parse({ text: theirs, om: false }, { text: await merged.metrics(), om: false });
    assert.deepEqual(b, a);
  },
);

test(
  "AggregatorRegistry.aggregate() returns this entry's Registry: metrics(), getMetricsAsJSON(), OpenMetrics",
  py,
  async () => {
    const json = await workers(2, (r, i) => {
      new real.Counter({ name: "sent_total", help: "S.", labelNames: ["to"], registers: [r] })
        .inc({ to: "x" }, i + 2);
      new real.Gauge({ name: "level", help: "L.", aggregator: "min", registers: [r] }).set(i - 1);
      new real.Histogram({ name: "wait", help: "W.", buckets: [1], registers: [r] }).observe(i);
    });
    const reg = AggregatorRegistry.aggregate(json);
    assert.ok(reg instanceof Registry);
    assert.equal(reg.contentType, Registry.PROMETHEUS_CONTENT_TYPE);
    const theirs = realAggregate(structuredClone(json));
    const shape = (ms: MetricObjectWithValues[]) =>
      ms.map((m) => ({
        ...m,
        values: m.values.map((v) => ({
          labels: Object.fromEntries(Object.entries(v.labels).map(([k, x]) => [k, String(x)])),
          value: v.value,
          metricName: v.metricName,
        })),
      })).sort((p, q) => (p.name < q.name ? -1 : 1));
    assert.deepEqual(shape(await reg.getMetricsAsJSON()), shape(await theirs.getMetricsAsJSON()));
    assert.equal(typeof (reg.getSingleMetric("level") as { get?: unknown }).get, "function");

    // OpenMetrics: prom-client writes `sent_total_total` there, so its text page is the judge.
    const om = AggregatorRegistry.aggregate(json, Registry.OPENMETRICS_CONTENT_TYPE);
    assert.equal(om.contentType, Registry.OPENMETRICS_CONTENT_TYPE);
    const [a, b] = parse({ text: await theirs.metrics(), om: false }, {
      text: await om.metrics(),
      om: true,
    });
    assert.deepEqual(b, a);
  },
);

test(
  "AggregatorRegistry.aggregate() sums a metric whose entries carry no aggregator",
  py,
  async () => {
    const json = await workers(2, (r, i) => {
      new real.Gauge({ name: "load", help: "L.", registers: [r] }).set(i + 0.25);
    });
    const bare = json.map((w) => w.map(({ aggregator: _, ...m }) => m));
    const [a, b] = parse(
      { text: await realAggregate(json).metrics(), om: false },
      { text: await AggregatorRegistry.aggregate(bare).metrics(), om: false },
    );
    assert.deepEqual(b, a);
  },
);

test(
  "aggregators: a method added to the object can be named as a metric's aggregator",
  py,
  async () => {
    const json = await workers(3, (r, i) => {
      new real.Gauge({ name: "p50", help: "P.", aggregator: "median" as never, registers: [r] })
        .set([9, 1, 4][i]);
      new real.Gauge({ name: "hidden", help: "H.", aggregator: "drop" as never, registers: [r] })
        .set(i);
    });
    const median = (fns: Record<string, AggregatorFunction>): AggregatorFunction => (metrics) => {
      const merged = fns.first(metrics)!;
      const sorted = metrics.map((m) => m.values[0].value).sort((x, y) => x - y);
      merged.values[0].value = sorted[sorted.length >> 1];
      return merged;
    };
    realAggregators.median = median(realAggregators);
    aggregators.median = median(aggregators);
    realAggregators.drop = aggregators.drop = () => undefined;
    try {
      const [theirs, ours] = await judge(json);
      assert.deepEqual(ours, theirs);
      assert.deepEqual(ours.map((f) => [f.name, f.samples[0].value]), [["p50", 4]]);
    } finally {
      delete realAggregators.median;
      delete realAggregators.drop;
      delete aggregators.median;
      delete aggregators.drop;
    }
  },
);

test("AggregatorRegistry.aggregate() rejects what is not an array of getMetricsAsJSON() arrays, naming it", async () => {
  const good = await workers(1, (r) => {
    new real.Counter({ name: "ok_total", help: "O.", registers: [r] }).inc();
  });
  const entry = good[0][0];
  const cases: [unknown, RegExp][] = [
    [
      undefined,
      /^TypeError: AggregatorRegistry\.aggregate\(\) takes an array .* \(got undefined\)/,
    ],
    [
      { 0: good[0] },
      /takes an array holding one getMetricsAsJSON\(\) result per worker \(got an object\)/,
    ],
    [
      [good[0], entry],
      /metricsArr\[1\] is an object, not an array of metrics .*wrap one worker's result/,
    ],
    [
      [good[0], [entry, null]],
      /metricsArr\[1\]\[1\] is null, not a metric as getMetricsAsJSON\(\) returns it/,
    ],
    [[["ok_total"]], /metricsArr\[0\]\[0\] is "ok_total", not a metric/],
    [[[{ ...entry, name: 5 }]], /metricsArr\[0\]\[0\] has no name \(got 5\)/],
    [
      [[{ ...entry, values: undefined }]],
      /metricsArr\[0\]\[0\] \("ok_total"\) has no values array/,
    ],
    [
      [[{ ...entry, values: [{ labels: {}, value: "1" }] }]],
      /\("ok_total"\): values\[0\]\.value is "1", not a number/,
    ],
    [[[{ ...entry, values: [{ labels: "a=b", value: 1 }] }]], /values\[0\]\.labels is "a=b"/],
    [
      [[{ ...entry, name: "bad name" }]],
      /metricsArr\[0\]\[0\] has an invalid metric name "bad name"/,
    ],
    [
      [[{ ...entry, values: [{ labels: { "a-b": 1 }, value: 1 }] }]],
      /values\[0\] has an invalid label name "a-b"/,
    ],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => AggregatorRegistry.aggregate(input as never),
      (e: Error) => e instanceof TypeError && message.test(`${e.name}: ${e.message}`),
      `${JSON.stringify(input)?.slice(0, 80)}`,
    );
  }
  // prom-client rejects the shapes above too (with JavaScript's own TypeErrors).
  for (const input of [undefined, [good[0], entry], [[null]], [[{ name: "x" }]]]) {
    assert.throws(() => realAggregate(input as never));
  }
});

test("AggregatorRegistry.aggregate() rejects an unknown aggregator or content type, naming it", async () => {
  const json = await workers(2, (r) => {
    new real.Gauge({ name: "g", help: "G.", aggregator: "median" as never, registers: [r] }).set(1);
  });
  assert.throws(() => realAggregate(json), /'median' is not a defined aggregator\./);
  assert.throws(
    () => AggregatorRegistry.aggregate(json),
    /'median' is not a defined aggregator\. Metric "g" names it: use one of sum, first, min, max, average, omit, or add it first: aggregators\["median"\] = /,
  );
  const fn = json.map((w) => w.map((m) => ({ ...m, aggregator: () => m })));
  assert.throws(() => AggregatorRegistry.aggregate(fn), /'a function' is not a defined aggregator/);
  const inherited = json.map((w) => w.map((m) => ({ ...m, aggregator: "toString" })));
  assert.throws(() => AggregatorRegistry.aggregate(inherited), /'toString' is not a defined/);
  assert.throws(
    () => AggregatorRegistry.aggregate([], "application/json"),
    /Content type application\/json is unsupported/,
  );
  assert.throws(
    () => aggregators.sum("g" as never),
    /aggregators\.sum\(\) takes an array of one metric's getMetricsAsJSON\(\) entries \(got "g"\)/,
  );
  assert.throws(
    () => aggregators.max([{}] as never),
    /aggregators\.max\(\): metrics\[0\] has no name/,
  );
});

test("AggregatorRegistry.aggregate() reads a value JSON wrote as null (NaN, ±Infinity) as NaN", async () => {
  const viaIpc = JSON.parse(JSON.stringify(
    await workers(2, (r, i) => {
      new real.Gauge({ name: "ratio", help: "R.", registers: [r] }).set(i === 0 ? NaN : 1);
    }),
  )) as Json;
  const merged = await AggregatorRegistry.aggregate(viaIpc).getMetricsAsJSON();
  assert.ok(Number.isNaN(merged[0].values[0].value));
});

/** Our default metrics that prom-client has under another name: that name. */
const COUNTERPART: Record<string, string> = {
  js_eventloop_lag_max_seconds: "nodejs_eventloop_lag_max_seconds",
  js_eventloop_lag_mean_seconds: "nodejs_eventloop_lag_mean_seconds",
  js_runtime_info: "nodejs_version_info",
  js_heap_used_bytes: "nodejs_heap_size_used_bytes",
  js_heap_total_bytes: "nodejs_heap_size_total_bytes",
};

test("getMetricsAsJSON(): each default metric has the aggregator prom-client gives it", async () => {
  const theirs = new real.Registry();
  real.collectDefaultMetrics({ register: theirs, prefix: "app_" });
  const judge = new Map(
    (theirs.getMetricsAsArray() as unknown as { name: string; aggregator: string }[])
      .map((m) => [m.name, m.aggregator]),
  );
  const ours = new Registry();
  collectDefaultMetrics({ register: ours, prefix: "app_" });
  const json = await ours.getMetricsAsJSON();
  const names = json.map((m) => m.name);
  for (const must of ["app_process_start_time_seconds", "app_js_runtime_info"]) {
    assert.ok(names.includes(must), `${must} in ${names}`);
  }
  for (const m of json) {
    const bare = m.name.slice("app_".length);
    const expected = judge.get(m.name) ?? judge.get("app_" + COUNTERPART[bare]);
    assert.ok(expected !== undefined, `prom-client has no ${m.name} nor a counterpart`);
    assert.equal(m.aggregator, expected, m.name);
  }
  // Registry.merge carries the default metrics, and their aggregators with them.
  const merged = await Registry.merge([ours, new Registry()]).getMetricsAsJSON();
  assert.deepEqual(
    merged.map((m) => [m.name, m.aggregator]),
    json.map((m) => [m.name, m.aggregator]),
  );
});

test(
  "AggregatorRegistry.aggregate() of workers' default metrics matches prom-client's aggregate()",
  py,
  async () => {
    const json = await Promise.all([0, 1, 2].map(() => {
      const r = new Registry();
      collectDefaultMetrics({ register: r, labels: { pool: "web" } });
      return r.getMetricsAsJSON();
    }));
    const [theirs, ours] = await judge(json);
    assert.deepEqual(ours, theirs);
    const names = ours.map((f) => f.name);
    assert.ok(!names.includes("process_start_time_seconds"), "start times are not added up");
    const info = ours.find((f) => f.name === "js_runtime_info")!;
    assert.ok(info.samples.length >= 1 && info.samples.every((s) => s.value === 1), "one runtime");
  },
);

/**
 * A node:cluster program for either library (`LIB`, a path to require): three workers, each
 * with a gauge per aggregator; the primary prints `clusterMetrics()`, has the workers swap
 * `g_omit` for a `max` gauge and `g_max`'s values, and prints it again.
 */
const CLUSTER_APP = `
const cluster = require("node:cluster");
const client = require(process.env.LIB);
new client.AggregatorRegistry(); // prom-client's workers answer once one is made
if (cluster.isPrimary) {
  const agg = new client.AggregatorRegistry();
  const workers = [1, 2, 3].map((n) => cluster.fork({ N: String(n) }));
  let waiting = 3;
  const all = (step) => new Promise((resolve) => {
    waiting = 3;
    for (const w of workers) {
      w.on("message", function on(m) {
        if (m !== step) return;
        w.off("message", on);
        if (--waiting === 0) resolve();
      });
      if (step === "swapped") w.send("swap");
    }
  });
  (async () => {
    await all("ready");
    const first = await agg.clusterMetrics();
    await all("swapped");
    const second = await agg.clusterMetrics();
    process.stdout.write(JSON.stringify([first, second]));
    for (const w of workers) w.kill();
  })();
} else {
  const n = Number(process.env.N);
  const gauges = {};
  for (const a of ["sum", "min", "max", "first", "average", "omit"]) {
    const g = gauges[a] = new client.Gauge({ name: "g_" + a, help: a, labelNames: ["k"], aggregator: a });
    g.set({ k: "x" }, n * 1.5);
    g.set({ k: "same" }, 2);
    if (n === 2) g.set({ k: "only2" }, 7);
  }
  new client.Counter({ name: "c_omit_total", help: "C.", aggregator: "omit" }).inc(n);
  new client.Counter({ name: "c_total", help: "C.", labelNames: ["q"] }).inc({ q: "a" }, n);
  new client.Histogram({ name: "h_seconds", help: "H.", buckets: [1, 2] }).observe(n / 2);
  process.on("message", (m) => {
    if (m !== "swap") return;
    client.register.removeSingleMetric("g_omit");
    // The same shape (the aggregation layer keeps a family's first labels and help).
    new client.Gauge({ name: "g_omit", help: "omit", labelNames: ["k"], aggregator: "max" })
      .set({ k: "x" }, n);
    gauges.max.set({ k: "x" }, -n);
    process.send("swapped");
  });
  process.send("ready");
}
`;

const RUNTIME = typeof (globalThis as { Deno?: unknown }).Deno === "object"
  ? "deno"
  : typeof (globalThis as { Bun?: unknown }).Bun === "object"
  ? "bun"
  : "node";

test(
  `AggregatorRegistry.clusterMetrics() merges gauges by their aggregator and leaves omit out, as prom-client's does (${RUNTIME} cluster)`,
  py,
  () => {
    const root = fileURLToPath(new URL("../", import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), "promedge-pc-cluster-"));
    try {
      const bundle = join(dir, "prom-client.cjs");
      bundlePromClientCjs(bundle);
      const app = join(dir, "app.cjs");
      writeFileSync(app, CLUSTER_APP);
      const run = (lib: string): string[] => {
        const args = RUNTIME === "deno" ? ["run", "-A", app] : [app];
        const r = spawnSync(process.execPath, args, {
          encoding: "utf8",
          env: { ...process.env, LIB: lib },
          timeout: 60_000,
        });
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout);
      };
      const theirs = run(join(root, "node_modules/prom-client"));
      const ours = run(bundle);
      for (let round = 0; round < 2; round++) {
        const [a, b] = parse({ text: theirs[round], om: false }, { text: ours[round], om: false });
        const mine = b.filter((f) => !f.name.startsWith("promedge_aggregation_"));
        // `first` takes one worker's value: prom-client's first to answer, ours the first by
        // source id. Where the workers differ, each page has one of their values.
        for (const fams of [a, mine]) {
          const g = fams.find((f) => f.name === "g_first")!;
          const x = g.samples.findIndex((s) => s.labels[0][1] === "x");
          assert.ok([1.5, 3, 4.5].includes(g.samples[x].value as number), `round ${round}`);
          g.samples.splice(x, 1);
        }
        assert.deepEqual(mine, a, `round ${round}`);
      }
      assert.ok(!/^g_omit/m.test(ours[0]) && !/^c_omit_total/m.test(ours[0]), "omit: left out");
      assert.match(ours[1], /^g_omit\{k="x"\} 3$/m, "a metric no longer omitted is back");
      assert.match(ours[0], /^g_average\{k="x"\} 3$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/**
 * A node:cluster program for either library (`LIB`): two workers with registry default labels,
 * the default metrics (labelled), a labelled Summary and a Counter; the primary prints
 * `clusterMetrics()` once both are ready.
 */
const CLUSTER_DEFAULTS_APP = `
const cluster = require("node:cluster");
const client = require(process.env.LIB);
new client.AggregatorRegistry();
if (cluster.isPrimary) {
  const agg = new client.AggregatorRegistry();
  let ready = 0;
  const workers = [1, 2].map((n) => cluster.fork({ N: String(n) }));
  for (const w of workers) w.on("message", async (m) => {
    if (m !== "ready" || ++ready < 2) return;
    process.stdout.write(await agg.clusterMetrics());
    for (const x of workers) x.kill();
  });
} else {
  const n = Number(process.env.N);
  client.register.setDefaultLabels({ app: "web" });
  client.collectDefaultMetrics({ labels: { pool: "p" } });
  const s = new client.Summary({ name: "s_seconds", help: "S.", labelNames: ["q"], percentiles: [0.5] });
  for (let v = n; v <= 2 * n; v++) s.observe({ q: "a" }, v); // worker 1: 1, 2; worker 2: 2, 3, 4
  new client.Counter({ name: "c_total", help: "C.", labelNames: ["q"] }).inc({ q: "a" }, n);
  process.send("ready");
}
`;

test(
  `AggregatorRegistry.clusterMetrics() carries workers' summaries, registry default labels and default metrics, as prom-client's does (${RUNTIME} cluster)`,
  py,
  () => {
    const root = fileURLToPath(new URL("../", import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), "promedge-pc-cluster-"));
    try {
      const bundle = join(dir, "prom-client.cjs");
      bundlePromClientCjs(bundle);
      const app = join(dir, "app.cjs");
      writeFileSync(app, CLUSTER_DEFAULTS_APP);
      const run = (lib: string): string => {
        const args = RUNTIME === "deno" ? ["run", "-A", app] : [app];
        const r = spawnSync(process.execPath, args, {
          encoding: "utf8",
          env: { ...process.env, LIB: lib },
          timeout: 60_000,
        });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
      };
      const [theirs, ours] = parse(
        { text: run(join(root, "node_modules/prom-client")), om: false },
        { text: run(bundle), om: false },
      );
      // The parser names a counter's family without `_total`.
      const fam = (fams: typeof ours, name: string) => fams.find((f) => f.name === name);
      const need = (fams: typeof ours, name: string) => {
        const f = fam(fams, name);
        assert.ok(f !== undefined, `${name} on the page`);
        return f;
      };
      // The metrics: as prom-client's, but for the quantile (see below).
      assert.deepEqual(need(ours, "c"), need(theirs, "c"));
      const quantileOf = (f: ReturnType<typeof need>) => {
        const q = f.samples.find((s) => s.name === "s_seconds")!;
        f.samples.splice(f.samples.indexOf(q), 1);
        return q;
      };
      const [qt, qo] = [quantileOf(need(theirs, "s_seconds")), quantileOf(need(ours, "s_seconds"))];
      assert.deepEqual(need(ours, "s_seconds"), need(theirs, "s_seconds"), "_sum and _count");
      assert.deepEqual(qo.labels, qt.labels);
      // prom-client adds the workers' medians up (1.5 + 3); here it is the median of all five
      // (within the sketch's 0.5%).
      assert.equal(qt.value, 4.5);
      assert.ok(Math.abs((qo.value as number) - 2) <= 0.01, `median ${qo.value}`);
      // The default metrics: the names both libraries write, with the same labels; the start
      // time is left out (its aggregator is omit) by both.
      const shared = [
        "process_cpu_seconds",
        "process_resident_memory_bytes",
        "process_virtual_memory_bytes",
        "process_open_fds",
        "process_max_fds",
      ];
      for (const name of shared) {
        const [a, b] = [need(theirs, name), need(ours, name)];
        assert.equal(b.type, a.type, name);
        assert.deepEqual(b.samples.map((s) => s.labels), a.samples.map((s) => s.labels), name);
        assert.ok((b.samples[0].value as number) > 0, name);
      }
      const maxFds = (f: typeof ours) => need(f, "process_max_fds").samples[0].value;
      assert.equal(maxFds(ours), maxFds(theirs), "two workers' fd limits, added up");
      assert.equal(fam(theirs, "process_start_time_seconds"), undefined);
      assert.equal(fam(ours, "process_start_time_seconds"), undefined);
      const info = need(ours, "js_runtime_info");
      assert.ok(
        info.samples.length >= 1 && info.samples.every((s) => s.value === 1),
        "one runtime",
      );
      // Every sample but the aggregator's own has the workers' default labels, as prom-client's.
      for (const fams of [theirs, ours]) {
        for (const f of fams.filter((f) => !f.name.startsWith("promedge_aggregation_"))) {
          for (const s of f.samples) {
            assert.ok(s.labels.some(([k, v]) => k === "app" && v === "web"), `${s.name} app`);
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

/**
 * Two workers with different registry default labels; the first worker is slow to answer (it
 * busies itself for 300 ms on each request). The primary prints three `clusterMetrics()` pages.
 */
const CLUSTER_LABELS_APP = `
const cluster = require("node:cluster");
const client = require(process.env.LIB);
if (cluster.isPrimary) {
  const agg = new client.AggregatorRegistry();
  let ready = 0;
  const workers = [1, 2].map((n) => cluster.fork({ N: String(n) }));
  for (const w of workers) w.on("message", async (m) => {
    if (m !== "ready" || ++ready < 2) return;
    const pages = [];
    for (let i = 0; i < 3; i++) pages.push(await agg.clusterMetrics());
    process.stdout.write(JSON.stringify(pages));
    for (const x of workers) x.kill();
  });
} else {
  const n = Number(process.env.N);
  client.register.setDefaultLabels({ app: "web" + n });
  new client.Counter({ name: "c_total", help: "C." }).inc(n);
  process.on("message", () => {
    if (n !== 1) return;
    const until = Date.now() + 300;
    while (Date.now() < until); // worker 1 answers after worker 2
  });
  process.send("ready");
}
`;

test(
  `AggregatorRegistry.clusterMetrics() takes registry default labels from the same worker at every scrape, whichever answers first (${RUNTIME} cluster)`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), "promedge-pc-cluster-"));
    try {
      const bundle = join(dir, "prom-client.cjs");
      bundlePromClientCjs(bundle);
      const app = join(dir, "app.cjs");
      writeFileSync(app, CLUSTER_LABELS_APP);
      const args = RUNTIME === "deno" ? ["run", "-A", app] : [app];
      const r = spawnSync(process.execPath, args, {
        encoding: "utf8",
        env: { ...process.env, LIB: bundle },
        timeout: 60_000,
      });
      assert.equal(r.status, 0, r.stderr);
      const pages = JSON.parse(r.stdout) as string[];
      assert.equal(pages.length, 3);
      for (const page of pages) {
        // The first forked worker's value (cluster worker id 1), not the first reply's: a label
        // value that moves between scrapes would start a new series each time.
        assert.match(page, /^c_total\{app="web1"\} 3$/m, page);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
