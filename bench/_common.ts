// Shared pieces of the bench: the libraries under comparison, medians, GC and
// memory readings. Bench code, not library code: it may import node: modules.
import client from "prom-client";

/** prom-client's module type; `@prometheus-io/client` has the same API. */
export type Client = typeof client;

/** A library we compare against. */
export interface Other {
  /** Package name as printed in the results. */
  id: string;
  mod: Client;
}

interface Proc {
  env: Record<string, string | undefined>;
  argv: string[];
  memoryUsage(): { rss: number; heapTotal: number; heapUsed: number; external: number };
}
/** The `process` global of Deno, Bun and Node. */
export const proc = (globalThis as unknown as { process: Proc }).process;

/**
 * prom-client always; `@prometheus-io/client` when it can be imported (set
 * `PROMETHEUS_IO_CLIENT` to a path to try a copy outside node_modules).
 */
export async function others(): Promise<{ libs: Other[]; skipped: string[] }> {
  const libs: Other[] = [{ id: "prom-client", mod: client }];
  const skipped: string[] = [];
  const spec = proc.env.PROMETHEUS_IO_CLIENT ?? "@prometheus-io/client";
  try {
    const m = await import(spec);
    libs.push({ id: "@prometheus-io/client", mod: (m.default ?? m) as Client });
  } catch (e) {
    skipped.push(`@prometheus-io/client not measured: ${String(e).split("\n")[0]}`);
  }
  return { libs, skipped };
}

/** The median (upper median for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** A full collection (needs `--expose-gc` on V8; Bun has `Bun.gc`). */
export function gc(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(full: boolean): void } };
  if (g.Bun) g.Bun.gc(true);
  else if (g.gc) g.gc();
  else throw new Error("run with --expose-gc (Node) or --v8-flags=--expose-gc (Deno)");
}

/**
 * Memory that labelled series occupy, as this runtime can see it: on Bun the
 * RSS (its heapUsed misses malloc'd property tables and key strings); on V8
 * (Deno, Node) the JS heap plus `external`, which holds array buffers and
 * typed-array stores (Deno's heapUsed leaves them out and its `arrayBuffers` is 0).
 */
export function memoryNow(): { bytes: number; how: string } {
  const m = proc.memoryUsage();
  if ((globalThis as { Bun?: unknown }).Bun) return { bytes: m.rss, how: "RSS" };
  return { bytes: m.heapUsed + m.external, how: "heapUsed + external" };
}

/** The runtime and its version, as printed in the results. */
export function runtime(): { name: string; version: string } {
  const g = globalThis as {
    Deno?: { version: { deno: string } };
    Bun?: { version: string };
  };
  if (g.Deno) return { name: "deno", version: g.Deno.version.deno };
  if (g.Bun) return { name: "bun", version: g.Bun.version };
  return {
    name: "node",
    version: (globalThis as { process: { version: string } }).process.version,
  };
}

/** Writes the result as JSON to `$BENCH_JSON` when set. */
export async function writeResult(result: unknown): Promise<void> {
  const out = proc.env.BENCH_JSON;
  if (!out) return;
  const fs = await import("node:fs");
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
}

/** Label values made before a baseline and flattened (V8 keeps `"a" + i` as a rope otherwise). */
export function flatStrings(n: number, make: (i: number) => string): string[] {
  return JSON.parse(JSON.stringify(Array.from({ length: n }, (_, i) => make(i))));
}
