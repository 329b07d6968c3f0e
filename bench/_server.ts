// The application bench/load.mjs puts under load, one process per library:
//   <runtime> bench/_server.ts <promedge|prom-client|@prometheus-io/client> <series>
// Listens on 127.0.0.1 (a free port), prints {"port": N} once listening, and
// stops by itself after BENCH_SERVER_MAX_S seconds (default 900) or on SIGTERM.
// With BENCH_MEM_LOG_S=N it also writes its memory every N seconds to stderr,
// one line each: {"mem":{"rss":…,"heapTotal":…,"heapUsed":…,"external":…,
// "newSpace":…,"oldSpace":…}} (process.memoryUsage(), bytes; on Deno the same
// as Deno.memoryUsage(); the sizes of V8's young and old generations from
// node:v8 getHeapSpaceStatistics() on Deno and Node).
//
//   GET /work     one request of the application: inc() on one of <series>
//                 counter series (round robin) and observe() on one of 10
//                 histogram series; answers "ok".
//   GET /metrics  the page. promedge: createMetricsHandler(), or with
//                 BENCH_SERVE_METRICS=1 serveMetrics() on a port of its own
//                 (printed as "metricsPort"). The others:
//                 `await register.metrics()` in a Response, gzipped with
//                 CompressionStream("gzip") when the request accepts gzip.
//
// The same server code serves both sides: Deno.serve, Bun.serve, or on Node a
// node:http listener that turns each request into a fetch Request and streams
// the Response body back.
import * as pe from "../mod.ts";
import { others, proc } from "./_common.ts";

const [lib, seriesArg] = proc.argv.slice(-2);
const SERIES = Number(seriesArg);
const ROUTES = Array.from({ length: 10 }, (_, i) => ({ route: "/api/v1/thing/" + i }));

/** Series k's labels, built anew on each call as an application would. */
const labels = (k: number) => ({
  id: "item-" + k,
  path: "/api/v1/customers/" + (k % 1000) + "/orders",
  kind: "k" + (k % 7),
});

let work: (i: number) => void;
let metrics: (req: Request) => Promise<Response>;
let metricsPort: number | undefined;
if (lib === "promedge") {
  const registry = new pe.Registry();
  const c = new pe.Counter({
    name: "app_items_total",
    help: "Items.",
    labelNames: ["id", "path", "kind"],
    registry,
  });
  const h = new pe.Histogram({
    name: "app_work_seconds",
    help: "Work.",
    labelNames: ["route"],
    registry,
  });
  for (let i = 0; i < SERIES; i++) c.inc(labels(i), 0);
  work = (i) => {
    const k = i % SERIES;
    c.inc(labels(k));
    h.observe(ROUTES[i % 10], (i % 1000) / 1000);
  };
  metrics = pe.createMetricsHandler({ registry });
  if (proc.env.BENCH_SERVE_METRICS === "1") {
    metricsPort = (await pe.serveMetrics({ port: 0, hostname: "127.0.0.1", registry })).port;
  }
} else {
  const found = (await others()).libs.find((l) => l.id === lib);
  if (!found) throw new Error(`unknown or absent library ${lib}`);
  const cl = found.mod;
  const registry = new cl.Registry();
  const c = new cl.Counter({
    name: "app_items_total",
    help: "Items.",
    labelNames: ["id", "path", "kind"],
    registers: [registry],
  });
  const h = new cl.Histogram({
    name: "app_work_seconds",
    help: "Work.",
    labelNames: ["route"],
    registers: [registry],
  });
  for (let i = 0; i < SERIES; i++) c.inc(labels(i), 0);
  work = (i) => {
    const k = i % SERIES;
    c.inc(labels(k));
    h.observe(ROUTES[i % 10], (i % 1000) / 1000);
  };
  metrics = async (req) => {
    const text = await registry.metrics();
    const headers: Record<string, string> = { "content-type": registry.contentType };
    if (!/\bgzip\b/.test(req.headers.get("accept-encoding") ?? "")) {
      return new Response(text, { headers });
    }
    headers["content-encoding"] = "gzip";
    const body = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
    return new Response(body, { headers });
  };
}

let n = 0;
const handle = (req: Request): Promise<Response> | Response => {
  const path = new URL(req.url).pathname;
  if (path === "/work") {
    work(n++);
    return new Response("ok");
  }
  if (path === "/metrics") return metrics(req);
  return new Response("not found", { status: 404 });
};

const g = globalThis as unknown as {
  Deno?: {
    serve(o: object, h: typeof handle): { addr: { port: number } };
  };
  Bun?: { serve(o: object): { port: number } };
};
let port: number;
if (g.Deno) {
  port = g.Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, handle).addr.port;
} else if (g.Bun) {
  port = g.Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: handle }).port;
} else {
  const http = await import("node:http");
  const server = http.createServer(async (req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string") headers.set(k, v);
    }
    const r = await handle(new Request(`http://127.0.0.1${req.url}`, { headers }));
    const out: Record<string, string> = {};
    r.headers.forEach((v, k) => out[k] = v);
    res.writeHead(r.status, out);
    if (r.body) {
      for await (const chunk of r.body) {
        if (!res.write(chunk)) await new Promise((ok) => res.once("drain", ok));
      }
    }
    res.end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  port = (server.address() as { port: number }).port;
}
console.log(JSON.stringify({ port, metricsPort }));
const memLogS = Number(proc.env.BENCH_MEM_LOG_S ?? 0);
if (memLogS > 0) {
  type Space = { space_name: string; space_size: number };
  let spaces: (() => Space[]) | undefined;
  try {
    if (g.Bun) throw new Error("Bun's node:v8 spaces are made up (new_space is 0)");
    const v8 = await import("node:v8");
    spaces = (v8.default ?? v8).getHeapSpaceStatistics as () => Space[];
    spaces();
  } catch {
    spaces = undefined; // no V8 spaces here
  }
  const log = () => {
    const { rss, heapTotal, heapUsed, external } = proc.memoryUsage();
    const size = (n: string) => spaces?.().find((s) => s.space_name === n)?.space_size;
    const [newSpace, oldSpace] = [size("new_space"), size("old_space")];
    console.error(
      JSON.stringify({ mem: { rss, heapTotal, heapUsed, external, newSpace, oldSpace } }),
    );
  };
  log();
  setInterval(log, memLogS * 1000);
}
const maxS = Number(proc.env.BENCH_SERVER_MAX_S ?? 900);
setTimeout(
  () => (globalThis as unknown as { process: { exit(c: number): void } }).process.exit(0),
  maxS * 1000,
);
