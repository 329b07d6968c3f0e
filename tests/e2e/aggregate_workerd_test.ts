// examples/edge-aggregate in workerd: three edge isolates, one Durable Object, a real Prometheus.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import {
  BIN,
  freePort,
  type Proc,
  ROOT,
  sleep,
  start,
  stopAll,
  tempDir,
  waitFor,
} from "./_procs.ts";
import { needs, promtool } from "../_tools.ts";
import { Counter, Registry } from "../../mod.ts";
import { AggregationSource } from "../../src/aggregate/mod.ts";

const dir = tempDir();
after(async () => {
  await stopAll();
  dir.remove();
});

function value(text: string, series: string): number | undefined {
  const esc = series.replace(/[{}"/.+]/g, (c) => "\\" + c);
  const m = text.match(new RegExp(`^${esc} (\\S+)$`, "m"));
  return m ? Number(m[1]) : undefined;
}

/** The example's config with free ports and a fresh disk, beside freshly built bundles. */
async function exampleConfig(): Promise<{ config: string; edges: number[]; metrics: number }> {
  for (const w of ["edge", "aggregator"]) {
    await build({
      entryPoints: [join(ROOT, "examples/edge-aggregate", `${w}.ts`)],
      bundle: true,
      format: "esm",
      platform: "neutral",
      external: ["node:*"],
      outfile: join(dir.path, `${w}.js`),
      logLevel: "silent",
    });
  }
  const disk = join(dir.path, "totals");
  mkdirSync(disk);
  const ports = {
    8780: await freePort(),
    8781: await freePort(),
    8782: await freePort(),
    8783: await freePort(),
  };
  let text = readFileSync(join(ROOT, "examples/edge-aggregate/config.capnp"), "utf8");
  for (const [from, to] of Object.entries(ports)) {
    text = text.replace(`"127.0.0.1:${from}"`, `"127.0.0.1:${to}"`);
  }
  text = text.replace('path = "examples/edge-aggregate/.totals"', `path = "${disk}"`);
  assert.ok(text.includes(disk), "the example's disk path moved: update this test");
  const config = join(dir.path, "config.capnp");
  writeFileSync(config, text);
  return { config, edges: [ports[8781], ports[8782], ports[8783]], metrics: ports[8780] };
}

test(
  "edge-aggregate: three workerd isolates, one Durable Object page with exact totals that survive a restart; Prometheus sees no reset",
  {
    skip: needs("promtool"),
  },
  async () => {
    const { config, edges, metrics } = await exampleConfig();
    const page = `http://127.0.0.1:${metrics}/metrics`;
    let workerd: Proc = start(BIN("workerd"), ["serve", config]);
    await waitFor(`http://127.0.0.1:${edges[0]}/`, workerd);
    const routes = ["/a", "/b", "/c"];
    const sent: Record<string, number> = { "/a": 0, "/b": 0, "/c": 0 };
    let i = 0;
    const load = async (n: number) => {
      for (let k = 0; k < n; k += 6) {
        await Promise.all(Array.from({ length: 6 }, async () => {
          const j = i++;
          const route = routes[j % 3];
          const res = await fetch(`http://127.0.0.1:${edges[Math.floor(j / 3) % 3]}${route}`);
          assert.equal(res.status, 200);
          await res.text();
          sent[route]++;
        }));
      }
    };
    const settle = async (): Promise<string> => {
      let text = "";
      for (let t = 0; t < 100; t++) {
        text = await (await fetch(page)).text();
        if (routes.every((r) => value(text, `edge_requests_total{route="${r}"}`) === sent[r])) {
          break;
        }
        await sleep(100);
      }
      return text;
    };
    await load(60);
    let text = await settle();
    for (const r of routes) {
      assert.equal(
        value(text, `edge_requests_total{route="${r}"}`),
        sent[r],
        text,
      );
    }
    // waitFor's GET / is a request too.
    const home = () => value(text, 'edge_requests_total{route="/"}')!;
    assert.equal(value(text, "edge_request_duration_seconds_count"), 60 + home());
    assert.equal(value(text, "promedge_aggregation_sources"), 3);
    assert.equal(promtool(text).code, 0, promtool(text).output);

    const promPort = await freePort();
    const promConfig = join(dir.path, "prometheus.yml");
    writeFileSync(
      promConfig,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: edge\n    static_configs:\n      - targets: ["127.0.0.1:${metrics}"]\n`,
    );
    const prom = start("prometheus", [
      `--config.file=${promConfig}`,
      `--storage.tsdb.path=${join(dir.path, "prom")}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ]);
    const promUrl = `http://127.0.0.1:${promPort}`;
    await waitFor(`${promUrl}/-/ready`, prom);
    const query = async (q: string) => {
      const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = await res.json() as { data: { result: { value: [number, string] }[] } };
      return body.data.result.map((r) => Number(r.value[1]));
    };
    // Prometheus starts scraping some seconds after it is ready: wait for two scrapes.
    for (let t = 0; t < 80 && !((await query("count_over_time(up[5m])"))[0] >= 2); t++) {
      await sleep(250);
    }
    await load(60);
    // A source larger than one storage value (128 KiB): POSTed straight to the aggregator.
    const bigRegistry = new Registry();
    const big = new Counter({
      name: "big_total",
      help: "Many series.",
      labelNames: ["id"],
      registry: bigRegistry,
    });
    for (let k = 0; k < 30_000; k++) big.inc({ id: "item-" + k }, 1 + (k % 3));
    const bigState = await new AggregationSource({ registry: bigRegistry, send: () => {} })
      .encode();
    assert.ok(bigState.length > 3 * 131072, `${bigState.length} bytes`);
    const posted = await fetch(page, { method: "POST", body: bigState as Uint8Array<ArrayBuffer> });
    assert.equal(posted.status, 200, await posted.text());
    await sleep(1500);
    // workerd restarts: the Durable Object's constructor runs again and loads its storage;
    // the edge isolates are new, with new source ids.
    await workerd.stop();
    workerd = start(BIN("workerd"), ["serve", config]);
    await waitFor(`http://127.0.0.1:${edges[0]}/`, workerd);
    await load(60);
    text = await settle();
    for (const r of routes) {
      assert.equal(
        value(text, `edge_requests_total{route="${r}"}`),
        sent[r],
        text,
      );
    }
    assert.equal(value(text, "edge_request_duration_seconds_count"), 180 + home());
    let bigSum = 0;
    for (const m of text.matchAll(/^big_total\{id="item-\d+"\} (\d+)$/gm)) bigSum += Number(m[1]);
    assert.equal(
      bigSum,
      60_000,
      "the large source came back whole from the Durable Object's storage",
    );
    // The three old isolates and the large source are still within the retirement timeout;
    // three new isolates report.
    assert.equal(value(text, "promedge_aggregation_sources"), 7, text);
    const total = sent["/a"] + sent["/b"] + sent["/c"];
    let seen: number[] = [];
    for (let t = 0; t < 60; t++) {
      seen = await query('sum(edge_requests_total{route=~"/a|/b|/c"})');
      if (seen[0] === total) break;
      await sleep(250);
    }
    assert.deepEqual(seen, [total], prom.output());
    await sleep(1500);
    assert.deepEqual(await query("sum(resets(edge_requests_total[5m]))"), [0]);
    assert.deepEqual(await query("sum(resets(edge_request_duration_seconds_count[5m]))"), [0]);
    const samples = await query("count_over_time(edge_request_duration_seconds_count[5m])");
    const ups = await query("count_over_time(up[5m])");
    const good = await query("sum_over_time(up[5m])");
    const targets = await (await fetch(`${promUrl}/api/v1/targets`)).text();
    assert.ok(samples[0] >= 4, `Prometheus kept ${samples} samples; up ${good}/${ups}; ${targets}`);
    assert.equal(workerd.output().match(/error|exception|uncaught/i), null, workerd.output());
  },
);
