// A real Prometheus 2.42 scrapes example.ts and a Hono app under Bun and Deno.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, freePort, type Proc, sleep, start, stopAll, tempDir, waitFor } from "./_procs.ts";
import { needs, promtool, pyParse } from "../_tools.ts";

const skip = needs("promtool", "python");

interface Target {
  job: string;
  port: number;
  proc?: Proc;
  cmd: string;
  args: string[];
}

const targets: Target[] = [];
let prom: Proc | undefined;
let promUrl = "";
const dir = tempDir();

before(async () => {
  if (skip) return;
  const specs: [string, string, string[]][] = [
    ["example-bun", BIN("bun"), ["run", "example.ts"]],
    ["example-deno", BIN("deno"), ["run", "-A", "example.ts"]],
    ["example-deno-restricted", BIN("deno"), ["run", "--allow-net", "--allow-env", "example.ts"]],
    ["hono-bun", BIN("bun"), ["run", "tests/e2e/fixtures/hono_app.ts"]],
    ["hono-deno", BIN("deno"), ["run", "-A", "tests/e2e/fixtures/hono_app.ts"]],
  ];
  for (const [job, cmd, args] of specs) {
    const port = await freePort();
    targets.push({ job, port, cmd, args, proc: start(cmd, args, { PORT: String(port) }) });
  }
  await Promise.all(targets.map((t) => waitFor(`http://127.0.0.1:${t.port}/metrics`, t.proc)));
  // Traffic for the Hono apps.
  for (const t of targets.filter((t) => t.job.startsWith("hono"))) {
    for (const id of [1, 2, 3]) {
      await (await fetch(`http://127.0.0.1:${t.port}/users/${id}`)).text();
    }
  }
  const promPort = await freePort();
  const config = join(dir.path, "prometheus.yml");
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n` +
      targets.map((t) =>
        `  - job_name: ${t.job}\n    static_configs:\n      - targets: ["127.0.0.1:${t.port}"]\n`
      ).join(""),
  );
  prom = start("prometheus", [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir.path, "data")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ]);
  promUrl = `http://127.0.0.1:${promPort}`;
  await waitFor(`${promUrl}/-/ready`, prom);
});

after(async () => {
  await stopAll();
  dir.remove();
});

async function query(
  q: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = await res.json() as { status: string; data: { result: [] } };
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.data.result;
}

async function targetsUp(): Promise<{ job: string; health: string; lastError: string }[]> {
  const res = await fetch(`${promUrl}/api/v1/targets`);
  const body = await res.json() as {
    data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
  };
  return body.data.activeTargets.map((t) => ({
    job: t.labels.job,
    health: t.health,
    lastError: t.lastError,
  }));
}

test("Prometheus scrapes every target with no error", { skip }, async () => {
  let last: { job: string; health: string; lastError: string }[] = [];
  for (let i = 0; i < 60; i++) {
    last = await targetsUp();
    if (last.length === targets.length && last.every((t) => t.health === "up")) break;
    await sleep(500);
  }
  for (const t of targets) {
    const seen = last.find((x) => x.job === t.job);
    assert.ok(seen, `target ${t.job} missing`);
    assert.equal(seen.health, "up", `${t.job}: ${seen.lastError}\n${t.proc?.output()}`);
    assert.equal(seen.lastError, "");
  }
});

test("Prometheus sees the example's Summary grow and the process metrics", { skip }, async () => {
  await sleep(6000);
  const examples = targets.filter((t) => t.job.startsWith("example"));
  const rate = await query("rate(request_processing_seconds_count[5s]) > 0");
  for (const t of examples) {
    assert.ok(
      rate.some((r) => r.metric.job === t.job),
      `${t.job}: no rate in ${JSON.stringify(rate)}`,
    );
  }
  const q99 = await query('request_processing_seconds{quantile="0.99"}');
  for (const r of q99) {
    const v = Number(r.value[1]);
    assert.ok(v > 0.5 && v <= 1.05, `${r.metric.job} p99 of sleeps in [0,1) s: ${v}`);
  }
  for (
    const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
    ]
  ) {
    const res = await query(`${name} > 0`);
    for (const t of examples) {
      assert.ok(res.some((r) => r.metric.job === t.job), `${name} for ${t.job}`);
    }
  }
  // Six process metrics where /proc is readable; no fake zeros where it is not.
  for (const name of ["process_open_fds", "process_max_fds", "process_virtual_memory_bytes"]) {
    const jobs = (await query(name)).map((r) => r.metric.job);
    assert.ok(jobs.includes("example-bun") && jobs.includes("example-deno"), `${name}: ${jobs}`);
    assert.ok(!jobs.includes("example-deno-restricted"), `${name} must be absent without -A`);
  }
  const info = await query('js_runtime_info{runtime="deno"}');
  assert.ok(
    info.some((r) => r.metric.job === "example-deno" && /^\d+\.\d+\.\d+$/.test(r.metric.version)),
  );
});

test("Prometheus sees the Hono apps' request metrics by route pattern", { skip }, async () => {
  const res = await query('http_requests_total{route="/users/:id",status="200"}');
  for (const job of ["hono-bun", "hono-deno"]) {
    const r = res.find((x) => x.metric.job === job);
    assert.ok(r, `${job}: ${JSON.stringify(res)}`);
    assert.equal(Number(r.value[1]), 3);
  }
  const dur = await query('http_request_duration_seconds_count{route="/users/:id"}');
  assert.equal(dur.length, 2);
});

test(
  "every target's page passes promtool and the strict OpenMetrics parser",
  { skip },
  async () => {
    for (const t of targets) {
      const text = await (await fetch(`http://127.0.0.1:${t.port}/metrics`)).text();
      const r = promtool(text);
      assert.equal(r.code, 0, `${t.job}: ${r.output}`);
      const om = await (await fetch(`http://127.0.0.1:${t.port}/metrics`, {
        headers: { accept: "application/openmetrics-text; version=1.0.0" },
      })).text();
      assert.ok(pyParse(om, true).length > 0, t.job);
    }
  },
);
