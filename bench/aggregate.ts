// Aggregation costs: bytes and time to encode one worker's state of 10,000 series,
// and the merge cost of one scrape over 8 sources. Standalone:
//   bun run bench/aggregate.ts | deno run -A bench/aggregate.ts | npx tsx bench/aggregate.ts
import { Counter, Gauge, Histogram, Registry, Summary } from "../mod.ts";
import { AggregationSource, Aggregator } from "../src/aggregate/mod.ts";

const SERIES = 10_000;
const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** One worker's registry: SERIES series of the given kind, 2 labels each. */
function registryOf(kind: string, seed: number): Registry {
  const registry = new Registry();
  const labelNames = ["route", "status"] as const;
  const opts = { name: "x", help: "X.", labelNames, registry };
  const routes = SERIES / 5;
  const each = (f: (l: { route: string; status: string }, i: number) => void) => {
    for (let i = 0; i < SERIES; i++) {
      f({ route: `/api/v1/items/${i % routes}`, status: String(200 + (i / routes | 0)) }, i);
    }
  };
  if (kind === "counter") {
    const c = new Counter({ ...opts, name: "requests_total" });
    each((l, i) => c.inc(l, (i * seed) % 1000));
  } else if (kind === "gauge") {
    const g = new Gauge({ ...opts, name: "inflight" });
    each((l, i) => g.set(l, i * 0.37 + seed));
  } else if (kind === "histogram") {
    const h = new Histogram({ ...opts, name: "latency_seconds" });
    each((l, i) => {
      for (let k = 0; k < 5; k++) h.observe(l, ((i + k * seed) % 1000) / 500);
    });
  } else {
    const s = new Summary({ ...opts, name: "size_bytes", percentiles: [0.5, 0.9, 0.99] });
    each((l, i) => {
      for (let k = 0; k < 5; k++) s.observe(l, 100 + ((i * 31 + k * seed) % 5000));
    });
  }
  return registry;
}

const runtime = "Deno" in globalThis
  ? `Deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`
  : "Bun" in globalThis
  ? `Bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
  : `Node ${process.version}`;
console.log(`# ${runtime}: ${SERIES} series a worker, medians of ${RUNS} runs`);
console.log("kind       bytes  bytes/series  encode ms  ingest ms  scrape of 8 sources ms");
for (const kind of ["counter", "gauge", "histogram", "summary"]) {
  const registries = Array.from({ length: 8 }, (_, i) => registryOf(kind, i + 1));
  const source = new AggregationSource({ registry: registries[0], send: () => {} });
  let bytes: Uint8Array = new Uint8Array(0);
  const enc: number[] = [];
  for (let r = 0; r < RUNS; r++) enc.push(await time(async () => (bytes = await source.encode())));
  const states = await Promise.all(
    registries.map((registry) => new AggregationSource({ registry, send: () => {} }).encode()),
  );
  const ing: number[] = [];
  const scrape: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const agg = new Aggregator();
    ing.push(await time(() => agg.ingest(states[0])));
    for (const s of states.slice(1)) agg.ingest(s);
    scrape.push(await time(() => agg.registry.metrics()));
  }
  console.log(
    `${kind.padEnd(10)} ${String(bytes.length).padStart(6)}  ${
      (bytes.length / SERIES).toFixed(1).padStart(12)
    }  ${median(enc).toFixed(1).padStart(9)}  ${median(ing).toFixed(1).padStart(9)}  ${
      median(scrape).toFixed(1).padStart(22)
    }`,
  );
}
