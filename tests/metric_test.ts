// What every metric type shares (src/metrics/_metric.ts): label values and help text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Counter, Gauge, Histogram, Info, openMetricsFormat, Registry, Summary } from "../mod.ts";
import { needs, promtool, pyParseMany } from "./_tools.ts";

const LONE = ["/a\uD800", "/a\uDC00", "/a\uD83D", "\uDC00\uD83D", "\uDE00/a"];
const VALID = ["/a\uD83D\uDE00", "/a\uD83D\uDE01", "/a\u00E9", "/a\uFFFD", "/a"];

/** Every call that takes label values, on a fresh metric of each type, with `p` as the value. */
function callsWith(p: string, registry: Registry): [string, () => unknown][] {
  const labelNames = ["path"] as const;
  const opts = { help: "h", labelNames, registry };
  const c = new Counter({ name: "c_total", ...opts });
  const g = new Gauge({ name: "g", ...opts });
  const h = new Histogram({ name: "h", ...opts });
  const s = new Summary({ name: "s", ...opts });
  const i = new Info({ name: "i", ...opts });
  const two = new Gauge({ name: "g2", help: "h", labelNames: ["path", "ok"], registry });
  const l = { path: p };
  return [
    ["Counter.inc", () => c.inc(l)],
    ["Counter.labels({})", () => c.labels(l)],
    ["Counter.labels(value)", () => c.labels(p)],
    ["Counter.remove({})", () => c.remove(l)],
    ["Counter.remove(value)", () => c.remove(p)],
    ["Counter.get", () => c.get(l)],
    ["Gauge.inc", () => g.inc(l)],
    ["Gauge.dec", () => g.dec(l)],
    ["Gauge.set", () => g.set(l, 1)],
    ["Gauge.setToCurrentTime", () => g.setToCurrentTime(l)],
    ["Gauge.startTimer start labels", () => g.startTimer(l)],
    ["Gauge.startTimer end labels", () => g.startTimer()(l)],
    ["Gauge.startTimer partial start labels", () => two.startTimer({ path: p })],
    ["Gauge.trackInProgress", () => g.trackInProgress(() => 1, l)],
    ["Gauge.labels", () => g.labels(l)],
    ["Histogram.observe", () => h.observe(l, 1)],
    ["Histogram.time", () => h.time(l, () => 1)],
    ["Histogram.startTimer start labels", () => h.startTimer(l)],
    ["Histogram.startTimer end labels", () => h.startTimer()(l)],
    ["Histogram.labels", () => h.labels(l)],
    ["Histogram.remove", () => h.remove(l)],
    ["Summary.observe", () => s.observe(l, 1)],
    ["Summary.time", () => s.time(l, () => 1)],
    ["Summary.startTimer start labels", () => s.startTimer(l)],
    ["Summary.labels", () => s.labels(l)],
    ["Summary.quantiles", () => s.quantiles(l)],
    ["Info.set", () => i.set(l)],
  ];
}

test("every call taking label values rejects a lone surrogate, naming the label, and creates nothing", async () => {
  for (const p of LONE) {
    const registry = new Registry();
    for (const [what, call] of callsWith(p, registry)) {
      assert.throws(call, (e: unknown) => {
        assert.ok(e instanceof TypeError, `${what}: ${e}`);
        assert.match(
          e.message,
          /^Metric "\w+" label "path": .* lone UTF-16 surrogate \(\\u[0-9A-F]{4} at index \d\)/,
        );
        assert.match(e.message, /toWellFormed\(\)/);
        return true;
      }, `${what} ${JSON.stringify(p)}`);
    }
    for (const m of registry.getAll()) assert.equal((m as Counter).seriesCount, 0);
    assert.doesNotMatch(await registry.metrics(), /path=/);
  }
});

test("label values with valid surrogate pairs, and U+FFFD itself, are accepted everywhere", () => {
  for (const p of VALID) {
    for (const [what, call] of callsWith(p, new Registry())) {
      assert.doesNotThrow(call, `${what} ${JSON.stringify(p)}`);
    }
  }
});

test("new Counter() etc. reject help text with a lone surrogate", () => {
  for (const M of [Counter, Gauge, Histogram, Summary, Info]) {
    assert.throws(
      () => new M({ name: "x", help: "Requests \uD83D.", registry: null }),
      /^TypeError: Metric "x" help: .* lone UTF-16 surrogate \(\\uD83D at index 9\)/,
    );
    new M({ name: "x", help: "Requests \uD83D\uDE00.", registry: null });
  }
});

test("a scraper reads back exactly the series held: lone surrogates never reach the page", {
  skip: needs("promtool", "python"),
}, async () => {
  // Before the check, the three lone values were kept apart here but all written as
  // "/a\uFFFD": promtool passed the page, the Python parser kept one of them, Prometheus
  // keeps the first and drops the others.
  const registry = new Registry();
  const c = new Counter({
    name: "hits_total",
    help: "h \uD83D\uDE00",
    labelNames: ["path"],
    registry,
  });
  const held = new Map<string, number>();
  let n = 0;
  for (const p of [...LONE, ...VALID]) {
    n++;
    try {
      c.inc({ path: p }, n);
      held.set(p, n);
    } catch (e) {
      assert.ok(e instanceof TypeError);
    }
  }
  assert.deepEqual([...held.keys()], VALID);
  const text = await registry.metrics();
  const check = promtool(text);
  assert.equal(check.code, 0, check.output);
  const pages = [
    { text, om: false },
    { text: await registry.metrics({ format: openMetricsFormat }), om: true },
  ];
  for (const res of pyParseMany(pages)) {
    assert.equal(res.error, undefined);
    const fam = res.families!.find((f) => f.name === "hits")!;
    assert.equal(fam.help, "h \uD83D\uDE00");
    const seen = new Map(
      fam.samples.filter((s) => s.name === "hits_total").map((s) => [s.labels.path, s.value]),
    );
    assert.deepEqual(seen, held, "every held series, each with its own value");
  }
});

/** The sample lines of a text page, as `name{labels} value` strings, without comments. */
async function samples(registry: Registry, prefix: string): Promise<string[]> {
  return (await registry.metrics()).split("\n").filter((l) => l.startsWith(prefix));
}

test("a bound child brings its series back, from zero, after reset() and remove()", async () => {
  const registry = new Registry();
  const labelNames = ["q", "v"] as const;
  const c = new Counter({ name: "req_total", help: "h", labelNames, registry });
  const g = new Gauge({ name: "temp", help: "h", labelNames, registry });
  const h = new Histogram({ name: "lat", help: "h", labelNames, registry, buckets: [1] });
  const s = new Summary({ name: "dur", help: "h", labelNames, registry, percentiles: [] });
  // Values the label text escapes (a quote, a backslash, a newline, a backslash then "n"): still
  // the same series when the child comes back.
  const l = { q: 'mail "x"\\\n,y=z', v: "\\n" };
  const cc = c.labels(l), gc = g.labels(l), hc = h.labels(l), sc = s.labels(l);
  const timed = h.time(l, () => 0);
  const text = 'q="mail \\"x\\"\\\\\\n,y=z",v="\\\\n"';
  cc.inc(3), gc.set(7), hc.observe(0.5), sc.observe(2), timed();
  for (const takeOut of ["reset", "remove"] as const) {
    for (const m of [c, g, h, s]) {
      if (takeOut === "reset") m.reset();
      else m.remove(l);
      assert.equal(m.seriesCount, 0, `${m.name} ${takeOut}`);
    }
    assert.equal(cc.get(), 0, "get() of a taken-out child reads 0 ...");
    assert.equal(gc.get(), 0);
    assert.equal(c.seriesCount + g.seriesCount, 0, "... and creates nothing");
    assert.deepEqual(await samples(registry, "req_total"), [], takeOut);
    cc.inc(5);
    gc.dec(2);
    hc.observe(2);
    sc.observe(4);
    timed();
    assert.deepEqual(await samples(registry, "req_total"), [`req_total{${text}} 5`], takeOut);
    assert.deepEqual(await samples(registry, "temp"), [`temp{${text}} -2`], takeOut);
    assert.deepEqual(await samples(registry, "lat_count"), [`lat_count{${text}} 2`], takeOut);
    assert.deepEqual(await samples(registry, "lat_bucket{" + text + ',le="+Inf"}'), [
      `lat_bucket{${text},le="+Inf"} 2`,
    ]);
    assert.deepEqual(await samples(registry, "dur"), [
      `dur_sum{${text}} 4`,
      `dur_count{${text}} 1`,
    ]);
  }
});

test("a bound child joins the series that replaced its own, never a duplicate", async () => {
  const registry = new Registry();
  const c = new Counter({ name: "req_total", help: "h", labelNames: ["q"], registry });
  const a = c.labels({ q: "mail" });
  const b = c.labels("mail");
  c.reset();
  c.inc({ q: "mail" }, 2); // recreated by the metric itself
  a.inc();
  b.inc();
  c.remove("mail");
  b.inc(10);
  a.inc(20);
  assert.equal(c.seriesCount, 1);
  assert.equal(a.get(), 30);
  assert.deepEqual(await samples(registry, "req_total"), ['req_total{q="mail"} 30']);
});

test("a rejected update of a taken-out child brings nothing back; a valid one does", async () => {
  const registry = new Registry();
  const c = new Counter({ name: "req_total", help: "h", labelNames: ["q"], registry });
  const g = new Gauge({ name: "temp", help: "h", labelNames: ["q"], registry });
  const h = new Histogram({ name: "lat", help: "h", labelNames: ["q"], registry });
  const s = new Summary({ name: "dur", help: "h", labelNames: ["q"], registry });
  const children = [c.labels("x"), g.labels("x"), h.labels("x"), s.labels("x")];
  for (const m of [c, g, h, s]) m.reset();
  const [cc, gc, hc, sc] = children as [
    ReturnType<typeof c.labels>,
    ReturnType<typeof g.labels>,
    ReturnType<typeof h.labels>,
    ReturnType<typeof s.labels>,
  ];
  assert.throws(() => cc.inc(-1), RangeError);
  assert.throws(() => cc.inc(NaN), RangeError);
  assert.throws(() => gc.inc(Infinity), RangeError);
  assert.throws(() => gc.set("1" as unknown as number), TypeError);
  assert.throws(() => hc.observe(NaN), RangeError);
  assert.throws(() => sc.observe(Infinity), RangeError);
  for (const m of [c, g, h, s]) assert.equal(m.seriesCount, 0, m.name);
  assert.doesNotMatch(await registry.metrics(), /q="x"/);
  gc.set(5); // set() after a reset, the one update that tests the flag
  cc.inc();
  assert.deepEqual(await samples(registry, "temp"), ['temp{q="x"} 5']);
  assert.deepEqual(await samples(registry, "req_total"), ['req_total{q="x"} 1']);
});
