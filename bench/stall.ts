// The longest event-loop stall while a ~10 MB page is produced and its whole
// body read, in-process.
//
// What is measured: a 1 ms timer re-arms itself; the figure is the longest gap
// between two of its ticks (so at least ~1 ms) from the moment the scrape
// starts until the last byte of the response body has been read with
// `arrayBuffer()`. Each mode runs RUNS times per library, promedge first in
// even rounds and last in odd ones; the figure is the median.
//
//   metrics()        registry.metrics() alone, the string.
//   handler          promedge: createMetricsHandler() answering a GET with
//                    `Accept-Encoding: identity`, body read to the end.
//                    prom-client: `await register.metrics()` then
//                    `new Response(text)`, body read to the end.
//   handler, gzip    the same with `Accept-Encoding: gzip`; prom-client has
//                    no gzip of its own, so its text goes through the same
//                    CompressionStream("gzip") that a fetch server would use.
import * as pe from "../mod.ts";
import { type Client, median, type Other } from "./_common.ts";

const RUNS = 5;

/** One stall row: the median worst gap in ms, and the page size. */
export interface StallRow {
  name: string;
  ours: number;
  theirs: Record<string, number>;
  bytes: number;
}

function fill(add: (family: number, id: string, path: string, v: number) => void): void {
  for (let f = 0; f < 20; f++) {
    for (let i = 0; i < 9300; i++) add(f, String(i), "/api/v1/resource/" + (i % 97), i);
  }
}

async function worstGap(scrape: () => Promise<number>): Promise<{ ms: number; bytes: number }> {
  let last = performance.now(), worst = 0, running = true;
  const tick = () => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  await new Promise((r) => setTimeout(r, 10));
  worst = 0;
  last = performance.now();
  const bytes = await scrape();
  running = false;
  await new Promise((r) => setTimeout(r, 10));
  return { ms: worst, bytes };
}

const TEXT = "text/plain; version=0.0.4; charset=utf-8";

function request(gzip: boolean): Request {
  return new Request("http://localhost/metrics", {
    headers: { accept: "text/plain", "accept-encoding": gzip ? "gzip" : "identity" },
  });
}

/** prom-client's page as a fetch server would send it. */
function theirResponse(text: string, gzip: boolean): Response {
  if (!gzip) return new Response(text, { headers: { "content-type": TEXT } });
  const body = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(body, { headers: { "content-type": TEXT, "content-encoding": "gzip" } });
}

/** Runs the three stall modes. */
export async function stall(libs: Other[]): Promise<StallRow[]> {
  const pr = new pe.Registry();
  const fams = Array.from({ length: 20 }, (_, f) =>
    new pe.Counter({
      name: `fam${f}_total`,
      help: "h",
      labelNames: ["id", "path"],
      registry: pr,
    }));
  fill((f, id, path, v) => fams[f].inc({ id, path }, v));
  const handler = pe.createMetricsHandler({ registry: pr });
  const theirs = libs.map((l) => {
    const cl: Client = l.mod;
    const r = new cl.Registry();
    const ks = Array.from({ length: 20 }, (_, f) =>
      new cl.Counter({
        name: `fam${f}_total`,
        help: "h",
        labelNames: ["id", "path"],
        registers: [r],
      }));
    fill((f, id, path, v) => ks[f].inc({ id, path }, v));
    return { id: l.id, r };
  });
  const modes: {
    name: string;
    ours: () => Promise<number>;
    theirs: (r: InstanceType<Client["Registry"]>) => Promise<number>;
  }[] = [
    {
      name: "metrics() alone",
      ours: async () => (await pr.metrics()).length,
      theirs: async (r) => (await r.metrics()).length,
    },
    ...[false, true].map((gzip) => ({
      name: gzip ? "handler, gzip, body read" : "handler, identity, body read",
      ours: async () => (await (await handler(request(gzip))).arrayBuffer()).byteLength,
      theirs: async (r: InstanceType<Client["Registry"]>) =>
        (await theirResponse(await r.metrics(), gzip).arrayBuffer()).byteLength,
    })),
  ];
  const rows: StallRow[] = [];
  for (const m of modes) {
    const o: number[] = [];
    const t: Record<string, number[]> = Object.fromEntries(theirs.map((x) => [x.id, []]));
    let bytes = 0;
    await m.ours(); // warm-up
    for (const x of theirs) await m.theirs(x.r);
    for (let i = 0; i < RUNS; i++) {
      const ours = async () => {
        const a = await worstGap(m.ours);
        o.push(a.ms);
        bytes = a.bytes;
      };
      if (i % 2 === 0) await ours();
      for (const x of theirs) t[x.id].push((await worstGap(() => m.theirs(x.r))).ms);
      if (i % 2 === 1) await ours();
    }
    rows.push({
      name: m.name,
      ours: median(o),
      theirs: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])),
      bytes,
    });
  }
  return rows;
}
