// Remote write into the real receivers: Prometheus 2.42 (remote-write receiver, native
// histograms) and VictoriaMetrics 1.79, from Deno, Bun and Node. Each runtime writes,
// changes its metrics, writes again; then every series the receiver holds is compared
// with the registry's own text page as the reference Python parser reads it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { BIN, freePort, type Proc, ROOT, start, stopAll, tempDir, waitFor } from "./_procs.ts";
import { needs, pyParse } from "../_tools.ts";

const dir = tempDir();
after(async () => {
  await stopAll();
  dir.remove();
});

const RUNTIMES: Record<string, [string, string[]]> = {
  deno: [BIN("deno"), ["run", "-A", "--no-check", "tests/e2e/fixtures/remote_writer.ts"]],
  bun: [BIN("bun"), ["run", "tests/e2e/fixtures/remote_writer.ts"]],
  node: [BIN("tsx"), ["tests/e2e/fixtures/remote_writer.ts"]],
};

/** Runs the fixture in `runtime`; returns the page it wrote and the protocol it ended on. */
function runWriter(runtime: string, url: string, version: 1 | 2, native: boolean) {
  const [cmd, args] = RUNTIMES[runtime];
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
    env: {
      ...process.env,
      NO_COLOR: "1",
      RW_URL: url,
      RW_VERSION: String(version),
      RW_RUNTIME: runtime,
      RW_NATIVE: native ? "1" : "",
    },
  });
  assert.equal(r.status, 0, `${runtime}: ${r.stderr}${r.stdout}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as { version: number; page: string };
}

/** The page's samples as `name{sorted labels}` -> value (Python's parser). */
function expected(page: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of pyParse(page)) {
    for (const s of f.samples) {
      out.set(key(s.name, s.labels), Number(s.value));
    }
  }
  return out;
}

function key(name: string, labels: Record<string, string>): string {
  const ls = Object.entries(labels).filter(([k]) =>
    k !== "__name__" && k !== "job" &&
    k !== "runtime"
  ).sort(([a], [b]) => a < b ? -1 : 1);
  return `${name}{${ls.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`;
}

interface Vector {
  metric: Record<string, string>;
  value?: [number, string];
  histogram?: [number, { count: string; sum: string; buckets: [number, string, string, string][] }];
}

async function query(base: string, q: string): Promise<Vector[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = await res.json() as { status: string; data: { result: Vector[] } };
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.data.result;
}

/** What the receiver holds for one runtime's float series, in the same form. */
async function held(base: string, runtime: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of await query(base, `{job="e2e",runtime="${runtime}"}`)) {
    if (!v.value) continue;
    out.set(key(v.metric.__name__, v.metric), Number(v.value[1]));
  }
  return out;
}

function compare(got: Map<string, number>, want: Map<string, number>, who: string): void {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${who}: the same series`);
  for (const [k, v] of want) {
    const g = got.get(k)!;
    assert.ok(
      g === v || Math.abs(g - v) <= 1e-12 * Math.max(1, Math.abs(v)),
      `${who}: ${k} is ${g}, wrote ${v}`,
    );
  }
  // Values the test knows without the library: the second write's.
  assert.equal(want.get('jobs_total{kind="etl"}'), 5);
  assert.equal(want.get('temp_celsius{room="a"}'), 4.25);
  assert.equal(want.get('lat_seconds_bucket{le="0.1"}'), 1);
  assert.equal(want.get('lat_seconds_bucket{le="1.0"}'), 2);
  assert.equal(want.get('lat_seconds_bucket{le="+Inf"}'), 3);
  assert.equal(want.get("size_bytes_sum{}"), 16);
  assert.equal(want.has('temp_celsius{room="gone"}'), false);
}

describe("remote write into Prometheus 2.42", {
  skip: needs("prometheus", "python"),
}, () => {
  let prom: Proc;
  let base = "";
  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prom = start("prometheus", [
      `--config.file=/dev/null`,
      `--storage.tsdb.path=${join(dir.path, "prom-data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-remote-write-receiver",
      "--enable-feature=native-histograms",
    ]);
    await waitFor(`${base}/-/ready`, prom);
  });
  after(() => prom?.stop());

  for (const [runtime, version] of [["deno", 2], ["bun", 1], ["node", 2]] as const) {
    test(`${runtime}: RemoteWriter (version ${version}) lands every series with its latest value`, async () => {
      const out = runWriter(runtime, `${base}/api/v1/write`, version, runtime === "node");
      // Prometheus 2.42 answers 204 to 2.0 without the written-counts headers: back to 1.0.
      assert.equal(out.version, 1);
      compare(await held(base, runtime), expected(out.page), `Prometheus/${runtime}`);
      if (runtime === "node") {
        const [h] = await query(base, `native_seconds{job="e2e",runtime="node"}`);
        assert.ok(h?.histogram, JSON.stringify(h));
        const { count, sum, buckets } = h.histogram![1];
        assert.equal(Number(count), 6);
        assert.equal(Number(sum), 11.5);
        const byUpper = Object.fromEntries(buckets.map((b) => [Number(b[2]), Number(b[3])]));
        assert.deepEqual(byUpper, { [2 ** -128]: 1, 1: 2, 2: 1, 8: 2 });
      }
    });
  }
});

describe("remote write into VictoriaMetrics 1.79", {
  skip: needs("victoria-metrics", "python"),
}, () => {
  let vm: Proc;
  let base = "";
  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    vm = start("victoria-metrics", [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${join(dir.path, "vm-data")}`,
      "-search.latencyOffset=0s",
      "-search.disableCache",
    ]);
    await waitFor(`${base}/health`, vm);
  });
  after(() => vm?.stop());

  for (const [runtime, version] of [["node", 1], ["deno", 1], ["bun", 2]] as const) {
    test(`${runtime}: RemoteWriter (version ${version}) lands every series with its latest value`, async () => {
      const out = runWriter(runtime, `${base}/api/v1/write`, version, false);
      assert.equal(out.version, 1);
      const want = expected(out.page);
      let got = new Map<string, number>();
      for (let i = 0; i < 50; i++) {
        await (await fetch(`${base}/internal/force_flush`)).body?.cancel();
        got = await held(base, runtime);
        if (got.size >= want.size && got.get('jobs_total{kind="etl"}') === 5) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      compare(got, want, `VictoriaMetrics/${runtime}`);
    });
  }
});
