// A real Prometheus 2.42 with --enable-feature=native-histograms scrapes the
// same registry twice: once over protobuf, once over text 0.0.4. Every series
// must be stored with the same value both ways.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { freePort, type Proc, sleep, start, stopAll, tempDir, waitFor } from "./_procs.ts";
import { needs } from "../_tools.ts";
import {
  Counter,
  createMetricsHandler,
  Gauge,
  Histogram,
  Info,
  type MetricsHandler,
  Registry,
  Summary,
} from "../../mod.ts";
import { protobufFormat } from "../../src/exposition/protobuf.ts";

const skip = needs("promtool");
const dir = tempDir();
let prom: Proc | undefined;
let promUrl = "";
const servers: Server[] = [];
const served: Record<string, string[]> = { proto: [], text: [] };

function registry(): Registry {
  const registry = new Registry();
  const c = new Counter({
    name: "orders_total",
    help: "Orders.",
    labelNames: ["shop", "note"],
    registry,
  });
  c.inc({ shop: "north", note: 'a "quoted"\\ value' }, 3);
  c.inc({ shop: "süd", note: "" }, 0.5);
  const g = new Gauge({ name: "temperature_celsius", help: "T.", labelNames: ["room"], registry });
  g.set({ room: "lab" }, -12.75);
  g.set({ room: "void" }, NaN);
  g.set({ room: "sun" }, Infinity);
  const h = new Histogram({
    name: "latency_seconds",
    help: "L.",
    labelNames: ["route"],
    buckets: [0.01, 0.1, 1, 2.5],
    registry,
  });
  for (const v of [0.005, 0.01, 0.05, 0.5, 1, 3, 30]) h.observe({ route: "/a" }, v);
  h.observe({ route: "/b" }, 0.2);
  const s = new Summary({
    name: "payload_bytes",
    help: "P.",
    percentiles: [0.5, 0.99],
    registry,
  });
  for (let i = 1; i <= 200; i++) s.observe(i * 10);
  new Info({ name: "build", help: "B.", labelNames: ["version"], registry }).set({
    version: "9.8.7",
  });
  registry.registerCollector(() => [
    { name: "legacy_thing", help: "U.", type: "untyped", samples: [{ value: 42 }] },
    {
      name: "queue_jobs_total",
      help: "Q.",
      type: "counter",
      samples: [{ labels: { queue: "mail" }, value: 17 }],
    },
  ]);
  return registry;
}

async function serve(job: string, handler: MetricsHandler): Promise<number> {
  const port = await freePort();
  const server = createServer((req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string") headers.set(k, v);
    }
    handler(new Request(`http://127.0.0.1:${port}${req.url}`, { headers })).then(async (r) => {
      served[job].push(r.headers.get("content-type") ?? "");
      const out: Record<string, string> = {};
      r.headers.forEach((v, k) => out[k] = v);
      res.writeHead(r.status, out);
      res.end(new Uint8Array(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  servers.push(server);
  return port;
}

before(async () => {
  if (skip) return;
  const reg = registry();
  const protoPort = await serve(
    "proto",
    createMetricsHandler({ registry: reg, formats: [protobufFormat] }),
  );
  const textPort = await serve(
    "text",
    createMetricsHandler({ registry: reg, protobuf: false, openMetrics: false }),
  );
  const config = join(dir.path, "prometheus.yml");
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n` +
      [["proto", protoPort], ["text", textPort]].map(([job, port]) =>
        `  - job_name: ${job}\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`
      ).join(""),
  );
  const promPort = await freePort();
  prom = start("prometheus", [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir.path, "data")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    "--enable-feature=native-histograms",
  ]);
  promUrl = `http://127.0.0.1:${promPort}`;
  await waitFor(`${promUrl}/-/ready`, prom);
});

after(async () => {
  await stopAll();
  for (const s of servers) s.close();
  dir.remove();
});

async function series(job: string): Promise<Map<string, string>> {
  const q = `{job="${job}",__name__!~"up|scrape_.*"}`;
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = await res.json() as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  assert.equal(body.status, "success", JSON.stringify(body));
  const out = new Map<string, string>();
  for (const r of body.data.result) {
    const { job: _j, instance: _i, ...labels } = r.metric;
    const key = JSON.stringify(Object.entries(labels).sort());
    out.set(key, r.value[1]);
  }
  return out;
}

test("Prometheus 2.42 stores every type scraped over protobuf with the values of a text scrape", {
  skip,
}, async () => {
  let proto = new Map<string, string>(), text = new Map<string, string>();
  for (let i = 0; i < 40; i++) {
    await sleep(500);
    [proto, text] = [await series("proto"), await series("text")];
    if (proto.size > 0 && proto.size === text.size) break;
  }
  assert.ok(
    served.proto.some((t) => t.startsWith("application/vnd.google.protobuf")),
    `protobuf served to Prometheus: ${served.proto.slice(0, 3)}`,
  );
  assert.ok(served.text.every((t) => t.startsWith("text/plain; version=0.0.4")));
  const names = new Set([...text.keys()].map((k) => Object.fromEntries(JSON.parse(k)).__name__));
  for (
    const n of [
      "orders_total",
      "temperature_celsius",
      "latency_seconds_bucket",
      "latency_seconds_sum",
      "latency_seconds_count",
      "payload_bytes",
      "payload_bytes_sum",
      "payload_bytes_count",
      "build_info",
      "legacy_thing",
      "queue_jobs_total",
    ]
  ) assert.ok(names.has(n), `${n} stored from the text scrape: ${[...names]}`);
  assert.deepEqual(
    Object.fromEntries([...proto].sort()),
    Object.fromEntries([...text].sort()),
    "the same series with the same values",
  );
  const inf = [...proto].find(([k]) => k.includes('"le","+Inf"') && k.includes('"/a"'));
  assert.equal(inf?.[1], "7", "the +Inf bucket Prometheus derives from sample_count");
});
