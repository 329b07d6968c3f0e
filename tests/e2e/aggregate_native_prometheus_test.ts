// Native histograms through aggregation into a real Prometheus 2.42: three
// sources (Deno, Bun, Node) POST the state of a native and a classic Histogram
// to an aggregator, which Prometheus (--enable-feature=native-histograms)
// scrapes over protobuf. The merged series is stored as native, with count and
// sum exact over every source, before and after the sources retire and are
// folded into the retained totals, and never goes down.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import {
  BIN,
  freePort,
  type Proc,
  sleep,
  start,
  startPrometheus,
  stopAll,
  tempDir,
} from "./_procs.ts";
import { needs, promtool } from "../_tools.ts";
import { Aggregator, createAggregatorHandler } from "../../src/aggregate/mod.ts";
import { CLASSIC_BUCKETS, ROUTES, sharedValues } from "./fixtures/native_shares.ts";

const skip = needs("prometheus", "promtool");
const dir = tempDir();
const SOURCE = "tests/e2e/fixtures/native_source.ts";
const SOURCES: [string, string[]][] = [
  [BIN("deno"), ["run", "-A", SOURCE]],
  [BIN("bun"), ["run", SOURCE]],
  [BIN("tsx"), [SOURCE]],
];
// Long enough for a 1 s scrape to see each phase even on a loaded machine.
const aggregator = new Aggregator({ retireAfterMs: 5000, forgetAfterMs: 5000 });
const handle = createAggregatorHandler(aggregator);
let server: Server | undefined;
let aggUrl = "";
let promUrl = "";
let startedAt = 0;

before(async () => {
  if (skip) return;
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const r = await handle(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
      }),
    );
    const out: Record<string, string> = {};
    r.headers.forEach((v, k) => out[k] = v);
    res.writeHead(r.status, out);
    res.end(new Uint8Array(await r.arrayBuffer()));
  });
  const port = await freePort();
  await new Promise<void>((r) => server!.listen(port, "127.0.0.1", r));
  aggUrl = `http://127.0.0.1:${port}`;
  promUrl = await startPrometheus(dir.path, [{ job: "agg", port }], [
    "--enable-feature=native-histograms",
  ]);
  startedAt = Date.now() / 1000;
});

after(async () => {
  await stopAll();
  await new Promise((r) => server ? server.close(r) : r(undefined));
  dir.remove();
});

interface Result {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
  histogram?: [
    number,
    { count: string; sum: string; buckets?: [number, string, string, string][] },
  ];
}

async function api(path: string): Promise<Result[]> {
  const res = await fetch(`${promUrl}/api/v1/${path}`);
  const body = await res.json() as { status: string; data: { result: Result[] } };
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.data.result;
}
const query = (q: string) => api(`query?query=${encodeURIComponent(q)}`);

/** The highest schema <= 3 at which `vs` populate at most 160 buckets (the spec's index rule). */
function expectedSchema(vs: number[]): number {
  for (let s = 3; s > -4; s--) {
    const keys = new Set(
      vs.filter((v) => v !== 0).map((v) =>
        `${Math.sign(v)}:${Math.ceil(Math.log2(Math.abs(v)) * 2 ** s)}`
      ),
    );
    if (keys.size <= 160) return s;
  }
  return -4;
}

function schemaOf(h: NonNullable<Result["histogram"]>[1]): number {
  const b = h.buckets!.find(([, lower]) => Number(lower) > 0)!;
  return Math.round(-Math.log2(Math.log2(Number(b[2]) / Number(b[1])))) + 0;
}

test(
  "Aggregator merges native Histograms from Deno, Bun and Node sources; Prometheus 2.42 stores them as native with exact count and sum that never go down",
  { skip, timeout: 180_000 },
  async () => {
    const vs = sharedValues();
    const byRoute = ROUTES.map((_, r) => vs.filter((_, i) => i % 2 === r));
    assert.ok(vs.some((v) => v < 0) && vs.some((v) => v === 0), "both signs and zeros");
    // On some route no source needs to lower its schema, but the merge must.
    assert.ok(
      byRoute.some((data, r) =>
        [0, 1, 2].every((share) =>
          expectedSchema(data) < expectedSchema(vs.filter((_, i) => i % 2 === r && i % 3 === share))
        )
      ),
      "the data makes the merge lower the schema",
    );

    const procs: Proc[] = SOURCES.map(([cmd, args], share) =>
      start(cmd, args, { SHARE: String(share), SHARES: "3", AGGREGATOR: aggUrl })
    );
    await Promise.all(procs.map((p) =>
      new Promise<void>((resolve, reject) => {
        p.child.once("exit", (code) =>
          code === 0 && p.output().includes("sent")
            ? resolve()
            : reject(new Error(`source exited ${code}:\n${p.output()}`)));
      })
    ));

    // Every source retired, then folded into the retained totals.
    const page = () => fetch(`${aggUrl}/metrics`).then((r) => r.text());
    let text = "";
    for (let t = 0; t < 100; t++) {
      text = await page();
      if (
        /^promedge_aggregation_sources 0$/m.test(text) &&
        /^promedge_aggregation_retired_sources 0$/m.test(text)
      ) break;
      await sleep(200);
    }
    assert.match(text, /^promedge_aggregation_retired_sources 0$/m, text);
    assert.match(text, /^promedge_aggregation_messages_total\{result="accepted"\} 6$/m);
    const lint = promtool(text);
    assert.equal(lint.code, 0, lint.output);

    // Prometheus has scraped the folded totals (two more scrapes).
    const foldedAt = Date.now() / 1000;
    for (let t = 0; t < 60; t++) {
      const [r] = await query(`timestamp(promedge_aggregation_retired_sources{job="agg"})`);
      if (r && Number(r.value![1]) > foldedAt + 1) break;
      await sleep(500);
    }

    for (let r = 0; r < ROUTES.length; r++) {
      const sel = `agg_native_seconds{job="agg",route="${ROUTES[r]}"}`;
      const data = byRoute[r];
      const [stored] = await query(sel);
      assert.ok(stored?.histogram, `${sel} is stored as native: ${JSON.stringify(stored)}`);
      const h = stored.histogram[1];
      assert.equal(h.count, String(data.length), sel);
      assert.equal(Number(h.sum), data.reduce((a, b) => a + b, 0), `${sel}: the sum exactly`);
      assert.equal(schemaOf(h), expectedSchema(data), `${sel}: the schema all the data needs`);
      assert.ok(h.buckets!.length <= 160);
      const [c] = await query(`histogram_count(${sel})`);
      assert.equal(c.value![1], String(data.length));
      const [s] = await query(`histogram_sum(${sel})`);
      assert.equal(Number(s.value![1]), data.reduce((a, b) => a + b, 0));
      const sorted = [...data].sort((a, b) => a - b);
      const truth = sorted[Math.ceil(0.9 * data.length) - 1];
      const [q] = await query(`histogram_quantile(0.9, ${sel})`);
      const factor = 2 ** (2 ** -schemaOf(h));
      const p90 = Number(q.value![1]);
      assert.ok(
        p90 >= truth / factor && p90 <= truth * factor,
        `${sel}: p90 ${p90}, true ${truth}`,
      );
      // The native series replaces the classic ones: none stored for it.
      assert.deepEqual(await query(`agg_native_seconds_count{job="agg",route="${ROUTES[r]}"}`), []);
    }

    // The classic histogram, over protobuf too: classic series, exact.
    const buckets = new Map(
      (await query(`agg_classic_seconds_bucket{job="agg"}`)).map((
        b,
      ) => [b.metric.le === "+Inf" ? Infinity : Number(b.metric.le), b.value![1]]),
    );
    assert.equal(buckets.get(Infinity), String(vs.length));
    for (const le of CLASSIC_BUCKETS) {
      assert.equal(buckets.get(le), String(vs.filter((v) => v <= le).length), `le=${le}`);
    }
    const [sum] = await query(`agg_classic_seconds_sum{job="agg"}`);
    assert.equal(Number(sum.value![1]), vs.reduce((a, b) => a + b, 0));

    // Prometheus saw every phase: sources reporting, retired, folded in.
    for (const q of ["sources", "retired_sources"]) {
      const [r] = await query(`max_over_time(promedge_aggregation_${q}{job="agg"}[5m])`);
      assert.ok(Number(r?.value?.[1]) >= 1, `no scrape saw any ${q}: ${JSON.stringify(r)}`);
    }
    // Never down while sources reported, retired and were folded in.
    const range = (q: string) =>
      api(
        `query_range?query=${encodeURIComponent(q)}&start=${startedAt}&end=${
          Date.now() / 1000
        }&step=1`,
      );
    for (
      const q of [
        `histogram_count(agg_native_seconds{job="agg"})`,
        `histogram_sum(agg_native_seconds{job="agg",route="/a"} > -Inf)`,
        `agg_classic_seconds_count{job="agg"}`,
      ]
    ) {
      const series = await range(q);
      assert.ok(series.length > 0, q);
      for (const s of series) {
        const xs = s.values!.map(([, v]) => Number(v));
        assert.ok(xs.length >= 3, `${q}: only ${xs.length} points`);
        for (let i = 1; i < xs.length; i++) {
          assert.ok(xs[i] >= xs[i - 1], `${q} went from ${xs[i - 1]} to ${xs[i]}`);
        }
      }
    }
  },
);
