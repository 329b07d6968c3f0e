// Aggregation: the state codec, the merge rules, retirement, persistence and the transports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Counter, Gauge, Histogram, Info, openMetricsFormat, Registry, Summary } from "../mod.ts";
import {
  AggregationSource,
  Aggregator,
  type AggregatorStore,
  createAggregatorHandler,
  listenCluster,
  listenPort,
  portSender,
  StateError,
} from "../src/aggregate/mod.ts";
import { decodeState, encodeState } from "../src/aggregate/_codec.ts";
import { chunkedStore } from "../src/aggregate/_chunks.ts";
import { cloudflareStorage } from "./_storage.ts";
import { needs, promtool, pyParse, sampleValue } from "./_tools.ts";

/** One worker: its own registry with one metric of each kind, and a source sending to `sink`. */
function worker(sink: (b: Uint8Array) => void, id?: string) {
  const registry = new Registry();
  const m = {
    requests: new Counter({
      name: "requests_total",
      help: "Requests.",
      labelNames: ["route"],
      registry,
    }),
    inflight: new Gauge({ name: "inflight", help: "In flight.", registry }),
    latency: new Histogram({
      name: "latency_seconds",
      help: "Latency.",
      buckets: [0.1, 1],
      registry,
    }),
    sizes: new Summary({ name: "sizes_bytes", help: "Sizes.", percentiles: [0.5, 0.99], registry }),
  };
  const source = new AggregationSource({ registry, send: sink, id });
  return { registry, source, ...m };
}

/** Captures what a source sends instead of delivering it. */
function capture() {
  const sent: Uint8Array[] = [];
  return { sent, send: (b: Uint8Array) => void sent.push(b) };
}

async function page(agg: Aggregator, om = false) {
  return await agg.registry.metrics({ format: om ? openMetricsFormat : undefined });
}

function clock(start = 1_800_000_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

test("Aggregator adds counters, histograms and summary counts of every source exactly", {
  skip: needs("promtool", "python"),
}, async () => {
  const agg = new Aggregator();
  const sink = (b: Uint8Array) => void agg.ingest(b);
  const ws = [worker(sink), worker(sink), worker(sink)];
  ws.forEach((w, i) => {
    w.requests.inc({ route: "/a" }, i + 1);
    w.requests.inc({ route: 'we"ird\\\n✓' });
    w.latency.observe(0.05);
    w.latency.observe(0.5 * (i + 1));
    w.sizes.observe(100 * (i + 1));
  });
  for (const w of ws) await w.source.flush();
  const text = await page(agg);
  const r = promtool(text);
  assert.equal(r.code, 0, r.output);
  const fams = pyParse(await page(agg, true), true);
  assert.equal(sampleValue(fams, "requests_total", { route: "/a" }), 6);
  assert.equal(sampleValue(fams, "requests_total", { route: 'we"ird\\\n✓' }), 3);
  assert.equal(sampleValue(fams, "latency_seconds_bucket", { le: "0.1" }), 3);
  assert.equal(sampleValue(fams, "latency_seconds_bucket", { le: "1.0" }), 5);
  assert.equal(sampleValue(fams, "latency_seconds_count"), 6);
  const sum = sampleValue(fams, "latency_seconds_sum") as number;
  assert.ok(Math.abs(sum - 3.15) < 1e-12, String(sum));
  assert.equal(sampleValue(fams, "sizes_bytes_count"), 3);
  assert.equal(sampleValue(fams, "sizes_bytes_sum"), 600);
  assert.equal(sampleValue(fams, "promedge_aggregation_sources"), 3);
});

test("Aggregator.ingest() keeps the highest sequence per source: repeated, late and lost messages change nothing", async () => {
  const agg = new Aggregator();
  const cap = capture();
  const w = worker(cap.send);
  for (let i = 1; i <= 4; i++) {
    w.requests.inc({ route: "/" });
    await w.source.flush();
  }
  // Message 3 is lost; 4 arrives first, then 2, then 4 again, then 1.
  assert.equal(agg.ingest(cap.sent[3]).status, "accepted");
  assert.equal(agg.ingest(cap.sent[1]).status, "stale");
  assert.equal(agg.ingest(cap.sent[3]).status, "stale");
  assert.equal(agg.ingest(cap.sent[0]).status, "stale");
  assert.match(await page(agg), /^requests_total\{route="\/"\} 4$/m);
  assert.match(await page(agg), /^promedge_aggregation_messages_total\{result="stale"\} 3$/m);
});

test("Aggregator merges gauges by the chosen mode: sum, min, max, average, last, first, source", async () => {
  const c = clock();
  const agg = new Aggregator({
    now: c.now,
    gauges: {
      g_min: "min",
      g_max: "max",
      g_avg: "average",
      g_last: "last",
      g_first: "first",
      g_src: "source",
    },
  });
  const values = [5, -2, 9];
  // Sent in the order w2, w0, w1: "last" is the latest received, "first" the first by source id.
  for (const i of [2, 0, 1]) {
    const registry = new Registry();
    for (const name of ["g_sum", "g_min", "g_max", "g_avg", "g_last", "g_first", "g_src"]) {
      const g = new Gauge({ name, help: "G.", labelNames: ["k"], registry });
      g.set({ k: "all" }, values[i]);
      if (i === 1) g.set({ k: "one" }, 0.5); // a series only w1 has
    }
    c.t += 1000;
    await new AggregationSource({ registry, id: `w${i}`, send: (b) => void agg.ingest(b) }).flush();
  }
  const text = await page(agg);
  const expected = { g_sum: 12, g_min: -2, g_max: 9, g_avg: 4, g_last: -2, g_first: 5 };
  for (const [name, v] of Object.entries(expected)) {
    assert.match(text, new RegExp(`^${name}\\{k="all"\\} ${v}$`, "m"), name);
    assert.match(text, new RegExp(`^${name}\\{k="one"\\} 0.5$`, "m"), name);
  }
  for (let i = 0; i < 3; i++) {
    assert.match(text, new RegExp(`^g_src\\{k="all",source="w${i}"\\} ${values[i]}$`, "m"));
  }
  assert.throws(
    () => new Aggregator({ gauges: { x: "avg" as never } }),
    /Aggregator: gauge "x" has mode "avg"; use "sum", "min", "max", "average", "last", "first", "source"/,
  );
});

test("Aggregator.setGaugeMode() changes a gauge's merge from the next scrape on", async () => {
  const agg = new Aggregator();
  for (let i = 0; i < 2; i++) {
    const registry = new Registry();
    new Gauge({ name: "depth", help: "D.", registry }).set(i + 3);
    new Gauge({ name: "mine", help: "M.", labelNames: ["source"], registry }).set(
      { source: "a" },
      1,
    );
    await new AggregationSource({ registry, send: (b) => void agg.ingest(b) }).flush();
  }
  assert.match(await page(agg), /^depth 7$/m);
  agg.setGaugeMode("depth", "max");
  assert.match(await page(agg), /^depth 4$/m);
  agg.setGaugeMode("depth", "average");
  assert.match(await page(agg), /^depth 3.5$/m);
  assert.throws(
    () => agg.setGaugeMode("mine", "source"),
    /gauge "mine" has a label "source" of its own, which mode "source" adds; pick another mode/,
  );
  assert.throws(
    () => agg.setGaugeMode("depth", "median" as never),
    /Aggregator\.setGaugeMode\(\): gauge "depth" has mode "median"; use "sum"/,
  );
  assert.match(await page(agg), /^depth 3.5$/m, "a refused mode changes nothing");
});

test("Aggregator summary quantiles cover every source's observations within the sketch's error", async () => {
  const agg = new Aggregator();
  const all: number[] = [];
  let seed = 7;
  const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let w = 0; w < 4; w++) {
    const x = worker((b) => void agg.ingest(b));
    // Each worker sees another range: a per-worker quantile would be far off.
    for (let i = 0; i < 2000; i++) {
      const v = Math.exp(rnd() * 5) * (w + 1) * 10;
      x.sizes.observe(v);
      all.push(v);
    }
    await x.source.flush();
  }
  all.sort((a, b) => a - b);
  const text = await page(agg);
  for (const q of [0.5, 0.99]) {
    const truth = all[Math.round(q * (all.length - 1))];
    const got = Number(
      text.match(new RegExp(`^sizes_bytes\\{quantile="${q}"\\} (\\S+)$`, "m"))![1],
    );
    assert.ok(Math.abs(got - truth) / truth <= 0.0101, `q=${q}: ${got} vs true ${truth}`);
  }
});

test("Aggregator retires a silent source: its counters stay, its gauges go, and a new source continues", async () => {
  const c = clock();
  const agg = new Aggregator({ now: c.now, retireAfterMs: 10_000, forgetAfterMs: 60_000 });
  const cap1 = capture();
  const a = worker(cap1.send, "a");
  a.requests.inc({ route: "/" }, 5);
  a.inflight.set(3);
  a.sizes.observe(1);
  await a.source.flush();
  agg.ingest(cap1.sent.at(-1)!);
  const b = worker((x) => void agg.ingest(x), "b");
  b.requests.inc({ route: "/" }, 2);
  b.inflight.set(4);
  await b.source.flush();
  assert.match(await page(agg), /^requests_total\{route="\/"\} 7$/m);
  assert.match(await page(agg), /^inflight 7$/m);
  c.t += 11_000;
  await b.source.flush(); // b keeps reporting; a is silent and retires
  let text = await page(agg);
  assert.match(text, /^requests_total\{route="\/"\} 7$/m);
  assert.match(text, /^inflight 4$/m);
  assert.match(text, /^sizes_bytes_count 1$/m);
  assert.match(text, /^promedge_aggregation_sources 1$/m);
  assert.match(text, /^promedge_aggregation_retired_sources 1$/m);
  // a reports again before it is forgotten: it rejoins, counted once.
  a.requests.inc({ route: "/" });
  await a.source.flush();
  agg.ingest(cap1.sent.at(-1)!);
  assert.match(await page(agg), /^requests_total\{route="\/"\} 8$/m);
  // a goes silent for good: retired, then folded into the retained totals.
  c.t += 11_000;
  await b.source.flush();
  c.t += 61_000;
  b.requests.inc({ route: "/" });
  await b.source.flush();
  text = await page(agg);
  assert.match(text, /^requests_total\{route="\/"\} 9$/m);
  assert.match(text, /^promedge_aggregation_retired_sources 0$/m);
  // A message from a folded source changes nothing.
  a.requests.inc({ route: "/" }, 100);
  await a.source.flush();
  assert.equal(agg.ingest(cap1.sent.at(-1)!).status, "forgotten");
  assert.match(await page(agg), /^requests_total\{route="\/"\} 9$/m);
});

/** `bytes` with the run start `start` (0: none), re-encoded. */
function restamp(bytes: Uint8Array, start: number): Uint8Array {
  return encodeState({ ...decodeState(bytes, Date.now()), start });
}

/** `bytes` as the version-2 codec wrote them (no run start): a source of before. */
function asVersion2(bytes: Uint8Array): Uint8Array {
  const state = decodeState(bytes, Date.now());
  const v3 = encodeState({ ...state, start: 0 });
  const idBytes = new TextEncoder().encode(state.source).length;
  assert.ok(idBytes < 128 && state.seq < 128, "one-byte lengths in this helper");
  const at = 2 + 1 + 1 + 1 + idBytes + 1 + 8; // magic, version, flags, id, seq, time
  const v2 = new Uint8Array(v3.length - 8);
  v2.set(v3.subarray(0, at));
  v2.set(v3.subarray(at + 8), at);
  v2[2] = 2;
  return v2;
}

test("Aggregator keeps a source's last run in the totals when it restarts under the same id", async () => {
  const agg = new Aggregator();
  const cap1 = capture();
  const run1 = worker(cap1.send, "host-a");
  run1.requests.inc({ route: "/" }, 5);
  run1.inflight.set(7);
  run1.latency.observe(0.5);
  for (let i = 0; i < 3; i++) await run1.source.flush();
  const t0 = Date.now();
  assert.equal(agg.ingest(restamp(cap1.sent[2], t0)).status, "accepted");
  const other = worker((x) => void agg.ingest(x), "host-b");
  other.requests.inc({ route: "/" }, 1);
  await other.source.flush();
  // The process restarts: the same id, counting from zero, sequence 1 again.
  const cap2 = capture();
  const run2 = worker(cap2.send, "host-a");
  run2.requests.inc({ route: "/" }, 2);
  run2.inflight.set(1);
  await run2.source.flush();
  assert.equal(agg.ingest(restamp(cap2.sent[0], t0 + 60_000)).status, "accepted");
  let text = await page(agg);
  assert.match(text, /^requests_total\{route="\/"\} 8$/m); // 5 + 1 + 2: nothing lost, no reset
  assert.match(text, /^latency_seconds_count 1$/m);
  assert.match(text, /^inflight 1$/m); // run1's gauge went with it
  assert.match(text, /^promedge_aggregation_sources 2$/m);
  assert.match(text, /^promedge_aggregation_source_restarts_total 1$/m);
  // A late message of the first run changes nothing; the second run goes on.
  run1.requests.inc({ route: "/" }, 100);
  await run1.source.flush();
  assert.equal(agg.ingest(restamp(cap1.sent.at(-1)!, t0)).status, "stale");
  run2.requests.inc({ route: "/" });
  await run2.source.flush();
  assert.equal(agg.ingest(restamp(cap2.sent.at(-1)!, t0 + 60_000)).status, "accepted");
  text = await page(agg);
  assert.match(text, /^requests_total\{route="\/"\} 9$/m);
  assert.match(text, /^promedge_aggregation_source_restarts_total 1$/m);
});

test("Aggregator takes a source's run started after its id was forgotten, and none of the run before", async () => {
  const c = clock();
  const agg = new Aggregator({ now: c.now, retireAfterMs: 10_000, forgetAfterMs: 60_000 });
  const cap = capture();
  const run1 = worker(cap.send, "a");
  run1.requests.inc({ route: "/" }, 5);
  await run1.source.flush();
  agg.ingest(restamp(cap.sent[0], c.t));
  const t0 = c.t;
  c.t += 11_000;
  agg.sweep(); // retired
  c.t += 61_000;
  agg.sweep(); // forgotten: its 5 folded into the retained totals
  assert.match(await page(agg), /^requests_total\{route="\/"\} 5$/m);
  run1.requests.inc({ route: "/" });
  await run1.source.flush();
  assert.equal(agg.ingest(restamp(cap.sent[1], t0)).status, "forgotten");
  const cap2 = capture();
  const run2 = worker(cap2.send, "a");
  run2.requests.inc({ route: "/" }, 2);
  await run2.source.flush();
  assert.equal(agg.ingest(restamp(cap2.sent[0], c.t + 1)).status, "accepted");
  assert.match(await page(agg), /^requests_total\{route="\/"\} 7$/m);
});

test("Aggregator tells a forgotten source's next run by the source's own clock: skew neither drops the new run nor counts the old one twice", async () => {
  const c = clock();
  const agg = new Aggregator({ now: c.now, retireAfterMs: 10_000, forgetAfterMs: 60_000 });
  // "behind" runs 5 minutes behind the aggregator's clock, "ahead" 2 hours ahead.
  const skews = { behind: -300_000, ahead: 7_200_000 };
  const caps = { behind: capture(), ahead: capture() };
  const runs = {
    behind: worker(caps.behind.send, "behind"),
    ahead: worker(caps.ahead.send, "ahead"),
  };
  const t0 = c.t;
  for (const id of ["behind", "ahead"] as const) {
    runs[id].requests.inc({ route: "/" }, 5);
    await runs[id].source.flush();
    assert.equal(agg.ingest(restamp(caps[id].sent[0], t0 + skews[id])).status, "accepted");
  }
  c.t += 11_000;
  agg.sweep(); // retired
  c.t += 61_000;
  agg.sweep(); // forgotten: both 5s folded into the retained totals
  assert.match(await page(agg), /^requests_total\{route="\/"\} 10$/m);
  // The run of "ahead" that was folded reaches the aggregator again (a partition healed).
  runs.ahead.requests.inc({ route: "/" });
  await runs.ahead.source.flush();
  assert.equal(agg.ingest(restamp(caps.ahead.sent[1], t0 + skews.ahead)).status, "forgotten");
  // "behind" restarts a second after it was forgotten (on its clock: 5 minutes before).
  const cap2 = capture();
  const run2 = worker(cap2.send, "behind");
  run2.requests.inc({ route: "/" }, 2);
  await run2.source.flush();
  assert.equal(agg.ingest(restamp(cap2.sent[0], c.t + 1000 + skews.behind)).status, "accepted");
  assert.match(await page(agg), /^requests_total\{route="\/"\} 12$/m);
});

test("AggregationSource: a new source over the same registry and id continues its run, counted once (it is no restart)", async () => {
  const agg = new Aggregator();
  const registry = new Registry();
  const jobs = new Counter({ name: "jobs_total", help: "Jobs.", registry });
  const send = (b: Uint8Array) => void agg.ingest(b);
  jobs.inc(5);
  const first = new AggregationSource({ registry, send, id: "host-a" });
  for (let i = 0; i < 3; i++) await first.flush();
  await new Promise((r) => setTimeout(r, 5)); // a later millisecond
  jobs.inc(1);
  // The process makes its sender again (another transport), over the same registry.
  const again = new AggregationSource({ registry, send, id: "host-a" });
  assert.equal(agg.ingest(await again.encode()).status, "accepted");
  const text = await page(agg);
  assert.match(text, /^jobs_total 6$/m);
  assert.match(text, /^promedge_aggregation_source_restarts_total 0$/m);
});

test("Aggregator.ingest() refuses a state whose run start is NaN, negative or infinite, changing nothing", async () => {
  const agg = new Aggregator();
  const cap = capture();
  const w = worker(cap.send, "h");
  w.requests.inc({ route: "/" }, 3);
  await w.source.flush();
  await w.source.flush();
  assert.equal(agg.ingest(cap.sent[0]).status, "accepted");
  const before = await page(agg);
  for (const start of [NaN, -1, -Infinity, Infinity]) {
    assert.throws(
      () => agg.ingest(restamp(cap.sent[1], start)),
      (e: Error) =>
        e instanceof StateError && /the start time is not a finite number >= 0/.test(e.message),
      String(start),
    );
  }
  const after = await page(agg);
  assert.match(after, /^requests_total\{route="\/"\} 3$/m);
  assert.equal(
    after.replace(/^promedge_aggregation_(messages_total|oldest).*\n/gm, ""),
    before.replace(/^promedge_aggregation_(messages_total|oldest).*\n/gm, ""),
  );
  assert.match(after, /^promedge_aggregation_messages_total\{result="invalid"\} 4$/m);
});

test("Aggregator reads version-2 states (no run start) and counts a version-3 run after one as a restart", async () => {
  const agg = new Aggregator();
  const cap = capture();
  const old = worker(cap.send, "h");
  old.requests.inc({ route: "/" }, 4);
  await old.source.flush();
  await old.source.flush();
  const v2 = asVersion2(cap.sent[1]);
  assert.equal(v2[2], 2);
  assert.equal(decodeState(v2, Date.now()).start, undefined);
  assert.equal(agg.ingest(v2).status, "accepted");
  assert.equal(agg.ingest(asVersion2(cap.sent[0])).status, "stale");
  const cap2 = capture();
  const upgraded = worker(cap2.send, "h");
  upgraded.requests.inc({ route: "/" }, 1);
  await upgraded.source.flush();
  assert.equal(cap2.sent[0][2], 3, "this version writes version 3");
  assert.equal(agg.ingest(cap2.sent[0]).status, "accepted");
  assert.match(await page(agg), /^requests_total\{route="\/"\} 5$/m);
  assert.throws(
    () => agg.ingest(Uint8Array.from([0x70, 0x61, 4, 0])),
    (e: Error) =>
      e instanceof StateError &&
      /version 4, but this aggregator reads versions 2 and 3/.test(e.message),
  );
});

test("Aggregator.restore() brings back live, retired and retained totals from its store", async () => {
  const c = clock();
  const kept = new Map<string, Uint8Array>();
  const store: AggregatorStore = {
    put: (k, v) => kept.set(k, v),
    delete: (k) => kept.delete(k),
  };
  const opts = { now: c.now, retireAfterMs: 1000, forgetAfterMs: 5000, store };
  const agg = new Aggregator(opts);
  // a reports at 0 (retired at 1500, folded at 7000), b at 1500 (retired at 7000), c at 7000.
  const times = { a: 0, b: 1500, c: 7000 };
  for (const [id, at] of Object.entries(times)) {
    c.t = 1_800_000_000_000 + at;
    const w = worker((x) => void agg.ingest(x), id);
    w.requests.inc({ route: "/" }, 10);
    w.sizes.observe(id.charCodeAt(0));
    w.inflight.set(1);
    await w.source.flush();
  }
  await page(agg);
  assert.deepEqual([...kept.keys()].sort(), ["base", "forgotten", "live:c", "retired:b"]);
  const before = (await page(agg)).replace(/^promedge_aggregation_messages.*\n/gm, "");
  // The process (or Durable Object) restarts: a new aggregator reads the store.
  const again = new Aggregator(opts);
  assert.deepEqual(again.restore(kept), []);
  const after = (await page(again)).replace(/^promedge_aggregation_messages.*\n/gm, "");
  assert.equal(after, before);
  assert.match(after, /^requests_total\{route="\/"\} 30$/m);
  assert.match(after, /^inflight 1$/m);
  assert.match(after, /^sizes_bytes_count 3$/m);
});

test("Aggregator counts exactly while its store fails: no throw, no unhandled rejection, failures counted", async () => {
  for (const how of ["throws", "rejects"] as const) {
    const fail = () => {
      if (how === "throws") throw new Error("storage is gone");
      return Promise.reject(new Error("storage is gone"));
    };
    await noUnhandled(how, async () => {
      const c = clock();
      const agg = new Aggregator({
        now: c.now,
        retireAfterMs: 1000,
        forgetAfterMs: 1000,
        store: { put: fail, delete: fail },
      });
      const a = worker((x) => void agg.ingest(x), "a");
      const b = worker((x) => void agg.ingest(x), "b");
      a.requests.inc({ route: "/" }, 10);
      b.requests.inc({ route: "/" }, 5);
      await a.source.flush(); // each ingest writes to the store
      await b.source.flush();
      assert.match(await page(agg), /^requests_total\{route="\/"\} 15$/m, how);
      // a goes silent: retired, then folded into the retained totals; b keeps reporting.
      for (let i = 0; i < 4; i++) {
        c.t += 800;
        b.requests.inc({ route: "/" });
        await b.source.flush();
        assert.match(
          await page(agg),
          new RegExp(`^requests_total\\{route="/"\\} ${16 + i}$`, "m"),
          how,
        );
      }
      assert.equal(agg.sources, 1, how);
      await new Promise((r) => setTimeout(r, 20));
      const failed = (await page(agg)).match(/^promedge_aggregation_store_failures_total (\d+)$/m);
      assert.ok(failed && Number(failed[1]) >= 6, `${how}: ${failed?.[0]}`);
    });
  }
});

test("aggregatorObject's chunked store: a storage whose deletes fail leaves no unhandled rejection, and still restores", async () => {
  await noUnhandled("chunked", async () => {
    const cf = cloudflareStorage();
    const storage = { ...cf.storage, delete: () => Promise.reject(new Error("delete failed")) };
    const { store, load } = chunkedStore(storage, 64); // every state spans several chunks
    const c = clock();
    const agg = new Aggregator({ now: c.now, retireAfterMs: 1000, store });
    const a = worker((x) => void agg.ingest(x), "a");
    a.requests.inc({ route: "/" }, 7);
    await a.source.flush();
    c.t += 2000; // a retires: its live value (and chunks) are deleted, its retired value written
    assert.equal(agg.sources, 0);
    cf.data.set("chunk:1:stale", new Uint8Array(3)); // a chunk no head counts
    const again = new Aggregator({ now: c.now, retireAfterMs: 1000 });
    again.restore(await load());
    assert.match(await page(again), /^requests_total\{route="\/"\} 7$/m);
  });
});

/** Runs `f`, failing when it leaves an unhandled rejection (Node and Bun: process; Deno: the window event). */
async function noUnhandled(what: string, f: () => Promise<void>): Promise<void> {
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
  assert.deepEqual(seen, [], `${what}: no unhandled rejection`);
}

test("Aggregator keeps a windowed summary's slots until they leave the window on its own clock", async () => {
  const c = clock();
  const agg = new Aggregator({ now: c.now, retireAfterMs: 1e9 });
  const registry = new Registry();
  let t = 1_000_000;
  const s = new Summary({
    name: "w_seconds",
    help: "W.",
    percentiles: [0.5],
    maxAgeSeconds: 10,
    ageBuckets: 2,
    registry,
    now: () => t,
  });
  for (let i = 1; i <= 9; i++) s.observe(i);
  await new AggregationSource({ registry, send: (b) => void agg.ingest(b) }).flush();
  assert.match(await page(agg), /^w_seconds\{quantile="0.5"\} 4\.9\d*$/m);
  c.t += 10_001; // the aggregator's clock passes the window: the observations age out
  t += 10_001;
  assert.match(await page(agg), /^w_seconds\{quantile="0.5"\} NaN$/m);
  assert.match(await page(agg), /^w_seconds_count 9$/m);
});

test(
  "Aggregator leaves out a family whose type, labels or buckets clash, and the page stays valid",
  {
    skip: needs("promtool"),
  },
  async () => {
    const agg = new Aggregator();
    const r1 = new Registry();
    new Counter({ name: "jobs_total", help: "J.", registry: r1 }).inc(2);
    new Histogram({ name: "h", help: "H.", buckets: [1, 2], registry: r1 }).observe(1);
    await new AggregationSource({ registry: r1, send: (b) => void agg.ingest(b) }).flush();
    const r2 = new Registry();
    new Gauge({ name: "jobs_total", help: "J.", registry: r2 }).set(-5);
    new Histogram({ name: "h", help: "H.", buckets: [1, 5], registry: r2 }).observe(1);
    new Counter({ name: "ok_total", help: "O.", registry: r2 }).inc();
    const r = agg.ingest(await new AggregationSource({ registry: r2, send: () => {} }).encode());
    assert.equal(r.status, "accepted");
    assert.equal(r.conflicts.length, 2);
    assert.match(r.conflicts[0], /sends "h" with buckets \[1,5\], but the aggregator has \[1,2\]/);
    assert.match(
      r.conflicts[1],
      /sends "jobs_total" as a gauge, but the aggregator has it as a counter/,
    );
    const text = await page(agg);
    assert.equal(promtool(text).code, 0, promtool(text).output);
    assert.match(text, /^jobs_total 2$/m);
    assert.match(text, /^ok_total 1$/m);
    assert.match(text, /^promedge_aggregation_conflicts_total\{family="jobs_total"\} 1$/m);
  },
);

test("Aggregator.ingest() rejects bad messages with a StateError and changes nothing", async () => {
  const agg = new Aggregator();
  const w = worker(() => {});
  w.requests.inc({ route: "/x" }, 3);
  w.latency.observe(0.2);
  w.sizes.observe(7);
  w.inflight.set(2);
  const good = await w.source.encode();
  const empty = await page(agg);
  // Every truncation.
  for (let n = 0; n < good.length; n++) {
    assert.throws(() => agg.ingest(good.subarray(0, n)), StateError, `cut at ${n}`);
  }
  // Trailing bytes, wrong magic, wrong version, not bytes.
  assert.throws(() => agg.ingest(new Uint8Array([...good, 0])), /bytes after the end/);
  assert.throws(() => agg.ingest(new Uint8Array([1, 2, 3])), /no "pa" magic/);
  const v1 = good.slice();
  v1[2] = 1;
  assert.throws(() => agg.ingest(v1), /version 1, but this aggregator reads versions 2 and 3/);
  assert.throws(() => agg.ingest("x" as never), StateError);
  // A count far beyond the bytes there are.
  const huge = encodeState({
    source: "h",
    seq: 1,
    time: 0,
    families: [],
  });
  huge[huge.length - 1] = 0xff;
  const hostile = new Uint8Array([...huge, 0xff, 0xff, 0xff, 0xff, 0x7f]);
  assert.throws(() => agg.ingest(hostile), /count \d+ exceeds the \d+ bytes left/);
  // A NaN or negative counter; a histogram or sketch whose counts disagree.
  const fam = (type: "counter" | "summary", value: number) => ({
    source: "n",
    seq: 1,
    time: 0,
    families: [{
      name: "bad",
      help: "",
      type,
      unit: undefined,
      labelNames: [],
      percentiles: [],
      maxAgeMs: 0,
      series: [{ labels: [], labelText: "", created: 0, value, sum: value, count: 0 }],
    }],
  });
  assert.throws(() => agg.ingest(encodeState(fam("counter", NaN))), /counter "bad" has value NaN/);
  assert.throws(() => agg.ingest(encodeState(fam("counter", -1))), /counter "bad" has value -1/);
  assert.throws(() => agg.ingest(encodeState(fam("summary", NaN))), /summary "bad" has sum NaN/);
  // Random garbage, many times: a StateError each time, never anything else.
  let seed = 1;
  for (let i = 0; i < 2000; i++) {
    const b = good.slice();
    for (let k = 0; k < 3; k++) {
      seed = (seed * 48271) % 2147483647;
      b[3 + (seed % (b.length - 3))] = seed & 0xff;
    }
    try {
      agg.ingest(b);
    } catch (e) {
      assert.ok(e instanceof StateError, String(e));
    }
  }
  // Whatever got through is a valid page.
  assert.ok(empty.length > 0);
  assert.match(await page(agg), /# TYPE promedge_aggregation_sources gauge/);
});

test("createAggregatorHandler() takes POSTed states, answers 400 to bad bodies, serves the page", async () => {
  const agg = new Aggregator();
  const handle = createAggregatorHandler(agg, { maxBytes: 1000 });
  const w = worker(() => {});
  w.requests.inc({ route: "/" }, 4);
  const post = (body: BodyInit) => handle(new Request("http://x/", { method: "POST", body }));
  const ok = await post((await w.source.encode()) as Uint8Array<ArrayBuffer>);
  assert.equal(ok.status, 200);
  assert.equal((await ok.text()).trim(), "accepted");
  const bad = await handle(
    new Request("http://x/", {
      method: "POST",
      body: "hello",
      headers: { "content-type": "application/x-promedge-state" },
    }),
  );
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /not a promedge aggregation state/);
  assert.equal((await post(new Uint8Array(2000))).status, 413);
  assert.equal((await handle(new Request("http://x/", { method: "PUT" }))).status, 405);
  const res = await handle(new Request("http://x/metrics"));
  assert.equal(res.status, 200);
  assert.match(await res.text(), /^requests_total\{route="\/"\} 4$/m);
});

test("portSender() and listenPort() carry states over a MessageChannel; other messages pass by", async () => {
  const agg = new Aggregator();
  const { port1, port2 } = new MessageChannel();
  const errors: unknown[] = [];
  const stop = listenPort(agg, port2 as never, (e) => errors.push(e));
  port2.start();
  const w = worker(portSender(port1));
  w.requests.inc({ route: "/p" }, 2);
  await w.source.flush();
  port1.postMessage({ promedgeState: new Uint8Array([9, 9]) });
  port1.postMessage("app message");
  for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  stop();
  port1.close();
  port2.close();
  assert.match(await page(agg), /^requests_total\{route="\/p"\} 2$/m);
  assert.equal(errors.length, 1);
  assert.ok(errors[0] instanceof StateError);
});

test("listenCluster() takes base64 states from cluster workers and reports bad ones", async () => {
  const agg = new Aggregator();
  let listener: ((w: unknown, m: unknown) => void) | undefined;
  const errors: unknown[] = [];
  listenCluster(agg, { on: (_e, l) => (listener = l) }, (e) => errors.push(e));
  const { clusterSender } = await import("../src/aggregate/cluster.ts");
  const w = worker(clusterSender({
    send: (m, written) => {
      listener!({}, m);
      written?.(null);
    },
  }));
  w.requests.inc({ route: "/c" }, 3);
  assert.equal(await w.source.flush(), true);
  listener!({}, { promedgeState: "!!not base64!!" });
  listener!({}, { other: 1 });
  assert.match(await page(agg), /^requests_total\{route="\/c"\} 3$/m);
  assert.equal(errors.length, 1);
  const lonely = new AggregationSource({
    registry: new Registry(),
    send: clusterSender({}),
    onError: (e) => errors.push(e),
  });
  assert.equal(await lonely.flush(), false);
  assert.match(String(errors[1]), /no IPC channel/);
});

test("AggregationSource carries info metrics and leaves custom collectors out", async () => {
  const agg = new Aggregator();
  const registry = new Registry();
  new Info({ name: "build_info", help: "Build.", labelNames: ["version"], registry }).set({
    version: "1.2",
  });
  registry.registerCollector(
    () => [{ name: "proc_x", help: "X.", type: "gauge", samples: [{ value: 1 }] }],
  );
  await new AggregationSource({ registry, send: (b) => void agg.ingest(b) }).flush();
  const text = await page(agg);
  assert.match(text, /^build_info\{version="1.2"\} 1$/m);
  assert.doesNotMatch(text, /proc_x/);
});

test("the README's aggregation example runs and prints the sum", async () => {
  const { readFileSync, writeFileSync, mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { fileURLToPath, pathToFileURL } = await import("node:url");
  const root = fileURLToPath(new URL("..", import.meta.url));
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1])
    .find((b) => b.includes("new Aggregator("));
  assert.ok(block, "the README has the example");
  const code = block.replaceAll('"./mod.ts"', JSON.stringify(pathToFileURL(root + "mod.ts").href))
    .replaceAll(
      '"./src/aggregate/mod.ts"',
      JSON.stringify(pathToFileURL(root + "src/aggregate/mod.ts").href),
    );
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    const f = join(mkdtempSync(join(tmpdir(), "readme-")), "aggregate.mts");
    writeFileSync(f, code);
    await import(pathToFileURL(f).href);
  } finally {
    console.log = log;
  }
  assert.match(lines.join("\n"), /^jobs_total 6$/m);
});

test("AggregationSource.start() refuses an interval beyond the longest timer (it would send every ms)", () => {
  let sent = 0;
  const source = new AggregationSource({ registry: new Registry(), id: "a", send: () => sent++ });
  try {
    for (const ms of [2 ** 31, 1e12, Infinity, 0, NaN]) {
      assert.throws(() => source.start(ms), /AggregationSource.start\(\): intervalMs must be > 0/);
    }
    source.start(2 ** 31 - 1);
  } finally {
    source.stop();
  }
  assert.equal(sent, 0);
});

test("AggregationSource carries summaries of a registry with default labels", async () => {
  const agg = new Aggregator();
  const registry = new Registry({ defaultLabels: { region: "eu" } });
  const labelled = new Summary({
    name: "sizes_bytes",
    help: "Sizes.",
    labelNames: ["route"],
    percentiles: [0.5],
    registry,
  });
  const single = new Summary({ name: "waits_seconds", help: "Waits.", registry });
  labelled.observe({ route: "/a" }, 4);
  labelled.observe({ route: "/a" }, 4);
  labelled.observe({ route: 'b"\\' }, 8);
  single.observe(5);
  await new AggregationSource({ registry, send: (b) => void agg.ingest(b) }).flush();
  const text = await page(agg);
  assert.match(text, /^sizes_bytes_count\{route="\/a"\} 2$/m);
  assert.match(text, /^sizes_bytes_sum\{route="\/a"\} 8$/m);
  assert.match(text, /^sizes_bytes\{route="\/a",quantile="0.5"\} 4(\.\d+)?$/m);
  assert.match(text, /^sizes_bytes_count\{route="b\\"\\\\"\} 1$/m);
  assert.match(text, /^waits_seconds_count 1$/m);
  assert.match(text, /^waits_seconds_sum 5$/m);
});
