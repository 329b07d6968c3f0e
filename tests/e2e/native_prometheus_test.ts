// A real Prometheus 2.42 with --enable-feature=native-histograms scrapes
// native histograms served by Deno, Bun and Node: each is stored as a native
// histogram with exact count and sum, its 0.9 quantile within the schema's
// resolution of the data's, and the same histograms scraped as text are
// stored as classic ones.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, freePort, type Proc, sleep, start, stopAll, tempDir, waitFor } from "./_procs.ts";
import { needs } from "../_tools.ts";
import { EMPTY_HISTOGRAMS, NATIVE_HISTOGRAMS, values } from "./fixtures/native_data.ts";

const skip = needs("prometheus");
const dir = tempDir();
let promUrl = "";
const APP = "tests/e2e/fixtures/native_app.ts";
const RUNTIMES: [string, string, string[]][] = [
  ["deno", BIN("deno"), ["run", "-A", APP]],
  ["bun", BIN("bun"), ["run", APP]],
  ["node", BIN("tsx"), [APP]],
];

before(async () => {
  if (skip) return;
  const jobs: string[] = [];
  const apps: [number, Proc][] = [];
  for (const [rt, cmd, args] of RUNTIMES) {
    const port = await freePort();
    apps.push([port, start(cmd, args, { PORT: String(port) })]);
    jobs.push(`  - job_name: ${rt}\n    static_configs:\n      - targets: ["127.0.0.1:${port}"]\n`);
  }
  jobs.push(
    `  - job_name: text\n    metrics_path: /text\n    static_configs:\n      - targets: ["127.0.0.1:${
      apps[2][0]
    }"]\n`,
  );
  await Promise.all(apps.map(([port, p]) => waitFor(`http://127.0.0.1:${port}/metrics`, p, 60000)));
  const config = join(dir.path, "prometheus.yml");
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n${jobs.join("")}`,
  );
  const promPort = await freePort();
  const prom = start("prometheus", [
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
  dir.remove();
});

interface Result {
  metric: Record<string, string>;
  value?: [number, string];
  histogram?: [
    number,
    { count: string; sum: string; buckets?: [number, string, string, string][] },
  ];
}

async function query(q: string): Promise<Result[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = await res.json() as { status: string; data: { result: Result[] } };
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.data.result;
}

/** Waits until every job has been scraped and its histograms are stored. */
async function stored(job: string, name: string): Promise<Result[]> {
  for (let i = 0; i < 60; i++) {
    const r = await query(`${name}{job="${job}"}`);
    if (r.length > 0) return r;
    await sleep(500);
  }
  const targets = await (await fetch(`${promUrl}/api/v1/targets`)).text();
  throw new Error(`${name} from ${job} never stored; targets: ${targets}`);
}

/** The schema of a stored native histogram, from the ratio of a positive bucket's bounds. */
function schemaOf(h: NonNullable<Result["histogram"]>[1]): number {
  const b = h.buckets!.find(([, lower]) => Number(lower) > 0)!;
  return Math.round(-Math.log2(Math.log2(Number(b[2]) / Number(b[1])))) + 0; // no -0
}

const vs = values();

/**
 * The highest schema <= `schema` at which the data's populated buckets (both
 * signs, by the spec's rule: ceil(log2|v| * 2^s)) number at most `maxBuckets`.
 */
function expectedSchema(schema: number, maxBuckets: number): number {
  for (let s = schema; s > -4; s--) {
    const keys = new Set(
      vs.filter((v) => v !== 0).map((v) =>
        `${Math.sign(v)}:${Math.ceil(Math.log2(Math.abs(v)) * 2 ** s)}`
      ),
    );
    if (keys.size <= maxBuckets) return s;
  }
  return -4;
}

const sorted = [...vs].sort((a, b) => a - b);
const trueP90 = sorted[Math.ceil(0.9 * vs.length) - 1];
let sum = 0;
for (const v of vs) sum += v;

for (const [rt] of RUNTIMES) {
  test(
    `Prometheus 2.42 stores native histograms served by ${rt} as native, with exact count and sum and p90 within a bucket`,
    {
      skip,
    },
    async () => {
      assert.ok(vs.some((v) => v < 0) && vs.some((v) => v === 0) && trueP90 > 0);
      assert.ok(
        expectedSchema(8, 20) < 8 && expectedSchema(3, 160) < 3,
        "the data forces lowering",
      );
      for (const [name, native] of Object.entries(NATIVE_HISTOGRAMS)) {
        const [r] = await stored(rt, name);
        assert.ok(r.histogram, `${name} is stored as a native histogram: ${JSON.stringify(r)}`);
        assert.equal(r.histogram[1].count, String(vs.length), name);
        assert.equal(Number(r.histogram[1].sum), sum, `${name}: the sum exactly`);
        const opts = native;
        const schema = schemaOf(r.histogram[1]);
        const maxBuckets = opts.maxBuckets ?? 160;
        assert.equal(schema, expectedSchema(opts.schema ?? 3, maxBuckets), name);
        assert.ok(
          r.histogram[1].buckets!.length <= maxBuckets,
          `${name}: at most ${maxBuckets} buckets`,
        );
        const [c] = await query(`histogram_count(${name}{job="${rt}"})`);
        assert.equal(c.value![1], String(vs.length));
        const [s] = await query(`histogram_sum(${name}{job="${rt}"})`);
        assert.equal(Number(s.value![1]), sum);
        const [q] = await query(`histogram_quantile(0.9, ${name}{job="${rt}"})`);
        const p90 = Number(q.value![1]);
        const factor = 2 ** (2 ** -schema);
        assert.ok(
          p90 >= trueP90 / factor && p90 <= trueP90 * factor,
          `${name} (schema ${schema}): p90 ${p90} against the data's ${trueP90}, factor ${factor}`,
        );
      }
      for (const name of Object.keys(EMPTY_HISTOGRAMS)) {
        const [r] = await stored(rt, name);
        assert.ok(
          r.histogram,
          `empty ${name} is stored as a native histogram: ${JSON.stringify(r)}`,
        );
        assert.equal(r.histogram[1].count, "0");
      }
    },
  );
}

test(
  "Prometheus 2.42 stores the same histograms scraped as text as classic ones",
  { skip },
  async () => {
    const [count] = await stored("text", "nh_default_count");
    assert.equal(count.value![1], String(vs.length));
    const inf = await query(`nh_schema8_bucket{job="text",le="+Inf"}`);
    assert.equal(inf[0]?.value?.[1], String(vs.length));
    const [s] = await query(`nh_default_sum{job="text"}`);
    assert.equal(Number(s.value![1]), sum);
    assert.deepEqual(await query(`nh_default{job="text"}`), [], "no native series from text");
  },
);
