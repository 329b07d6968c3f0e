// Native histogram buckets against our classic Histogram: observe speed and
// memory per series. A benchmark, not a test: it asserts nothing.
//
//   deno run -A --v8-flags=--expose-gc bench/native.ts
//   bun run bench/native.ts
//   node --expose-gc --import tsx bench/native.ts
//
// Times are the process's CPU time (process.cpuUsage), steadier than wall time
// on a shared machine.
import { Histogram, Registry } from "../mod.ts";
import { nativeHistogram } from "../src/metrics/native_histogram.ts";
import { nativeBucketIndex, NativeHistogramCounts } from "../src/metrics/_native.ts";
import { gc, memoryNow } from "./_common.ts";

const RUNS = 9;
const N = 2_000_000;

// Latency-like values: log-uniform over 1 µs .. 10 s, and the main bench's (i & 1023) / 100.
const spread = Float64Array.from(
  { length: 4096 },
  (_, i) => 10 ** (((i * 2654435761) % 4096) / 585 - 6),
);
const linear = Float64Array.from({ length: 4096 }, (_, i) => (i & 1023) / 100);

/** The same observe with a Map<index, count> per sign, to compare representations. */
class MapCounts {
  pos = new Map<number, number>();
  neg = new Map<number, number>();
  zero = 0;
  count = 0;
  sum = 0;
  constructor(readonly schema: number, readonly zeroThreshold = 2 ** -128) {}
  observe(v: number): void {
    this.count++;
    this.sum += v;
    if (v > this.zeroThreshold) {
      const k = nativeBucketIndex(v, this.schema);
      this.pos.set(k, (this.pos.get(k) ?? 0) + 1);
    } else if (v < -this.zeroThreshold) {
      const k = nativeBucketIndex(-v, this.schema);
      this.neg.set(k, (this.neg.get(k) ?? 0) + 1);
    } else if (v === v) this.zero++;
  }
}

type Case = [string, (values: Float64Array) => void];

function cases(): Case[] {
  const registry = new Registry();
  const classic = new Histogram({ name: "classic", help: "h", registry });
  const both = new Histogram({ name: "both", help: "h", registry });
  const native = new Histogram({ name: "native", help: "h", native: nativeHistogram(), registry });
  const native8 = new Histogram({
    name: "native8",
    help: "h",
    native: nativeHistogram({ schema: 8 }),
    registry,
  });
  const n3 = new NativeHistogramCounts({ schema: 3 });
  const n8 = new NativeHistogramCounts({ schema: 8 });
  const bothNative = new NativeHistogramCounts({ schema: 3 });
  const m3 = new MapCounts(3);
  // One loop per case (no shared call site), as in bench/main.ts.
  return [
    ["classic Histogram.observe() (11 buckets)", (xs) => {
      for (let i = 0; i < N; i++) classic.observe(xs[i & 4095]);
    }],
    ["Histogram.observe() native: nativeHistogram() (classic + native)", (xs) => {
      for (let i = 0; i < N; i++) native.observe(xs[i & 4095]);
    }],
    ["Histogram.observe() native schema 8", (xs) => {
      for (let i = 0; i < N; i++) native8.observe(xs[i & 4095]);
    }],
    ["NativeHistogramCounts.observe() schema 3", (xs) => {
      for (let i = 0; i < N; i++) n3.observe(xs[i & 4095]);
    }],
    ["NativeHistogramCounts.observe() schema 8", (xs) => {
      for (let i = 0; i < N; i++) n8.observe(xs[i & 4095]);
    }],
    ["Map-based native observe schema 3", (xs) => {
      for (let i = 0; i < N; i++) m3.observe(xs[i & 4095]);
    }],
    ["classic Histogram.observe() + native observe", (xs) => {
      for (let i = 0; i < N; i++) {
        both.observe(xs[i & 4095]);
        bothNative.observe(xs[i & 4095]);
      }
    }],
  ];
}

const proc = (globalThis as {
  process?: {
    cpuUsage?(prev?: { user: number; system: number }): { user: number; system: number };
  };
}).process;

/** Milliseconds `fn` took: CPU time of this process where known (the machine may be shared). */
function timed(fn: () => void): number {
  if (proc?.cpuUsage) {
    const start = proc.cpuUsage();
    fn();
    const d = proc.cpuUsage(start);
    return (d.user + d.system) / 1000;
  }
  const t = performance.now();
  fn();
  return performance.now() - t;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Collects twice with a pause between (V8 frees array buffers after the collection). */
async function settle(): Promise<void> {
  gc();
  await new Promise((r) => setTimeout(r, 50));
  gc();
}

/** Bytes per series for 2000 series of each kind, each after the same `n` observations. */
async function memory(values: Float64Array, n: number): Promise<Record<string, number>> {
  const SERIES = 2000;
  const out: Record<string, number> = {};
  const registry = new Registry();
  const histogram = (name: string, native?: unknown) => {
    const h = new Histogram({
      name,
      help: "h",
      labelNames: ["id"],
      registry,
      ...(native !== undefined && { native }),
    } as never) as Histogram<"id">;
    let id = 0;
    return () => h.labels({ id: id++ });
  };
  const kinds: [string, () => { observe(v: number): void }][] = [
    ["Histogram series, classic (11 buckets)", histogram("m_classic")],
    ["Histogram series, native: nativeHistogram()", histogram("m_native", nativeHistogram())],
    ["Histogram series, native schema 8", histogram("m_native8", nativeHistogram({ schema: 8 }))],
    ["NativeHistogramCounts schema 3", () => new NativeHistogramCounts({ schema: 3 })],
    ["Map-based schema 3", () => new MapCounts(3)],
  ];
  for (const [name, make] of kinds) {
    await settle();
    const before = memoryNow().bytes;
    const keep = [];
    for (let s = 0; s < SERIES; s++) {
      const h = make();
      for (let i = 0; i < n; i++) h.observe(values[(s * 7 + i * 13) & 4095]);
      keep.push(h);
    }
    await settle();
    out[name] = (memoryNow().bytes - before) / SERIES;
    keep.length = 0;
  }
  return out;
}

for (
  const [label, values] of [["log-uniform 1µs..10s", spread], ["(i & 1023) / 100", linear]] as const
) {
  const cs = cases();
  const rates: number[][] = cs.map(() => []);
  for (const [, fn] of cs) fn(values); // warm-up
  for (let r = 0; r < RUNS; r++) {
    cs.forEach(([, fn], i) => rates[i].push(N / (timed(() => fn(values)) / 1000)));
  }
  const base = median(rates[0]);
  console.log(`\nvalues: ${label} (median of ${RUNS} runs of ${N})`);
  cs.forEach(([name], i) => {
    const m = median(rates[i]);
    console.log(
      `  ${name.padEnd(48)} ${(m / 1e6).toFixed(1).padStart(7)} M/s  time x${
        (base / m).toFixed(2)
      }`,
    );
  });
}
const g = globalThis as { gc?: unknown; Bun?: unknown };
if (g.gc || g.Bun) {
  for (const n of [300, 20_000]) {
    console.log(
      `\nbytes per series (${memoryNow().how}) after ${n} log-uniform observations (1 µs .. 10 s):`,
    );
    for (const [k, v] of Object.entries(await memory(spread, n))) {
      console.log(`  ${k.padEnd(48)} ${v.toFixed(0)}`);
    }
  }
} else console.log("\n(memory: run with --expose-gc)");
