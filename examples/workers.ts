/**
 * Worker threads with one set of numbers: the main thread owns PORT and
 * hands each request to one of WORKERS worker threads; each worker counts in
 * its own registry and sends its cumulative state to the main thread, which
 * serves the merged page on METRICS_PORT at /metrics.
 *
 *   bun run examples/workers.ts
 *   deno run -A examples/workers.ts
 *   npx tsx examples/workers.ts
 *
 * GET /work?v=<number> is counted in app_requests_total and observed in the
 * app_work_value summary; every request's handling time in the worker goes
 * to app_request_duration_seconds, a native histogram (scrape it over
 * protobuf, e.g. Prometheus with --enable-feature=native-histograms); GET /exit makes the answering worker send its last
 * state and exit, and a new worker takes its place. Environment: PORT (8080),
 * METRICS_PORT (9464), WORKERS (4), FLUSH_MS (1000), RETIRE_MS (30000).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import { Counter, Histogram, Registry, Summary } from "../mod.ts";
import { nativeHistogram } from "../src/metrics/native_histogram.ts";
import {
  AggregationSource,
  Aggregator,
  createAggregatorHandler,
  isStateMessage,
  listenPort,
  portSender,
} from "../src/aggregate/mod.ts";

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

type Job = { t: "req"; id: number; path: string; v: number };
type Reply = { t: "res"; id: number; status: number; body: string };

if (isMainThread) main();
else work();

function main(): void {
  const aggregator = new Aggregator({ retireAfterMs: env("RETIRE_MS", 30000) });
  const pending = new Map<number, (r: Reply) => void>();
  const slots: Worker[] = [];
  let next = 0, nextId = 0;

  const spawn = (slot: number): void => {
    const url = new URL(import.meta.url).href;
    // Node with tsx cannot start a .ts worker directly: load it through tsx's API.
    const node = !("Bun" in globalThis) && !("Deno" in globalThis);
    const w = node
      ? new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})` +
          `.then((m) => m.tsImport(${JSON.stringify(url)}, ${JSON.stringify(url)}))`,
        { eval: true },
      )
      : new Worker(new URL(import.meta.url));
    w.on("error", (e) => console.error("worker failed:", e));
    listenPort(aggregator, w, (e) => console.error("bad state:", (e as Error).message));
    w.on("message", (m: unknown) => {
      if (isStateMessage(m)) return;
      const r = m as Reply | { t: "bye" };
      if (r.t === "bye") w.postMessage({ t: "ack" });
      else pending.get(r.id)?.(r), pending.delete(r.id);
    });
    w.on("exit", () => {
      if (slots[slot] === w) setTimeout(() => spawn(slot), 100);
    });
    slots[slot] = w;
  };
  for (let i = 0; i < env("WORKERS", 4); i++) spawn(i);

  const app = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const slot = next++ % slots.length;
    const w = slots[slot];
    // A worker told to exit gets no more requests: its slot gets a new worker now.
    if (url.pathname === "/exit") spawn(slot);
    const id = nextId++;
    pending.set(id, (r) => res.writeHead(r.status, { "content-type": "text/plain" }).end(r.body));
    w.postMessage(
      { t: "req", id, path: url.pathname, v: Number(url.searchParams.get("v") ?? 0) } satisfies Job,
    );
  });
  app.listen(env("PORT", 8080), "127.0.0.1");

  const handle = createAggregatorHandler(aggregator);
  const metrics = createServer(async (req, res) => {
    const body = req.method === "POST"
      ? new Uint8Array(await new Response(req as unknown as ReadableStream).arrayBuffer())
      : undefined;
    const r = await handle(
      new Request(`http://localhost${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body,
      }),
    );
    res.writeHead(r.status, Object.fromEntries(r.headers));
    res.end(new Uint8Array(await r.arrayBuffer()));
  });
  metrics.listen(env("METRICS_PORT", 9464), "127.0.0.1", () => {
    console.log(
      `work on http://127.0.0.1:${env("PORT", 8080)}/work, metrics on http://127.0.0.1:${
        env("METRICS_PORT", 9464)
      }/metrics`,
    );
  });
}

function work(): void {
  const port = parentPort!;
  const registry = new Registry();
  const requests = new Counter({
    name: "app_requests_total",
    help: "Requests handled, by path.",
    labelNames: ["path"],
    registry,
  });
  const values = new Summary({
    name: "app_work_value",
    help: "The v of each /work request.",
    percentiles: [0.5, 0.9, 0.99],
    registry,
  });
  const latency = new Histogram({
    name: "app_request_duration_seconds",
    help: "Time a worker took to handle a request, by path.",
    labelNames: ["path"],
    native: nativeHistogram(),
    registry,
  });
  const source = new AggregationSource({ registry, send: portSender(port) });
  source.start(env("FLUSH_MS", 1000));
  port.on("message", async (m: Job | { t: "ack" }) => {
    if (m.t === "ack") process.exit(0);
    if (m.t !== "req") return;
    const end = latency.startTimer({ path: m.path });
    requests.inc({ path: m.path });
    if (m.path === "/work") values.observe(m.v);
    end();
    port.postMessage({ t: "res", id: m.id, status: 200, body: "ok\n" } satisfies Reply);
    if (m.path === "/exit") {
      // The last state goes before the goodbye; the main thread's ack comes after it arrived.
      source.stop();
      await source.flush();
      port.postMessage({ t: "bye" });
    }
  });
}
