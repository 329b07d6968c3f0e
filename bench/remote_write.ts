// Encode + compress one remote write of 10,000 series: promedge (hand-written protobuf,
// TypeScript snappy) against the `prometheus-remote-write` npm package (protobufjs +
// snappyjs), same series, alternating rounds, medians. A benchmark, not a test.
//
//   deno run -A bench/remote_write.ts | bun run bench/remote_write.ts | npx tsx bench/remote_write.ts
//
// The other package is optional (devDependencies prometheus-remote-write@0.5.1 and
// snappyjs@0.7.0); without it only promedge's figures are printed.
import { SeriesTable } from "../src/remote/_expand.ts";
import { encodeV1 } from "../src/remote/_v1.ts";
import { encodeV2 } from "../src/remote/_v2.ts";
import { snappyCompress } from "../src/remote/_snappy.ts";
import { ProtoWriter } from "../src/_protobuf.ts";
import type { RemoteFamily } from "../src/remote/family.ts";
import { detectRuntime } from "../mod.ts";

const SERIES = 10_000;
const ROUNDS = 21;
const METHODS = ["GET", "POST", "PUT", "DELETE"];
const STATUS = ["200", "201", "404", "500", "503"];

// 10 families of 1,000 label sets: method x route x status.
const families: RemoteFamily[] = [];
for (let f = 0; f < 10; f++) {
  const series = [];
  for (let i = 0; i < SERIES / 10; i++) {
    series.push({
      labels: {
        method: METHODS[i % 4],
        route: `/api/v1/resource_${Math.floor(i / 20)}`,
        status: STATUS[i % 5],
      },
      value: (i * 37 + f) % 1000 + 0.25,
    });
  }
  families.push({
    name: `app_requests_${f}_total`,
    type: f % 2 ? "gauge" : "counter",
    help: `Requests of kind ${f}.`,
    series,
  });
}
const extra: [string, string][] = [["instance", "edge-17"], ["job", "api"]];

// One table per writer, as a RemoteWriter keeps it from one write to the next.
const tables = { 1: new SeriesTable(extra), 2: new SeriesTable(extra) };
const w1 = new ProtoWriter(1 << 20), w2 = new ProtoWriter(1 << 20);
function ours(version: 1 | 2): Uint8Array {
  const { series, metas } = tables[version].expand(families);
  const ts = Date.now();
  return snappyCompress(
    version === 1 ? encodeV1(series, metas, ts, w1) : encodeV2(series, metas, ts, w1, w2),
  );
}

// The other package's input: its Timeseries objects, and what its pushTimeseries does
// before the HTTP request (build the WriteRequest, verify + encode, compress).
type Theirs = () => Promise<Uint8Array>;
let theirs: Theirs | undefined;
try {
  const prw = (await import("prometheus-remote-write")).default as unknown as {
    serialize(payload: unknown): Promise<Uint8Array>;
  };
  const snappy = (await import("snappyjs")).default as {
    compress(b: Uint8Array): Uint8Array;
  };
  const timeseries = families.flatMap((f) =>
    f.series.map((s) => ({
      labels: { __name__: f.name, ...s.labels },
      samples: [{ value: s.value! }],
    }))
  );
  const options = { labels: { instance: "edge-17", job: "api" } };
  theirs = async () => {
    const now = Date.now();
    const writeRequest = {
      timeseries: timeseries.map((t) => ({
        labels: Object.entries({ ...options.labels, ...t.labels }).map(([name, value]) => ({
          name,
          value,
        })),
        samples: t.samples.map((s) => ({ value: s.value, timestamp: now })),
      })),
    };
    return snappy.compress(await prw.serialize(writeRequest));
  };
} catch (e) {
  console.log(`prometheus-remote-write not installed (${(e as Error).message.split("\n")[0]})`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function time(fn: () => Uint8Array | Promise<Uint8Array>): Promise<[number, number]> {
  const t = performance.now();
  const body = await fn();
  return [performance.now() - t, body.length];
}

// Warm up, then alternate.
for (let i = 0; i < 5; i++) {
  ours(1);
  ours(2);
  if (theirs) await theirs();
}
const t1: number[] = [], t2: number[] = [], tt: number[] = [];
let b1 = 0, b2 = 0, bt = 0;
for (let r = 0; r < ROUNDS; r++) {
  [t1[r], b1] = await time(() => ours(1));
  [t2[r], b2] = await time(() => ours(2));
  if (theirs) [tt[r], bt] = await time(theirs);
}
const rt = detectRuntime();
console.log(`remote write, ${SERIES} series, ${rt.runtime} ${rt.version}, median of ${ROUNDS}`);
const show = (xs: number[]) =>
  `median ${median(xs).toFixed(2)} ms (min ${Math.min(...xs).toFixed(2)})`;
console.log(`  promedge RW 1.0          ${show(t1)}   ${b1} bytes`);
console.log(`  promedge RW 2.0          ${show(t2)}   ${b2} bytes`);
if (theirs) {
  console.log(`  prometheus-remote-write  ${show(tt)}   ${bt} bytes`);
  console.log(
    `  promedge RW 1.0 is ${(median(tt) / median(t1)).toFixed(1)}x faster (medians; ${
      (Math.min(...tt) / Math.min(...t1)).toFixed(1)
    }x by minimum), body ${(b1 / bt).toFixed(2)}x the size`,
  );
}
