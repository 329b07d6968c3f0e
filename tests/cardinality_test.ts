// Cardinality guards and series lifecycle: maxSeries and its overflow series,
// the registry's overflow counter, ttlSeconds, removeMatching(). Pages are read
// back with the reference Python parser (the flood tests) or line by line.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AlreadyRegisteredError,
  Counter,
  Gauge,
  Histogram,
  OVERFLOW_VALUE,
  Registry,
  Summary,
} from "../mod.ts";
import { RemoteWriter } from "../src/remote/mod.ts";
import { needs, pyParse, rwdecode, sampleValue } from "./_tools.ts";

const python = needs("python");
const OVERFLOW = "promedge_series_overflow_total";

/** The samples of a text 0.0.4 page, as `name{labels}` -> value (labels as written). */
function samples(page: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of page.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** The samples of one sample name, by label text. */
function series(page: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of samples(page)) {
    if (k === name) out.set("", v);
    else if (k.startsWith(name + "{")) out.set(k.slice(name.length + 1, -1), v);
  }
  return out;
}

// The flood: 10,000 updates over 5,000 label sets (update i uses set i * 7919 mod
// 5,000: every set twice, the first 100 sets seen are the first 100 updates).
const UPDATES = 10_000;
const SETS = 5_000;
const CAP = 100;
const user = (i: number) => "u" + (i * 7919) % SETS;
/** An amount whose sums are exact in binary floating point. */
const amount = (i: number) => 1 + (i % 4) * 0.25;
let expectedSum = 0;
for (let i = 0; i < UPDATES; i++) expectedSum += amount(i);
/** Updates of label sets past the cap: all but those of the first 100 sets. */
const OVERFLOWED = UPDATES - 2 * CAP;

test(
  "Counter maxSeries: a flood of label sets leaves at most maxSeries + 1 series and an exact sum",
  { skip: python },
  async () => {
    const registry = new Registry();
    const c = new Counter({
      name: "logins_total",
      help: "Logins.",
      labelNames: ["user", "zone"],
      maxSeries: CAP,
      registry,
    });
    assert.equal(sampleValue(pyParse(await registry.metrics()), OVERFLOW, { metric: c.name }), 0);
    for (let i = 0; i < UPDATES; i++) c.inc({ user: user(i), zone: "eu" }, amount(i));
    const fams = pyParse(await registry.metrics());
    const logins = fams.find((f) => f.name === "logins")!;
    assert.equal(logins.samples.length, CAP + 1);
    assert.equal(logins.samples.reduce((a, s) => a + Number(s.value), 0), expectedSum);
    const over = sampleValue(fams, "logins_total", {
      user: OVERFLOW_VALUE,
      zone: OVERFLOW_VALUE,
    });
    assert.ok(Number(over) > 0);
    assert.equal(sampleValue(fams, OVERFLOW, { metric: "logins_total" }), OVERFLOWED);
    assert.equal(c.seriesCount, CAP + 1);
  },
);

test(
  "Gauge maxSeries: inc() and dec() past the cap add to the overflow series, so the sum stays exact",
  { skip: python },
  async () => {
    const registry = new Registry();
    const g = new Gauge({
      name: "queue_depth",
      help: "Queued jobs.",
      labelNames: ["user"],
      maxSeries: CAP,
      registry,
    });
    let expected = 0;
    for (let i = 0; i < UPDATES; i++) {
      if (i % 3 === 0) {
        g.dec({ user: user(i) }, amount(i));
        expected -= amount(i);
      } else {
        g.inc({ user: user(i) }, amount(i));
        expected += amount(i);
      }
    }
    const fams = pyParse(await registry.metrics());
    const depth = fams.find((f) => f.name === "queue_depth")!;
    assert.ok(depth.samples.length <= CAP + 1);
    assert.equal(depth.samples.reduce((a, s) => a + Number(s.value), 0), expected);
    assert.equal(sampleValue(fams, OVERFLOW, { metric: "queue_depth" }), OVERFLOWED);
  },
);

test("Gauge maxSeries: set() past the cap leaves the last value set in the overflow series", async () => {
  const registry = new Registry();
  const g = new Gauge({ name: "temp", help: "T.", labelNames: ["room"], maxSeries: 1, registry });
  g.set({ room: "hall" }, 20);
  g.set({ room: "attic" }, 30);
  g.inc({ room: "cellar" }, 2);
  g.set({ room: "garage" }, 12);
  g.dec({ room: "attic" });
  const page = series(await registry.metrics(), "temp");
  assert.deepEqual(
    [...page],
    [['room="hall"', 20], [`room="${OVERFLOW_VALUE}"`, 11]],
  );
});

test(
  "Histogram maxSeries: count and sum over the family stay exact past the cap",
  { skip: python },
  async () => {
    const registry = new Registry();
    const h = new Histogram({
      name: "req_seconds",
      help: "Latency.",
      labelNames: ["user"],
      buckets: [1.25, 1.5],
      maxSeries: CAP,
      registry,
    });
    for (let i = 0; i < UPDATES; i++) h.observe({ user: user(i) }, amount(i));
    const fams = pyParse(await registry.metrics());
    const f = fams.find((f) => f.name === "req_seconds")!;
    const counts = f.samples.filter((s) => s.name === "req_seconds_count");
    const sums = f.samples.filter((s) => s.name === "req_seconds_sum");
    assert.equal(counts.length, CAP + 1);
    assert.equal(counts.reduce((a, s) => a + Number(s.value), 0), UPDATES);
    assert.equal(sums.reduce((a, s) => a + Number(s.value), 0), expectedSum);
    const inf = f.samples.filter((s) => s.name === "req_seconds_bucket" && s.labels.le === "+Inf");
    assert.equal(inf.reduce((a, s) => a + Number(s.value), 0), UPDATES);
    assert.equal(sampleValue(fams, OVERFLOW, { metric: "req_seconds" }), OVERFLOWED);
  },
);

test("Summary maxSeries: count and sum stay exact past the cap", async () => {
  const registry = new Registry();
  const s = new Summary({
    name: "size_bytes",
    help: "Sizes.",
    labelNames: ["user"],
    percentiles: [0.5],
    maxSeries: 2,
    registry,
  });
  for (let i = 0; i < 50; i++) s.observe({ user: "u" + i }, i);
  const counts = series(await registry.metrics(), "size_bytes_count");
  assert.equal(counts.size, 3);
  assert.equal([...counts.values()].reduce((a, b) => a + b, 0), 50);
  assert.equal(counts.get(`user="${OVERFLOW_VALUE}"`), 48);
});

test("Counter maxSeries: series that exist keep counting after the cap is hit", async () => {
  const registry = new Registry();
  const c = new Counter({
    name: "hits_total",
    help: "H.",
    labelNames: ["p"],
    maxSeries: 2,
    registry,
  });
  const a = c.labels({ p: "a" });
  c.inc({ p: "b" });
  c.inc({ p: "c" });
  a.inc();
  c.inc({ p: "b" }, 5);
  assert.deepEqual(
    [...series(await registry.metrics(), "hits_total")],
    [['p="a"', 1], ['p="b"', 6], [`p="${OVERFLOW_VALUE}"`, 1]],
  );
  assert.equal(c.get({ p: "c" }), 0, "an overflowed label set has no series of its own");
});

test("Counter.labels() past maxSeries: the child's updates go to the overflow series, each counted", async () => {
  const registry = new Registry();
  const c = new Counter({
    name: "hits_total",
    help: "H.",
    labelNames: ["p"],
    maxSeries: 1,
    registry,
  });
  c.inc({ p: "a" });
  const late = c.labels({ p: "b" });
  late.inc(3);
  late.inc();
  const page = await registry.metrics();
  assert.deepEqual([...series(page, "hits_total")], [['p="a"', 1], [`p="${OVERFLOW_VALUE}"`, 4]]);
  assert.equal(series(page, OVERFLOW).get('metric="hits_total"'), 2);
});

test("A child bound past maxSeries gets a series of its own once there is room", async () => {
  const registry = new Registry();
  const c = new Counter({
    name: "hits_total",
    help: "H.",
    labelNames: ["p"],
    maxSeries: 1,
    registry,
  });
  const h = new Histogram({
    name: "lat",
    help: "L.",
    labelNames: ["p"],
    buckets: [1],
    maxSeries: 1,
    registry,
  });
  c.inc({ p: "a" });
  h.observe({ p: "a" }, 0.5);
  const late = c.labels({ p: "b" });
  const lateH = h.labels({ p: "b" });
  late.inc();
  lateH.observe(2);
  c.remove({ p: "a" });
  h.remove({ p: "a" });
  late.inc(5);
  lateH.observe(3);
  lateH.observe(4);
  const page = await registry.metrics();
  assert.deepEqual([...series(page, "hits_total")], [[`p="${OVERFLOW_VALUE}"`, 1], ['p="b"', 5]]);
  assert.deepEqual([...series(page, "lat_sum")], [[`p="${OVERFLOW_VALUE}"`, 2], ['p="b"', 7]]);
  assert.equal(c.get({ p: "b" }), 5);
  assert.equal(late.get(), 5);
});

test("maxSeries: the overflow counter is in the registry from the start, one series per capped metric", async () => {
  const registry = new Registry();
  new Counter({ name: "a_total", help: "A.", labelNames: ["x"], maxSeries: 5, registry });
  new Gauge({ name: "b", help: "B.", labelNames: ["x"], maxSeries: 5, registry });
  new Gauge({ name: "c", help: "C.", labelNames: ["x"], registry });
  assert.deepEqual(
    [...series(await registry.metrics(), OVERFLOW)],
    [['metric="a_total"', 0], ['metric="b"', 0]],
  );
});

test("maxSeries with registry: null caps the series and registers nothing", async () => {
  const c = new Counter({
    name: "a_total",
    help: "A.",
    labelNames: ["x"],
    maxSeries: 1,
    registry: null,
  });
  c.inc({ x: "1" });
  c.inc({ x: "2" });
  assert.equal(c.seriesCount, 2);
  assert.equal((await c.collect()).series.length, 2);
});

test("maxSeries: an unregistered metric's overflow series leaves the page", async () => {
  const registry = new Registry();
  const c = new Counter({ name: "a_total", help: "A.", labelNames: ["x"], maxSeries: 1, registry });
  registry.unregister(c);
  assert.equal(series(await registry.metrics(), OVERFLOW).size, 0);
});

test("maxSeries: a metric whose registry cannot take the overflow counter is not left registered", () => {
  const registry = new Registry();
  new Counter({ name: OVERFLOW, help: "Mine.", registry });
  assert.throws(
    () => new Counter({ name: "a_total", help: "A.", labelNames: ["x"], maxSeries: 1, registry }),
    AlreadyRegisteredError,
  );
  assert.equal(registry.get("a_total"), undefined);
});

test("maxSeries must be a whole number >= 1: a RangeError names it", () => {
  for (const bad of [0, -1, 1.5, NaN, Infinity, "10", null]) {
    assert.throws(
      () =>
        new Counter({
          name: "a_total",
          help: "A.",
          labelNames: ["x"],
          maxSeries: bad as number,
          registry: null,
        }),
      (e: unknown) => e instanceof RangeError && /"a_total": maxSeries must be/.test(e.message),
      String(bad),
    );
  }
});

test("ttlSeconds must be a positive finite number, on a metric with labels", () => {
  for (const bad of [0, -1, NaN, Infinity, "5"]) {
    assert.throws(
      () =>
        new Gauge({
          name: "g",
          help: "G.",
          labelNames: ["x"],
          ttlSeconds: bad as number,
          registry: null,
        }),
      (e: unknown) => e instanceof RangeError && /"g": ttlSeconds must be/.test(e.message),
      String(bad),
    );
  }
  assert.throws(
    () => new Gauge({ name: "g", help: "G.", ttlSeconds: 5, registry: null }),
    /ttlSeconds needs labelNames/,
  );
});

/** A registry, a clock in ms the test moves, and the page it writes. */
function clocked() {
  const registry = new Registry();
  const clock = { t: 1_700_000_000_000 };
  const now = () => clock.t;
  const page = async (name: string) => series(await registry.metrics(), name);
  return { registry, clock, now, page };
}

test("Counter ttlSeconds: a series not updated for that long is gone from the next scrape", async () => {
  const { registry, clock, now, page } = clocked();
  const c = new Counter({
    name: "jobs_total",
    help: "J.",
    labelNames: ["tenant"],
    ttlSeconds: 60,
    now,
    registry,
  });
  c.inc({ tenant: "idle" });
  c.inc({ tenant: "busy" });
  assert.equal((await page("jobs_total")).size, 2);
  for (let s = 10; s <= 70; s += 10) {
    clock.t += 10_000;
    c.inc({ tenant: "busy" });
    const p = await page("jobs_total");
    assert.equal(p.has('tenant="idle"'), s < 60, `after ${s} s`);
  }
  assert.equal((await page("jobs_total")).get('tenant="busy"'), 8);
  assert.equal(c.seriesCount, 1);
  // Updated again, it comes back with its new value.
  c.inc({ tenant: "idle" }, 2);
  assert.equal((await page("jobs_total")).get('tenant="idle"'), 2);
});

test("Gauge ttlSeconds: set() to the same value, or inc() then dec(), keeps a series alive", async () => {
  const { registry, clock, now, page } = clocked();
  const g = new Gauge({
    name: "conns",
    help: "C.",
    labelNames: ["peer"],
    ttlSeconds: 30,
    now,
    registry,
  });
  g.set({ peer: "same" }, 5);
  g.set({ peer: "net-zero" }, 1);
  g.set({ peer: "left" }, 7);
  await page("conns");
  for (let i = 0; i < 6; i++) {
    clock.t += 10_000;
    g.set({ peer: "same" }, 5);
    g.inc({ peer: "net-zero" });
    g.dec({ peer: "net-zero" });
    await page("conns");
  }
  assert.deepEqual([...(await page("conns")).keys()], ['peer="same"', 'peer="net-zero"']);
});

test("Histogram ttlSeconds: observations keep a series alive; an idle one goes", async () => {
  const { registry, clock, now, page } = clocked();
  const h = new Histogram({
    name: "lat_seconds",
    help: "L.",
    labelNames: ["route"],
    buckets: [1],
    ttlSeconds: 5,
    now,
    registry,
  });
  h.observe({ route: "/a" }, 0.5);
  h.observe({ route: "/b" }, 0.5);
  await page("lat_seconds_count");
  clock.t += 3_000;
  h.observe({ route: "/a" }, 0.5);
  await page("lat_seconds_count");
  clock.t += 3_000;
  assert.deepEqual([...(await page("lat_seconds_count"))], [['route="/a"', 2]]);
});

test("ttlSeconds: expiry happens at a scrape, never between them", async () => {
  const { registry, clock, now } = clocked();
  const c = new Counter({
    name: "x_total",
    help: "X.",
    labelNames: ["k"],
    ttlSeconds: 1,
    now,
    registry,
  });
  c.inc({ k: "a" });
  await registry.metrics();
  clock.t += 3_600_000;
  assert.equal(c.seriesCount, 1, "no timer: the series waits for the scrape");
  assert.equal(c.get({ k: "a" }), 1);
  await registry.metrics();
  assert.equal(c.seriesCount, 0);
});

test("CounterChild of an expired series brings it back with its new value at its next inc()", async () => {
  const { registry, clock, now, page } = clocked();
  const c = new Counter({
    name: "x_total",
    help: "X.",
    labelNames: ["k"],
    ttlSeconds: 10,
    now,
    registry,
  });
  const child = c.labels({ k: "a" });
  child.inc(4);
  await page("x_total");
  clock.t += 11_000;
  assert.equal((await page("x_total")).size, 0);
  child.inc(2);
  assert.deepEqual([...(await page("x_total"))], [['k="a"', 2]]);
  child.inc();
  assert.equal(c.get({ k: "a" }), 3);
});

test("GaugeChild and HistogramChild of an expired series bring it back at their next update", async () => {
  const { registry, clock, now, page } = clocked();
  const g = new Gauge({ name: "g", help: "G.", labelNames: ["k"], ttlSeconds: 10, now, registry });
  const h = new Histogram({
    name: "h",
    help: "H.",
    labelNames: ["k"],
    buckets: [1],
    ttlSeconds: 10,
    now,
    registry,
  });
  const gc = g.labels({ k: "a" });
  const hc = h.labels({ k: "a" });
  gc.set(3);
  hc.observe(0.5);
  await registry.metrics();
  clock.t += 11_000;
  await registry.metrics();
  assert.equal(g.seriesCount + h.seriesCount, 0);
  gc.set(9);
  hc.observe(2);
  assert.deepEqual([...(await page("g"))], [['k="a"', 9]]);
  assert.deepEqual([...(await page("h_count"))], [['k="a"', 1]]);
  assert.deepEqual([...(await page("h_sum"))], [['k="a"', 2]]);
});

test("GaugeChild.set() to the same value keeps a TTL series alive", async () => {
  const { registry, clock, now, page } = clocked();
  const g = new Gauge({ name: "g", help: "G.", labelNames: ["k"], ttlSeconds: 10, now, registry });
  const child = g.labels({ k: "a" });
  child.set(1);
  for (let i = 0; i < 5; i++) {
    await page("g");
    clock.t += 6_000;
    child.set(1);
  }
  assert.deepEqual([...(await page("g"))], [['k="a"', 1]]);
});

test("ttlSeconds with maxSeries: an expired series makes room for a new label set", async () => {
  const { registry, clock, now, page } = clocked();
  const c = new Counter({
    name: "x_total",
    help: "X.",
    labelNames: ["k"],
    maxSeries: 1,
    ttlSeconds: 10,
    now,
    registry,
  });
  c.inc({ k: "old" });
  await page("x_total");
  clock.t += 11_000;
  await page("x_total");
  c.inc({ k: "new" });
  assert.deepEqual([...(await page("x_total"))], [['k="new"', 1]]);
});

test("Metric.removeMatching() removes every series whose labels include the given ones", async () => {
  const registry = new Registry();
  const c = new Counter({
    name: "req_total",
    help: "R.",
    labelNames: ["tenant", "route", "code"],
    registry,
  });
  for (const tenant of ["a", "b"]) {
    for (const route of ["/x", "/y"]) {
      for (const code of [200, 500]) c.inc({ tenant, route, code });
    }
  }
  assert.equal(c.removeMatching({ tenant: "a", code: 500 }), 2);
  assert.equal(c.removeMatching({ route: "/y" }), 3);
  assert.equal(c.removeMatching({ tenant: "zzz" }), 0);
  assert.deepEqual([...(await series(await registry.metrics(), "req_total")).keys()], [
    'tenant="a",route="/x",code="200"',
    'tenant="b",route="/x",code="200"',
    'tenant="b",route="/x",code="500"',
  ]);
  assert.equal(c.removeMatching({}), 3);
  assert.equal(c.seriesCount, 0);
  c.inc({ tenant: "a", route: "/x", code: 200 });
  assert.equal(c.get({ tenant: "a", route: "/x", code: 200 }), 1);
});

test("Metric.removeMatching() rejects an unknown label or a bad value and removes nothing", () => {
  const g = new Gauge({ name: "g", help: "G.", labelNames: ["a", "b"], registry: null });
  g.set({ a: "1", b: "2" }, 1);
  assert.throws(() => g.removeMatching({ c: "1" } as never), /Metric "g" has no label "c"/);
  assert.throws(() => g.removeMatching({ a: null } as never), /label "a" must be a string/);
  assert.throws(() => g.removeMatching(null as never), /expects a label object/);
  assert.throws(
    () => new Gauge({ name: "h", help: "H.", registry: null }).removeMatching({}),
    /has no labels/,
  );
  assert.equal(g.seriesCount, 1);
});

test("CounterChild of a series removeMatching() took brings it back at its next inc()", async () => {
  const registry = new Registry();
  const c = new Counter({ name: "x_total", help: "X.", labelNames: ["k"], registry });
  const child = c.labels({ k: "a" });
  child.inc(5);
  c.removeMatching({ k: "a" });
  child.inc();
  assert.deepEqual([...series(await registry.metrics(), "x_total")], [['k="a"', 1]]);
});

test(
  "ttlSeconds: RemoteWriter sends a staleness marker for a series that expired, then no more",
  { skip: needs("go-snappy") },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "promedge-ttl-"));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const { registry, clock, now } = clocked();
    const c = new Counter({
      name: "jobs_total",
      help: "J.",
      labelNames: ["tenant"],
      ttlSeconds: 30,
      now,
      registry,
    });
    c.inc({ tenant: "gone" });
    c.inc({ tenant: "kept" });
    const bodies: Uint8Array[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      bodies.push(new Uint8Array(await new Response(init.body).arrayBuffer()));
      return Promise.resolve(new Response(null, { status: 204 }));
    }) as typeof globalThis.fetch;
    const writer = new RemoteWriter("http://receiver.test/write", { registry, fetch });
    for (let i = 0; i < 4; i++) {
      await writer.write();
      clock.t += 20_000;
      c.inc({ tenant: "kept" });
    }
    const sent = bodies.map((b, i) => {
      const f = join(dir, `w${i}`);
      writeFileSync(f, b);
      const req = JSON.parse(rwdecode("v1", [f])) as {
        timeseries?: {
          labels: { name: string[]; value: string[] }[];
          samples: { value: unknown[] }[];
        }[];
      };
      return new Map((req.timeseries ?? []).map((ts) => [
        ts.labels.map((l) => `${l.name[0]}=${l.value[0]}`).join(","),
        String(ts.samples[0].value[0]),
      ]));
    });
    const gone = "__name__=jobs_total,tenant=gone";
    assert.equal(sent[0].get(gone), "1");
    assert.equal(sent[1].get(gone), "1", "20 s unchanged: still there");
    assert.equal(sent[2].get(gone), "NaN:7ff0000000000002", "40 s: expired, marked stale");
    assert.equal(sent[2].get("__name__=jobs_total,tenant=kept"), "3");
    assert.equal(sent[3].has(gone), false, "marked once");
  },
);
