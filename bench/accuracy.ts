// Quantile accuracy of promedge's Summary against prom-client's (a t-digest),
// on 100,000 seeded samples per shape, measured against the exact order
// statistic. Prints JSON rows when BENCH_JSON is set (bench/run.mjs does).
import client from "prom-client";
import { DEFAULT_PERCENTILES, Summary } from "../mod.ts";

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

const shapes: Record<string, (r: () => number) => number> = {
  "lognormal latencies": (r) => Math.exp(-3 + 1.2 * normal(r)),
  "bimodal 99%/1%": (r) => r() < 0.99 ? 0.01 + r() * 0.01 : 2 + r(),
  "12 decades": (r) => 10 ** (r() * 12 - 6),
  uniform: (r) => r() * 100,
};

const N = 100_000;
const rows: { shape: string; ours: number; theirs: number }[] = [];
for (const [shape, draw] of Object.entries(shapes)) {
  const r = rng(1);
  const ours = new Summary({ name: "s", help: "h", registry: null });
  const theirs = new client.Summary({ name: "s", help: "h", registers: [] });
  const xs = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    xs[i] = draw(r);
    ours.observe(xs[i]);
    theirs.observe(xs[i]);
  }
  xs.sort();
  const got = ours.quantiles();
  const tv = (await theirs.get()).values.filter((v) => v.labels.quantile !== undefined);
  let worstOurs = 0, worstTheirs = 0;
  DEFAULT_PERCENTILES.forEach((q, i) => {
    const exact = xs[Math.floor(q * (N - 1))];
    worstOurs = Math.max(worstOurs, Math.abs(got[i] - exact) / Math.abs(exact));
    const t = tv.find((v) => Number(v.labels.quantile) === q)!.value;
    worstTheirs = Math.max(worstTheirs, Math.abs(t - exact) / Math.abs(exact));
  });
  rows.push({ shape, ours: worstOurs, theirs: worstTheirs });
}
console.log("worst relative error over quantiles 0.01 ... 0.999 (100,000 samples)");
for (const row of rows) {
  console.log(
    row.shape.padEnd(24),
    `promedge ${(row.ours * 100).toFixed(3)}%`.padEnd(20),
    `prom-client ${(row.theirs * 100).toFixed(3)}%`,
  );
}
const out = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env
  .BENCH_JSON;
if (out) (await import("node:fs")).writeFileSync(out, JSON.stringify(rows));
