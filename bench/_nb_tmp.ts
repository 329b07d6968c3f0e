import { Histogram, Registry } from "../mod.ts";
const N = 2_000_000, RUNS = 7;
const spread = Float64Array.from({ length: 4096 }, (_, i) => 10 ** (((i * 2654435761) % 4096) / 585 - 6));
const linear = Float64Array.from({ length: 4096 }, (_, i) => (i & 1023) / 100);
const p = (globalThis as any).process;
function t(fn: () => void) { const s = p.cpuUsage(); fn(); const d = p.cpuUsage(s); return (d.user + d.system) / 1000; }
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [label, xs] of [["log", spread], ["lin", linear]] as const) {
  const registry = new Registry();
  const c = new Histogram({ name: "c", help: "h", registry });
  const n = new Histogram({ name: "n", help: "h", native: true, registry });
  const fc = () => { for (let i = 0; i < N; i++) c.observe(xs[i & 4095]); };
  const fn = () => { for (let i = 0; i < N; i++) n.observe(xs[i & 4095]); };
  fc(); fn();
  const a: number[] = [], b: number[] = [];
  for (let r = 0; r < RUNS; r++) { a.push(t(fc)); b.push(t(fn)); }
  console.log(label, "classic ns/op", (med(a) * 1e6 / N).toFixed(2), "native ns/op", (med(b) * 1e6 / N).toFixed(2), "x", (med(b) / med(a)).toFixed(2));
}
