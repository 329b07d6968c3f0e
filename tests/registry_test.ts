import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AlreadyRegisteredError,
  collectDefaultMetrics,
  CollectError,
  Counter,
  createMetricsHandler,
  defaultRegistry,
  Gauge,
  Histogram,
  openMetricsFormat,
  register,
  Registry,
  Summary,
  TEXT_CONTENT_TYPE,
  textFormat,
} from "../mod.ts";
import { protobufFormat } from "../src/exposition/protobuf.ts";
import { needs, promtool, pyParse } from "./_tools.ts";

test("new Registry() starts empty and writes nothing", async () => {
  const r = new Registry();
  assert.equal(await r.metrics(), "");
  assert.equal(await r.metrics({ format: openMetricsFormat }), "# EOF\n");
  assert.equal(r.contentType, TEXT_CONTENT_TYPE);
});

test("Registry.metrics() writes the format it is given, text 0.0.4 by default", async () => {
  const registry = new Registry();
  new Counter({ name: "jobs_total", help: "Jobs.", registry }).inc();
  const text = await registry.metrics();
  assert.equal(text, "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total 1\n");
  assert.equal(await registry.metrics({ format: textFormat }), text);
  const om = await registry.metrics({ format: openMetricsFormat });
  assert.equal(om, "# TYPE jobs counter\n# HELP jobs Jobs.\njobs_total 1\n# EOF\n");
  let streamed = "";
  for await (const b of await registry.stream({ format: openMetricsFormat })) {
    streamed += new TextDecoder().decode(b, { stream: true });
  }
  assert.equal(streamed, om);
});

test("Registry.metrics() and chunks() reject a bytes format, a non-format and unknown options", async () => {
  const registry = new Registry();
  new Counter({ name: "jobs_total", help: "Jobs.", registry }).inc();
  await assert.rejects(registry.metrics({ format: protobufFormat }), {
    name: "TypeError",
    message:
      "registry.metrics(): the protobuf format writes bytes, not text; use registry.stream({ format })",
  });
  await assert.rejects(registry.chunks({ format: protobufFormat }).next(), {
    message: /^registry\.chunks\(\): the protobuf format writes bytes/,
  });
  await assert.rejects(registry.metrics({ format: "openmetrics" as never }), {
    name: "TypeError",
    message:
      'registry.metrics(): format must be a Format such as textFormat or openMetricsFormat, got "openmetrics"',
  });
  await assert.rejects(registry.stream({ nmes: ["jobs_total"] } as never), {
    name: "TypeError",
    message: 'registry.stream(): unknown option "nmes"; did you mean "names"?',
  });
  await assert.rejects(registry.metrics({ openMetrics: true } as never), {
    name: "TypeError",
    message:
      'registry.metrics(): unknown option "openMetrics"; write OpenMetrics 1.0 with { format: openMetricsFormat }',
  });
  assert.match(await registry.metrics(), /^jobs_total 1$/m, "the registry still writes");
});

test("metrics join the default registry unless told otherwise", () => {
  assert.equal(register, defaultRegistry);
  const c = new Counter({ name: "registry_test_default_total", help: "h" });
  assert.equal(defaultRegistry.get("registry_test_default_total"), c);
  assert.ok(defaultRegistry.unregister(c));
  const none = new Counter({ name: "registry_test_default_total", help: "h", registry: null });
  assert.equal(defaultRegistry.get(none.name), undefined);
});

test("Registry.register() rejects a taken name and keeps the first metric", async () => {
  const registry = new Registry();
  const first = new Counter({ name: "jobs_total", help: "first", registry });
  first.inc(3);
  assert.throws(
    () => new Counter({ name: "jobs_total", help: "second", registry }),
    (e: unknown) =>
      e instanceof AlreadyRegisteredError && e instanceof TypeError && e.existing === first &&
      /"jobs_total" is already registered/.test(e.message),
  );
  // Sample-name collisions, in either format.
  assert.throws(() => new Gauge({ name: "jobs", help: "h", registry }), /would write "jobs"/);
  assert.throws(
    () => new Gauge({ name: "jobs_created", help: "h", registry }),
    AlreadyRegisteredError,
  );
  new Histogram({ name: "lat", help: "h", registry });
  assert.throws(
    () => new Gauge({ name: "lat_bucket", help: "h", registry }),
    AlreadyRegisteredError,
  );
  assert.throws(() => new Summary({ name: "lat", help: "h", registry }), AlreadyRegisteredError);
  assert.match(await registry.metrics(), /^jobs_total 3$/m);
});

test("Registry.unregister(), get(), getAll() and clear()", async () => {
  const registry = new Registry();
  const b = new Gauge({ name: "b", help: "h", registry });
  const a = new Gauge({ name: "a", help: "h", registry });
  assert.deepEqual(registry.getAll(), [a, b], "sorted by name");
  assert.equal(registry.get("b"), b);
  assert.equal(registry.unregister("b"), true);
  assert.equal(registry.unregister("b"), false);
  new Gauge({ name: "b", help: "again", registry });
  registry.clear();
  assert.equal(await registry.metrics(), "");
});

test("Registry writes families sorted by name, each as one group", async () => {
  const registry = new Registry();
  new Gauge({ name: "zeta", help: "h", registry }).set(1);
  const c = new Counter({ name: "alpha_total", help: "h", labelNames: ["x"], registry });
  c.inc({ x: "1" });
  registry.registerCollector(
    () => [{ name: "mid", help: "h", type: "gauge", samples: [{ value: 5 }] }],
  );
  c.inc({ x: "2" });
  const names = (await registry.metrics()).split("\n").filter((l) => l.startsWith("# TYPE"));
  assert.deepEqual(names, ["# TYPE alpha_total counter", "# TYPE mid gauge", "# TYPE zeta gauge"]);
});

test("Registry.metrics({ names }) selects families", async () => {
  const registry = new Registry();
  new Gauge({ name: "a", help: "h", registry });
  new Gauge({ name: "b", help: "h", registry });
  const text = await registry.metrics({ names: ["b"] });
  assert.doesNotMatch(text, /^a /m);
  assert.match(text, /^b 0$/m);
});

test("custom collectors run at scrape time, sync or async", async () => {
  const registry = new Registry();
  let calls = 0;
  registry.registerCollector(() => [{
    name: "queue_depth",
    help: "Depth.",
    type: "gauge",
    samples: [{ labels: { queue: "a" }, value: ++calls }],
  }]);
  registry.registerCollector(() =>
    Promise.resolve([{
      name: "events_total",
      help: "Events.",
      type: "counter" as const,
      samples: [{ value: 7 }],
    }])
  );
  assert.match(await registry.metrics(), /^queue_depth\{queue="a"\} 1$/m);
  const om = await registry.metrics({ format: openMetricsFormat });
  assert.match(om, /^queue_depth\{queue="a"\} 2$/m);
  assert.match(om, /^# TYPE events counter$/m);
  assert.match(om, /^events_total 7$/m);
});

test("a failing collector makes the scrape fail with every error, after trying the rest", async () => {
  const registry = new Registry();
  new Gauge({ name: "ok", help: "h", registry });
  new Gauge({
    name: "broken",
    help: "h",
    registry,
    collect() {
      throw new Error("sensor offline");
    },
  });
  registry.registerCollector(() => {
    throw new Error("db down");
  });
  registry.registerCollector(() => [{ name: "ok", help: "h", type: "gauge", samples: [] }]);
  await assert.rejects(registry.metrics(), (e: unknown) => {
    assert.ok(e instanceof CollectError);
    assert.equal(e.errors.length, 3);
    assert.match(e.message, /sensor offline/);
    assert.match(e.message, /db down/);
    assert.match(
      e.message,
      /collector "anonymous" returned gauge "ok", which would write "ok" as metric "ok" does/,
    );
    return true;
  });
});

test("a collector's bad family is rejected with its name", async () => {
  const registry = new Registry();
  registry.registerCollector(() => [{ name: "bad name", help: "h", type: "gauge", samples: [] }]);
  await assert.rejects(registry.metrics(), /Invalid metric name "bad name"/);
  const r2 = new Registry();
  r2.registerCollector(
    () => [{ name: "c_total", help: "h", type: "counter", samples: [{ value: -1 }] }],
  );
  await assert.rejects(r2.metrics(), /counter "c_total" has value -1/);
  const r3 = new Registry();
  r3.registerCollector(
    () => [{ name: "size", help: "h", type: "gauge", unit: "bytes", samples: [] }],
  );
  await assert.rejects(r3.metrics(), /the name must end with "_bytes" to carry unit "bytes"/);
});

test("a metric named like a default metric is refused at creation with AlreadyRegisteredError", () => {
  assert.throws(
    () => new Gauge({ name: "process_open_fds", help: "h" }),
    (e: unknown) =>
      e instanceof AlreadyRegisteredError &&
      /"process_open_fds", which collector "default metrics" already writes/.test(e.message),
  );
  assert.throws(
    () => new Counter({ name: "process_cpu_seconds", help: "h" }),
    AlreadyRegisteredError,
    "a counter whose _total sample is a default family",
  );
  assert.throws(() => new Gauge({ name: "js_runtime_info", help: "h" }), AlreadyRegisteredError);
  const registry = new Registry();
  new Gauge({ name: "process_max_fds", help: "mine", registry });
  assert.throws(
    () => collectDefaultMetrics({ registry }),
    /collector "default metrics"'s family "process_max_fds" would write "process_max_fds", which metric "process_max_fds" already writes/,
  );
});

test("a name[] scrape runs no collector that declared other families, so it cannot fail or hang", async () => {
  const registry = new Registry();
  new Gauge({ name: "app_up", help: "h", registry }).set(1);
  let calls = 0;
  registry.registerCollector(() => {
    calls++;
    throw new Error("db down");
  }, { name: "db", families: [{ name: "db_rows", type: "gauge" }] });
  registry.registerCollector(() => {
    calls++;
    return new Promise(() => {});
  }, { name: "stuck", families: [{ name: "stuck_value", type: "gauge" }] });
  assert.equal(
    await registry.metrics({ names: ["app_up"] }),
    "# HELP app_up h\n# TYPE app_up gauge\napp_up 1\n",
  );
  assert.equal(calls, 0);
  await assert.rejects(registry.metrics({ names: ["db_rows"] }), /collector "db": db down/);
  assert.equal(calls, 1);
});

test("a collector may only return the families it declared", async () => {
  const registry = new Registry();
  registry.registerCollector(
    () => [{ name: "other", help: "h", type: "gauge", samples: [] }],
    { name: "decl", families: [{ name: "mine", type: "gauge" }] },
  );
  await assert.rejects(
    registry.metrics(),
    /collector "decl" returned gauge "other", which it did not declare \(declared: gauge "mine"\)/,
  );
});

/** A scrape of clashing families must be a 500 naming both sources, or a page the tools accept. */
async function neverInvalid(registry: Registry, sources: RegExp[]): Promise<void> {
  for (const openMetrics of [false, true]) {
    let page: string;
    try {
      page = await registry.metrics({ format: openMetrics ? openMetricsFormat : undefined });
    } catch (e) {
      assert.ok(e instanceof CollectError, String(e));
      for (const s of sources) assert.match(e.message, s);
      continue;
    }
    if (!openMetrics) {
      const r = promtool(page);
      assert.equal(r.code, 0, r.output);
    } else pyParse(page, true);
  }
}

test("collector families that clash fail the scrape naming both sources, never an invalid page", {
  skip: needs("promtool", "python"),
}, async () => {
  const gauge = (name: string, samples = [{ value: 1 }]) => ({
    name,
    help: "h",
    type: "gauge" as const,
    samples,
  });
  const r1 = new Registry();
  r1.registerCollector(function first() {
    return [{ name: "a_total", help: "h", type: "counter", samples: [{ value: 1 }] }];
  });
  r1.registerCollector(function second() {
    return [gauge("a_total")];
  });
  await neverInvalid(r1, [/collector "first"/, /collector "second"/, /"a_total"/]);

  const r2 = new Registry();
  new Gauge({ name: "q_total", help: "h", registry: r2 });
  r2.registerCollector(function qs() {
    return [{ name: "q", help: "h", type: "counter", samples: [{ value: 1 }] }];
  });
  await neverInvalid(r2, [/collector "qs" returned counter "q"/, /metric "q_total"/]);

  const r3 = new Registry();
  r3.registerCollector(function facts() {
    return [
      { name: "z", help: "h", type: "info", samples: [{ labels: { v: "1" }, value: 1 }] },
      gauge("z_info"),
    ];
  });
  await neverInvalid(r3, [/info "z" of collector "facts"/, /gauge "z_info"/]);

  const r4 = new Registry();
  r4.registerCollector(function twice() {
    return [gauge("dup", [{ labels: { a: "1", b: "2" }, value: 1 }, {
      labels: { b: "2", a: "1" },
      value: 2,
    }] as never)];
  });
  await neverInvalid(r4, [
    /collector "twice", family "dup": the label set \{b="2",a="1"\} appears twice/,
  ]);

  // Pinned: a collector's counter foo_total beside a registered Gauge foo.
  const r5 = new Registry();
  new Gauge({ name: "foo", help: "h", registry: r5 });
  r5.registerCollector(function foos() {
    return [{ name: "foo_total", help: "h", type: "counter", samples: [{ value: 1 }] }];
  });
  await neverInvalid(r5, [
    /collector "foos" returned counter "foo_total", which would write "foo" as metric "foo" does/,
  ]);
});

test("Registry.register() refuses a name taken in the other order (pinned collisions)", () => {
  const registry = new Registry();
  new Gauge({ name: "lat_bucket", help: "h", registry });
  assert.throws(
    () => new Histogram({ name: "lat", help: "h", registry }),
    /Metric "lat" would write "lat_bucket", which metric "lat_bucket" already writes/,
  );
  new Gauge({ name: "jobs", help: "h", registry });
  assert.throws(
    () => new Counter({ name: "jobs_total", help: "h", registry }),
    /Metric "jobs_total" would write "jobs", which metric "jobs" already writes/,
  );
  assert.equal(registry.get("lat"), undefined);
  assert.equal(registry.get("jobs_total"), undefined);
});

test("a collector that never settles fails the scrape at the deadline, naming it; collectors run concurrently", async () => {
  const registry = new Registry({ collectTimeoutSeconds: 0.3 });
  new Gauge({ name: "fine", help: "h", registry });
  registry.registerCollector(function hangs() {
    return new Promise<never>(() => {});
  });
  const t0 = performance.now();
  await assert.rejects(
    registry.metrics(),
    /collector "hangs" did not finish within 0.3 s/,
  );
  const took = performance.now() - t0;
  assert.ok(took >= 250 && took < 2000, `took ${took} ms`);
  await assert.rejects(registry.metrics({ timeoutSeconds: 0.05 }), /within 0.05 s/);

  const slow = new Registry();
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  for (const n of ["a", "b", "c"]) {
    slow.registerCollector(async () => {
      await wait(150);
      return [{ name: n, help: "h", type: "gauge", samples: [{ value: 1 }] }];
    });
  }
  const t1 = performance.now();
  assert.match(await slow.metrics(), /^c 1$/m);
  assert.ok(performance.now() - t1 < 400, "three 150 ms collectors in well under 450 ms");
  assert.throws(
    () => new Registry({ collectTimeoutSeconds: 0 }),
    /collectTimeoutSeconds must be a number of seconds > 0/,
  );
});

test("invalid collector output gets a message naming the collector and what was wrong", async () => {
  const cases: [unknown, RegExp][] = [
    [
      5,
      /collector "bad" returned 5; a collector must return \(or resolve to\) an array of metric families/,
    ],
    [null, /collector "bad" returned null; a collector must return/],
    [[null], /collector "bad" returned null in its array; each item must be a metric family/],
    [
      [{ name: "x", help: "h", type: "gauge", samples: null }],
      /collector "bad", family "x": samples must be an array/,
    ],
    [
      [{ name: "x", help: "h", type: "gauge", samples: [null] }],
      /collector "bad", family "x": sample 0 is null/,
    ],
    [
      [{ name: "x", help: "h", type: "gauge", samples: [{ value: "1" }] }],
      /collector "bad", family "x": sample 0 has value "1", not a number/,
    ],
    [
      [{ name: "x", help: "h", type: "histogram", samples: [] }],
      /collector "bad", family "x": type "histogram" is not one of counter, gauge, untyped, info/,
    ],
    [
      [{ name: "x", type: "gauge", samples: [] }],
      /collector "bad", family "x": help must be a string/,
    ],
    [
      [{ name: "x", help: "h", type: "gauge", samples: [{ labels: { "a-b": 1 }, value: 1 }] }],
      /collector "bad": Metric "x": invalid label name "a-b"/,
    ],
    [
      [{ name: "x", help: "h", type: "gauge", samples: [{ labels: { p: "/a\uD800" }, value: 1 }] }],
      /collector "bad", family "x": label "p": "\/a\\ud800" holds a lone UTF-16 surrogate \(\\uD800 at index 2\)/,
    ],
    [
      [{ name: "x", help: "h", type: "gauge", samples: [{ labels: { p: null }, value: 1 }] }],
      /collector "bad", family "x": label "p" must be a string or a number, got null/,
    ],
    [
      [{ name: "x", help: "h\uDC00", type: "gauge", samples: [] }],
      /collector "bad", family "x": help: .* holds a lone UTF-16 surrogate/,
    ],
  ];
  for (const [out, message] of cases) {
    const registry = new Registry();
    registry.registerCollector(() => out as never, { name: "bad" });
    await assert.rejects(registry.metrics(), message, JSON.stringify(out));
  }
  const registry = new Registry();
  assert.throws(
    () => registry.register({} as never),
    /register\(\) takes a metric \(Counter, Gauge, Histogram, Summary, Info\) or an object with name, reservedNames and collect\(\); got \{\}/,
  );
  assert.throws(
    () => registry.registerCollector(5 as never),
    /takes a function returning metric families, got 5/,
  );
});

test("+Inf is written literally as +Inf in both text formats", async () => {
  const registry = new Registry();
  new Gauge({ name: "up_to", help: "h", registry }).set(Infinity);
  new Gauge({ name: "down_to", help: "h", registry }).set(-Infinity);
  new Histogram({ name: "h", help: "h", buckets: [1], registry }).observe(2);
  for (const openMetrics of [false, true]) {
    const text = await registry.metrics({ format: openMetrics ? openMetricsFormat : undefined });
    assert.match(text, /^up_to \+Inf$/m);
    assert.match(text, /^down_to -Inf$/m);
    assert.match(text, /^h_bucket\{le="\+Inf"\} 1$/m);
  }
});

test("Registry.collect() returns typed, detached snapshots with raw labels", async () => {
  const registry = new Registry();
  const c = new Counter({ name: "jobs_total", help: "Jobs.", labelNames: ["q", "n"], registry });
  c.inc({ q: 'a "b"\n', n: 1 }, 2);
  const h = new Histogram({ name: "lat", help: "L.", buckets: [1, 2], registry });
  h.observe(0.5);
  h.observe(5);
  const s = new Summary({ name: "sz", help: "S.", percentiles: [0.5], registry });
  s.observe(4);
  registry.registerCollector(() => [
    {
      name: "rows",
      help: "R.",
      type: "gauge",
      unit: undefined,
      samples: [{ labels: { t: 3 }, value: 9 }],
    },
  ]);
  const fams = await registry.collect();
  assert.deepEqual(fams.map((f) => [f.name, f.type]), [
    ["jobs_total", "counter"],
    ["lat", "histogram"],
    ["rows", "gauge"],
    ["sz", "summary"],
  ]);
  const [jobs, lat, rows, sz] = fams;
  assert.equal(jobs.help, "Jobs.");
  assert.deepEqual(jobs.series[0].labels, { q: 'a "b"\n', n: "1" }, "raw, not escaped");
  assert.equal(jobs.series[0].labelText, 'q="a \\"b\\"\\n",n="1"');
  assert.equal(jobs.type === "counter" && jobs.series[0].value, 2);
  assert.ok(jobs.type === "counter" && Math.abs(jobs.series[0].created! - Date.now() / 1000) < 60);
  assert.ok(lat.type === "histogram");
  assert.deepEqual(lat.buckets, [1, 2]);
  assert.deepEqual(Array.from(lat.series[0].counts), [1, 0, 1]);
  assert.equal(lat.series[0].sum, 5.5);
  assert.equal(lat.series[0].count, 2);
  assert.deepEqual(lat.series[0].labels, {});
  assert.deepEqual(rows.series[0].labels, { t: "3" });
  assert.ok(sz.type === "summary");
  assert.deepEqual(sz.quantiles, [0.5]);
  assert.equal(sz.series[0].count, 1);
  assert.ok(Math.abs(sz.series[0].quantiles[0] - 4) < 0.1);
  c.inc({ q: 'a "b"\n', n: 1 });
  h.observe(0.1);
  assert.equal(jobs.type === "counter" && jobs.series[0].value, 2, "detached from later updates");
  assert.deepEqual(Array.from(lat.series[0].counts), [1, 0, 1]);
  assert.deepEqual((await registry.collect({ names: ["lat"] })).map((f) => f.name), ["lat"]);
});

/** A metric-like object with what register() needs, and `formats` as given. */
function withFormats(formats: unknown) {
  return {
    name: "x",
    reservedNames: ["x"],
    collect: () => ({ name: "x", help: "X.", type: "gauge", series: [] }),
    formats,
  } as never;
}

test("Registry.register() rejects a metric whose formats are not Formats, naming it; nothing is registered and scrapes go on", async () => {
  const registry = new Registry();
  new Gauge({ name: "g", help: "G.", registry }).set(1);
  const sparse = new Array(1);
  for (
    const bad of ["protobuf", 5, null, {}, [null], [undefined], sparse, [{}], [{ writer() {} }]]
  ) {
    assert.throws(() => registry.register(withFormats(bad)), {
      name: "TypeError",
      message:
        /^register\(\): metric "x": formats must be an array of Formats such as \[protobufFormat\]/,
    }, String(bad));
    assert.equal(registry.get("x"), undefined);
  }
  assert.deepEqual(registry.formats, []);
  assert.match(await registry.metrics(), /^g 1$/m);
});

test("Registry.formats reads a metric's formats when it is registered: a getter that changes later cannot break a scrape", async () => {
  const registry = new Registry();
  let formats: unknown = [protobufFormat];
  registry.register({
    name: "x",
    reservedNames: ["x"],
    collect: () => ({ name: "x", help: "X.", type: "gauge", series: [] }),
    get formats() {
      return formats;
    },
  } as never);
  formats = "junk";
  assert.deepEqual(registry.formats, [protobufFormat]);
  const res = await createMetricsHandler({ registry })(
    new Request("http://localhost/metrics", {
      headers: {
        accept:
          "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited",
      },
    }),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), protobufFormat.contentType);
  await res.body?.cancel();
  registry.unregister("x");
  assert.deepEqual(registry.formats, []);
});

test("Registry.formats lists each format once, however many metrics name it, and empties on clear()", () => {
  const registry = new Registry();
  registry.register(withFormats([protobufFormat, protobufFormat]));
  registry.register(
    { ...withFormats([protobufFormat]) as object, name: "y", reservedNames: ["y"] } as never,
  );
  assert.deepEqual(registry.formats, [protobufFormat]);
  registry.clear();
  assert.deepEqual(registry.formats, []);
});
