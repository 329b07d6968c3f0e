// Memory per labelled counter series, in a fresh process per sample:
//   <runtime> bench/memory.ts promedge|prom-client|@prometheus-io/client
// prints {"lib", "bytesPerSeries", "how"} as one JSON line. bench/run.mjs runs
// it several times per library, alternating, and takes the median.
//
// N series (400,000 unless MEM_N says) of a counter with labels {id, kind}. The label values are
// made before the baseline and flattened, so they count for neither side (they
// are the application's strings); the label objects passed to inc() are made
// after it, so whatever a library keeps of them counts. Memory is read after a
// full GC with memoryNow(): heap + external on V8 (Deno, Node), RSS on Bun.
import * as pe from "../mod.ts";
import { flatStrings, gc, memoryNow, others, proc } from "./_common.ts";

// 400,000: with 100,000 a sample on Bun moved by up to a third from process to
// process (JavaScriptCore's heap grows in steps that RSS shows whole, and
// prom-client's readings fell in two groups, ~195 and ~245 bytes); from
// 400,000 on, samples agree within a few percent. `MEM_N` overrides it.
const N = Number(proc.env.MEM_N ?? 400_000);
const lib = proc.argv[proc.argv.length - 1];
const ids = flatStrings(N, (i) => "user-" + (i * 7919 % 1_000_003));
const kinds = flatStrings(10, (i) => "kind" + i);

let add: (i: number) => void;
let keep: unknown;
if (lib === "promedge") {
  const c = new pe.Counter({
    name: "mem_total",
    help: "h",
    labelNames: ["id", "kind"],
    registry: null,
  });
  keep = c;
  add = (i) => c.inc({ id: ids[i], kind: kinds[i % 10] });
} else {
  const found = (await others()).libs.find((l) => l.id === lib);
  if (!found) throw new Error(`unknown or absent library ${lib}`);
  const c = new found.mod.Counter({
    name: "mem_total",
    help: "h",
    labelNames: ["id", "kind"],
    registers: [],
  });
  keep = c;
  add = (i) => c.inc({ id: ids[i], kind: kinds[i % 10] });
}
gc();
gc();
const before = memoryNow();
for (let i = 0; i < N; i++) add(i);
gc();
gc();
const after = memoryNow();
console.log(JSON.stringify({
  lib,
  bytesPerSeries: (after.bytes - before.bytes) / N,
  how: after.how,
  keep: keep !== undefined && ids.length + kinds.length,
}));
