// The ./prom-client entry against prom-client 15 itself, same run, same cases:
// labelled Counter.inc, labels().inc, labelled Histogram.observe and
// Summary.observe. Alternating rounds after warm-up; medians; ratio = ours / theirs.
//
//   npx tsx bench/compat.ts | bun run bench/compat.ts | deno run -A bench/compat.ts
import real from "prom-client";
import compat from "../src/compat/prom-client.ts";
import { detectRuntime } from "../mod.ts";

type Lib = typeof compat;
const ROUNDS = 9;
const N = 200_000;
const METHODS = ["GET", "POST", "PUT", "DELETE"];
const CODES = ["200", "201", "404", "500", "503"];
const LABELS = METHODS.flatMap((method) => CODES.map((code) => ({ method, code })));

function cases(lib: Lib, tag: string): Record<string, (n: number) => void> {
  const registry = new lib.Registry();
  const registers = [registry];
  const labelNames = ["method", "code"];
  const c = new lib.Counter({ name: `c_${tag}_total`, help: "h", labelNames, registers });
  const h = new lib.Histogram({ name: `h_${tag}`, help: "h", labelNames, registers });
  const s = new lib.Summary({ name: `s_${tag}`, help: "h", labelNames, registers });
  return {
    "Counter.inc(labels)": (n) => {
      for (let i = 0; i < n; i++) c.inc(LABELS[i % 20]);
    },
    "Counter.labels(values).inc()": (n) => {
      for (let i = 0; i < n; i++) c.labels(METHODS[i & 3], CODES[i % 5]).inc();
    },
    "Histogram.observe(labels, v)": (n) => {
      for (let i = 0; i < n; i++) h.observe(LABELS[i % 20], (i % 1000) / 100);
    },
    "Summary.observe(labels, v)": (n) => {
      for (let i = 0; i < n; i++) s.observe(LABELS[i % 20], (i % 1000) / 100);
    },
  };
}

function rate(fn: (n: number) => void): number {
  const t = performance.now();
  fn(N);
  return N / ((performance.now() - t) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ours = cases(compat, "ours");
const theirs = cases(real as unknown as Lib, "theirs");
const rt = detectRuntime();
console.log(
  `${rt.runtime} ${rt.version}: ./prom-client vs prom-client 15, ${N} calls x ${ROUNDS} rounds`,
);
for (const name of Object.keys(ours)) {
  rate(ours[name]);
  rate(theirs[name]); // warm-up
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(rate(ours[name]));
    b.push(rate(theirs[name]));
  }
  const [ma, mb] = [median(a), median(b)];
  console.log(
    `${name.padEnd(32)} ours ${(ma / 1e6).toFixed(2)} M/s  prom-client ${
      (mb / 1e6).toFixed(2)
    } M/s  ratio ${(ma / mb).toFixed(1)}x`,
  );
}
