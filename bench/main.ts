// Side-by-side benchmark: promedge and prom-client in one process, same cases,
// alternating rounds after warm-up, median ops/s. A benchmark, not a test: it
// asserts nothing about speed and exits non-zero only on error.
//
//   deno task bench | bun run bench | npx tsx bench/main.ts   (one runtime)
//   node bench/run.mjs                                       (all three, writes RESULTS.md)
import client from "prom-client";
import * as pe from "../mod.ts";
import { detectRuntime } from "../mod.ts";

const ROUNDS = 7;
const ROUND_MS = 120;

type Loop = (n: number) => void;
interface Case {
  name: string;
  unit?: "ops/s" | "scrapes/s";
  ours: Loop;
  theirs: Loop;
}

let sink = 0;

function calibrate(fn: Loop): number {
  let n = 1;
  for (;;) {
    const t = performance.now();
    fn(n);
    const dt = performance.now() - t;
    if (dt > 20 || n > 1e8) return Math.max(1, Math.round((n * ROUND_MS) / Math.max(dt, 0.01)));
    n *= 4;
  }
}

function opsPerSec(fn: Loop, n: number): number {
  const t = performance.now();
  fn(n);
  return n / ((performance.now() - t) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function runAsync(fn: () => Promise<unknown>, ms: number): Promise<number> {
  // scrapes per second, for async cases
  let n = 0;
  const t = performance.now();
  while (performance.now() - t < ms) {
    await fn();
    n++;
  }
  return n / ((performance.now() - t) / 1000);
}

const LABELS = ["GET", "POST", "PUT", "DELETE"].flatMap((m) =>
  ["200", "404", "500"].map((c) => ({ method: m, code: c }))
);

function syncCases(): Case[] {
  const pr = new pe.Registry();
  const cr = new client.Registry();
  const reg = { registry: pr };
  const creg = { registers: [cr] };
  const c0 = new pe.Counter({ name: "c0", help: "h", ...reg });
  const k0 = new client.Counter({ name: "c0", help: "h", ...creg });
  const c2 = new pe.Counter({ name: "c2", help: "h", labelNames: ["method", "code"], ...reg });
  const k2 = new client.Counter({ name: "c2", help: "h", labelNames: ["method", "code"], ...creg });
  const child = c2.labels({ method: "GET", code: "200" });
  const kchild = k2.labels({ method: "GET", code: "200" });
  const g = new pe.Gauge({ name: "g", help: "h", ...reg });
  const kg = new client.Gauge({ name: "g", help: "h", ...creg });
  const h0 = new pe.Histogram({ name: "h0", help: "h", ...reg });
  const kh0 = new client.Histogram({ name: "h0", help: "h", ...creg });
  const h2 = new pe.Histogram({ name: "h2", help: "h", labelNames: ["method", "code"], ...reg });
  const kh2 = new client.Histogram({
    name: "h2",
    help: "h",
    labelNames: ["method", "code"],
    ...creg,
  });
  const s = new pe.Summary({ name: "s", help: "h", ...reg });
  const ks = new client.Summary({ name: "s", help: "h", ...creg });
  const L = LABELS.length;
  return [
    {
      name: "Counter.inc() unlabelled",
      ours: (n) => {
        for (let i = 0; i < n; i++) c0.inc();
      },
      theirs: (n) => {
        for (let i = 0; i < n; i++) k0.inc();
      },
    },
    {
      name: "Counter.inc(labels) 2 labels",
      ours: (n) => {
        for (let i = 0; i < n; i++) c2.inc(LABELS[i % L]);
      },
      theirs: (n) => {
        for (let i = 0; i < n; i++) k2.inc(LABELS[i % L]);
      },
    },
    {
      name: "labels({..}).inc() per call",
      ours: (n) => {
        for (let i = 0; i < n; i++) c2.labels(LABELS[i % L]).inc();
      },
      theirs: (n) => {
        for (let i = 0; i < n; i++) k2.labels(LABELS[i % L]).inc();
      },
    },
    {
      name: "bound child inc()",
      ours: (n) => {
        for (let i = 0; i < n; i++) child.inc();
      },
      theirs: (n) => {
        for (let i = 0; i < n; i++) kchild.inc();
      },
    },
    {
      name: "Gauge.set()",
      ours: (n) => {
        for (let i = 0; i < n; i++) g.set(i);
      },
      theirs: (n) => {
        for (let i = 0; i < n; i++) kg.set(i);
      },
    },
    {
      name: "Histogram.observe() unlabelled",
      ours: (n) => {
        for (let i = 0; i < n; i++) h0.observe((i & 1023) / 100);
      },
      theirs: (n) => {
        for (let i = 0; i < n; i++) kh0.observe((i & 1023) / 100);
      },
    },
    {
      name: "Histogram.observe() 2 labels",
      ours: (n) => {
        for (let i = 0; i < n; i++) h2.observe(LABELS[i % L], (i & 1023) / 100);
      },
      theirs: (n) => {
        for (let i = 0; i < n; i++) kh2.observe(LABELS[i % L], (i & 1023) / 100);
      },
    },
    {
      name: "Summary.observe() (quantiles)",
      ours: (n) => {
        for (let i = 0; i < n; i++) s.observe((i * 7919 % 10007) / 1000);
      },
      theirs: (n) => {
        for (let i = 0; i < n; i++) ks.observe((i * 7919 % 10007) / 1000);
      },
    },
  ];
}

async function scrapeCases(): Promise<{ name: string; ours: number; theirs: number }[]> {
  const out = [];
  {
    const pr = new pe.Registry();
    const cr = new client.Registry();
    const c = new pe.Counter({
      name: "big_total",
      help: "h",
      labelNames: ["id", "kind"],
      registry: pr,
    });
    const k = new client.Counter({
      name: "big_total",
      help: "h",
      labelNames: ["id", "kind"],
      registers: [cr],
    });
    for (let i = 0; i < 10000; i++) {
      c.inc({ id: String(i), kind: i % 2 ? "odd" : "even" }, i);
      k.inc({ id: String(i), kind: i % 2 ? "odd" : "even" }, i);
    }
    out.push(
      await scrapePair(
        "metrics() 1 counter x 10,000 series",
        () => pr.metrics(),
        () => cr.metrics(),
      ),
    );
  }
  {
    const pr = new pe.Registry();
    const cr = new client.Registry();
    const h = new pe.Histogram({ name: "lat", help: "h", labelNames: ["route"], registry: pr });
    const k = new client.Histogram({
      name: "lat",
      help: "h",
      labelNames: ["route"],
      registers: [cr],
    });
    for (let i = 0; i < 500; i++) {
      for (let j = 0; j < 5; j++) {
        h.observe({ route: "/r" + i }, j / 10);
        k.observe({ route: "/r" + i }, j / 10);
      }
    }
    out.push(
      await scrapePair("metrics() 500 histogram series", () => pr.metrics(), () => cr.metrics()),
    );
  }
  {
    const pr = new pe.Registry();
    pe.collectDefaultMetrics({ registry: pr });
    const cr = new client.Registry();
    client.collectDefaultMetrics({ register: cr });
    out.push(
      await scrapePair("metrics() default collectors only", () => pr.metrics(), () => cr.metrics()),
    );
  }
  return out;
}

async function scrapePair(
  name: string,
  ours: () => Promise<string>,
  theirs: () => Promise<string>,
) {
  await ours();
  await theirs();
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(await runAsync(ours, ROUND_MS * 2));
    b.push(await runAsync(theirs, ROUND_MS * 2));
  }
  return { name, ours: median(a), theirs: median(b) };
}

/** The longest gap between 1 ms timer ticks while a ~10 MB page is scraped. */
async function stall(): Promise<
  { name: string; ours: number; theirs: number; size: [number, number] }
> {
  const pr = new pe.Registry();
  const cr = new client.Registry();
  for (let f = 0; f < 20; f++) {
    const c = new pe.Counter({
      name: `fam${f}_total`,
      help: "h",
      labelNames: ["id", "path"],
      registry: pr,
    });
    const k = new client.Counter({
      name: `fam${f}_total`,
      help: "h",
      labelNames: ["id", "path"],
      registers: [cr],
    });
    for (let i = 0; i < 9300; i++) {
      const l = { id: String(i), path: "/api/v1/resource/" + (i % 97) };
      c.inc(l, i);
      k.inc(l, i);
    }
  }
  const measure = async (scrape: () => Promise<string>) => {
    let last = performance.now(), worst = 0, running = true;
    const tick = () => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
      if (running) setTimeout(tick, 1);
    };
    setTimeout(tick, 1);
    await new Promise((r) => setTimeout(r, 5));
    last = performance.now();
    const text = await scrape();
    running = false;
    await new Promise((r) => setTimeout(r, 5));
    return { worst, size: text.length };
  };
  const o: number[] = [], t: number[] = [];
  let sizes: [number, number] = [0, 0];
  for (let r = 0; r < 3; r++) {
    const a = await measure(() => pr.metrics());
    const b = await measure(() => cr.metrics());
    o.push(a.worst);
    t.push(b.worst);
    sizes = [a.size, b.size];
  }
  return {
    name: "longest event-loop stall, 10 MB page (ms)",
    ours: median(o),
    theirs: median(t),
    size: sizes,
  };
}

function gc(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(full: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
}

function heapUsed(): number {
  const p = (globalThis as { process?: { memoryUsage(): { heapUsed: number } } }).process;
  return p!.memoryUsage().heapUsed;
}

/** Heap bytes per labelled counter series, over 100,000 series. */
function memory(): { name: string; ours: number; theirs: number } | undefined {
  const g = globalThis as { gc?: () => void; Bun?: unknown };
  if (!g.gc && !g.Bun) return undefined;
  const per = (make: () => (i: number) => void) => {
    gc();
    const before = heapUsed();
    const add = make();
    for (let i = 0; i < 100_000; i++) add(i);
    gc();
    const bytes = (heapUsed() - before) / 100_000;
    sink += bytes;
    return bytes;
  };
  const keep: unknown[] = [];
  const ours = per(() => {
    const c = new pe.Counter({
      name: "mem_total",
      help: "h",
      labelNames: ["id", "kind"],
      registry: null,
    });
    keep.push(c);
    return (i) => c.inc({ id: "id" + i, kind: "k" + (i % 10) });
  });
  const theirs = per(() => {
    const c = new client.Counter({
      name: "mem_total",
      help: "h",
      labelNames: ["id", "kind"],
      registers: [],
    });
    keep.push(c);
    return (i) => c.inc({ id: "id" + i, kind: "k" + (i % 10) });
  });
  sink += keep.length;
  return { name: "heap bytes per labelled series (lower is better)", ours, theirs };
}

const fmt = (x: number) =>
  x >= 1e6 ? (x / 1e6).toFixed(2) + " M" : x >= 1e3 ? (x / 1e3).toFixed(1) + " k" : x.toFixed(1);

async function main() {
  const rt = detectRuntime();
  const rows: {
    name: string;
    ours: number;
    theirs: number;
    ratio: number;
    better: "higher" | "lower";
    extra?: string;
  }[] = [];
  for (const c of syncCases()) {
    const no = calibrate(c.ours), nt = calibrate(c.theirs);
    for (let w = 0; w < 2; w++) {
      opsPerSec(c.ours, no);
      opsPerSec(c.theirs, nt);
    }
    const a: number[] = [], b: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      a.push(opsPerSec(c.ours, no));
      b.push(opsPerSec(c.theirs, nt));
    }
    rows.push({
      name: c.name,
      ours: median(a),
      theirs: median(b),
      ratio: median(a) / median(b),
      better: "higher",
    });
  }
  const ownInc = rows[0].ours;
  for (const s of await scrapeCases()) {
    rows.push({ ...s, ratio: s.ours / s.theirs, better: "higher" });
  }
  const st = await stall();
  rows.push({
    name: st.name,
    ours: st.ours,
    theirs: st.theirs,
    ratio: st.theirs / st.ours,
    better: "lower",
    extra: `pages ${(st.size[0] / 1e6).toFixed(1)} MB / ${(st.size[1] / 1e6).toFixed(1)} MB`,
  });
  const mem = memory();
  if (mem) rows.push({ ...mem, ratio: mem.theirs / mem.ours, better: "lower" });
  const result = {
    runtime: rt.runtime,
    version: rt.version,
    promClient: (client as unknown as { version?: string }).version,
    boundChildVsUnlabelled: ownInc / rows[3].ours,
    rows,
  };
  console.log(`# ${rt.runtime} ${rt.version}`);
  console.log(
    "case".padEnd(48),
    "promedge".padStart(12),
    "prom-client".padStart(12),
    "ratio".padStart(8),
  );
  for (const r of rows) {
    const unit = r.better === "lower" ? "" : "/s";
    console.log(
      r.name.padEnd(48),
      (fmt(r.ours) + unit).padStart(12),
      (fmt(r.theirs) + unit).padStart(12),
      (r.ratio.toFixed(2) + "x").padStart(8),
      r.extra ?? "",
    );
  }
  console.log(`unlabelled inc() / bound child inc(): ${result.boundChildVsUnlabelled.toFixed(2)}`);
  const out = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env
    .BENCH_JSON;
  if (out) {
    const fs = await import("node:fs");
    fs.writeFileSync(out, JSON.stringify(result, null, 2));
  }
  if (sink === -1) console.log(sink);
}

await main();
