// Side-by-side benchmark on one runtime: promedge against prom-client (and
// @prometheus-io/client when it can be imported), same cases, same process,
// alternating rounds after warm-up, medians. A benchmark, not a test: it
// asserts nothing about speed and exits non-zero only on error (or when a
// counter case loses a call).
//
//   deno task bench | bun run bench | npx tsx bench/main.ts   (one runtime;
//                                                             BENCH_ONLY=stall for one part)
//   node bench/run.mjs                                       (all three, + memory, load,
//                                                             bundles; writes RESULTS.md)
import * as pe from "../mod.ts";
import { nativeHistogram } from "../src/metrics/native_histogram.ts";
import { type Client, median, type Other, others, proc, runtime, writeResult } from "./_common.ts";
import { micro } from "./micro.ts";
import { stall } from "./stall.ts";

const ROUNDS = 7;
const ROUND_MS = 240;

/** Scrapes per second of an async scrape, over `ms`. */
async function perSecond(fn: () => Promise<unknown>, ms: number): Promise<number> {
  let n = 0;
  const t = performance.now();
  while (performance.now() - t < ms) {
    await fn();
    n++;
  }
  return n / ((performance.now() - t) / 1000);
}

type Reg = InstanceType<Client["Registry"]>;
interface ScrapeCase {
  name: string;
  ours: (r: pe.Registry) => void;
  theirs: (c: Client, r: Reg) => void;
}

/** Observation `i`, spread over six decades (1 µs to ~20 s). */
function spread(i: number): number {
  return Math.exp(((i * 7919) % 1000) / 60 - 14);
}

const scrapeCases: ScrapeCase[] = [
  {
    name: "metrics() 1 counter x 10,000 series",
    ours: (registry) => {
      const c = new pe.Counter({
        name: "big_total",
        help: "h",
        labelNames: ["id", "kind"],
        registry,
      });
      for (let i = 0; i < 10000; i++) c.inc({ id: String(i), kind: i % 2 ? "odd" : "even" }, i);
    },
    theirs: (cl, r) => {
      const c = new cl.Counter({
        name: "big_total",
        help: "h",
        labelNames: ["id", "kind"],
        registers: [r],
      });
      for (let i = 0; i < 10000; i++) c.inc({ id: String(i), kind: i % 2 ? "odd" : "even" }, i);
    },
  },
  {
    name: "metrics() 500 histogram series",
    ours: (registry) => {
      const h = new pe.Histogram({ name: "lat", help: "h", labelNames: ["route"], registry });
      for (let i = 0; i < 2500; i++) h.observe({ route: "/r" + (i % 500) }, (i % 5) / 10);
    },
    theirs: (cl, r) => {
      const h = new cl.Histogram({ name: "lat", help: "h", labelNames: ["route"], registers: [r] });
      for (let i = 0; i < 2500; i++) h.observe({ route: "/r" + (i % 500) }, (i % 5) / 10);
    },
  },
  {
    // The same page (text has no native histograms): its native part must cost the page nothing.
    name: "metrics() 500 histogram series, native part too",
    ours: (registry) => {
      const h = new pe.Histogram({
        name: "lat",
        help: "h",
        labelNames: ["route"],
        native: nativeHistogram(),
        registry,
      });
      for (let i = 0; i < 25000; i++) h.observe({ route: "/r" + (i % 500) }, spread(i));
    },
    theirs: (cl, r) => {
      const h = new cl.Histogram({ name: "lat", help: "h", labelNames: ["route"], registers: [r] });
      for (let i = 0; i < 25000; i++) h.observe({ route: "/r" + (i % 500) }, spread(i));
    },
  },
  {
    name: "metrics() default collectors only",
    ours: (registry) => pe.collectDefaultMetrics({ registry }),
    theirs: (cl, r) => cl.collectDefaultMetrics({ register: r }),
  },
];

/** Scrapes per second, each case with fresh registries. */
async function scrapes(libs: Other[]) {
  const rows = [];
  for (const c of scrapeCases) {
    const pr = new pe.Registry();
    c.ours(pr);
    const sides = [
      { id: "promedge", fn: () => pr.metrics(), xs: [] as number[] },
      ...libs.map((l) => {
        const r = new l.mod.Registry();
        c.theirs(l.mod, r);
        return { id: l.id, fn: () => r.metrics(), xs: [] as number[] };
      }),
    ];
    for (const s of sides) await s.fn();
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of r & 1 ? [...sides].reverse() : sides) {
        s.xs.push(await perSecond(s.fn, ROUND_MS));
      }
    }
    rows.push({
      name: c.name,
      ours: median(sides[0].xs),
      theirs: Object.fromEntries(sides.slice(1).map((s) => [s.id, median(s.xs)])),
    });
  }
  return rows;
}

const { libs, skipped } = await others();
const rt = runtime();
console.log(`# ${rt.name} ${rt.version}; against ${libs.map((l) => l.id).join(", ")}`);
for (const s of skipped) console.log(`# ${s}`);

// One library per process in the micro cases: the ops of two libraries made by
// the same factory would share one function's type feedback, and the first
// library's calls would turn polymorphic (prom-client's unlabelled inc() read
// 4x slower beside @prometheus-io/client for that reason alone).
const vs = proc.env.BENCH_MICRO_VS ?? "prom-client";
// BENCH_ONLY=stall (or micro, scrape, a comma list) runs those parts alone.
const only = proc.env.BENCH_ONLY?.split(",");
const part = (p: string) => only === undefined || only.includes(p);
const microRows = part("micro") ? await micro(libs.filter((l) => l.id === vs)) : [];
const microOnly = proc.env.BENCH_MICRO_ONLY === "1";
const scrapeRows = microOnly || !part("scrape") ? [] : await scrapes(libs);
const stallRows = microOnly || !part("stall") ? [] : await stall(libs);

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number) => x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
console.log("\nns per call (lower is better); floor = the same call doing o.v++");
for (const r of microRows) {
  console.log(
    pad(r.name, 48),
    `promedge ${num(r.ours)}`,
    ...Object.entries(r.theirs).map(([k, v]) => `${k} ${num(v)} (${(v / r.ours).toFixed(2)}x)`),
    `floor ${num(r.floor)}`,
  );
}
console.log("\nscrapes per second (higher is better)");
for (const r of scrapeRows) {
  console.log(
    pad(r.name, 48),
    `promedge ${num(r.ours)}`,
    ...Object.entries(r.theirs).map(([k, v]) => `${k} ${num(v)} (${(r.ours / v).toFixed(2)}x)`),
  );
}
console.log("\nlongest event-loop stall, ms, median of 5 (lower is better)");
for (const r of stallRows) {
  console.log(
    pad(r.name, 48),
    `promedge ${num(r.ours)}`,
    ...Object.entries(r.theirs).map(([k, v]) => `${k} ${num(v)} (${(v / r.ours).toFixed(2)}x)`),
    `${(r.bytes / 1e6).toFixed(1)} MB`,
  );
}
await writeResult({
  runtime: rt.name,
  version: rt.version,
  libs: libs.map((l) => l.id),
  skipped,
  micro: microRows,
  scrape: scrapeRows,
  stall: stallRows,
});
