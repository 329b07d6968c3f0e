// Remote write into the real receivers: Prometheus 2.42 (remote-write receiver, native
// histograms) and VictoriaMetrics 1.79, from Deno, Bun and Node. Each runtime writes,
// changes its metrics, writes again; then every series the receiver holds is compared
// with the registry's own text page as the reference Python parser reads it. Exemplars
// are read back with /api/v1/query_exemplars (2.42 with exemplar-storage), and a native
// histogram's staleness marker must end its series.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { BIN, freePort, type Proc, ROOT, start, stopAll, tempDir, waitFor } from "./_procs.ts";
import { needs, pyParse } from "../_tools.ts";
import { type RemoteFamily, RemoteWriter } from "../../src/remote/mod.ts";

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

async function query(base: string, q: string, time?: number): Promise<Vector[]> {
  const at = time === undefined ? "" : `&time=${time}`;
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}${at}`);
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
      "--enable-feature=exemplar-storage",
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

  const native = {
    schema: 0,
    zeroThreshold: 2 ** -128,
    zeroCount: 0,
    count: 3,
    sum: 3.5,
    positiveSpans: [{ offset: 0, length: 2 }],
    positiveDeltas: [2, -1], // (0.5,1]: 2, (1,2]: 1
  };

  test("RemoteWriter's exemplars land with their trace ids, values and timestamps", async () => {
    const t0 = Date.now() - 5_000;
    const source = (): RemoteFamily[] => [
      {
        name: "ex_hits_total",
        type: "counter",
        help: "",
        series: [{
          labels: { path: "/a" },
          value: 7,
          exemplar: { labels: { trace_id: "4bf92f3577b34da6" }, value: 2, timestamp: t0 },
        }],
      },
      {
        name: "ex_lat_seconds",
        type: "histogram",
        help: "",
        series: [{
          labels: {},
          buckets: [
            {
              le: 0.1,
              count: 1,
              exemplar: { labels: { trace_id: "b01" }, value: 0.05, timestamp: t0 + 1 },
            },
            {
              le: Infinity,
              count: 2,
              exemplar: { labels: { trace_id: "b02" }, value: 3, timestamp: t0 + 2 },
            },
          ],
          count: 2,
          sum: 3.05,
        }],
      },
      {
        name: "ex_native_seconds",
        type: "histogram",
        help: "",
        series: [{
          labels: {},
          native,
          exemplars: [{
            labels: { trace_id: "n01", span_id: "s1" },
            value: 0.75,
            timestamp: t0 + 3,
          }],
        }],
      },
      {
        name: "ex_long_total",
        type: "counter",
        help: "",
        series: [{
          labels: {},
          value: 1,
          exemplar: { labels: { trace_id: "x".repeat(121) }, value: 1, timestamp: t0 + 4 },
        }],
      },
    ];
    const writer = new RemoteWriter(`${base}/api/v1/write`, { source, labels: { job: "ex" } });
    await writer.write();
    // 2.42 adds a series' exemplars before its histogram samples: a native histogram's
    // exemplars land once the series exists, from the second write on.
    await writer.write();
    const byTrace = new Map<string, { series: string; value: number; timestamp: number }>();
    for (const r of await exemplars(base, '{job="ex"}', t0 / 1000 - 60)) {
      for (const e of r.exemplars) {
        byTrace.set(e.labels.trace_id, {
          series: r.seriesLabels.__name__ + (r.seriesLabels.le ? `{le=${r.seriesLabels.le}}` : ""),
          value: Number(e.value),
          timestamp: Math.round(e.timestamp * 1000),
        });
      }
    }
    assert.deepEqual(byTrace.get("4bf92f3577b34da6"), {
      series: "ex_hits_total",
      value: 2,
      timestamp: t0,
    });
    assert.deepEqual(byTrace.get("b01"), {
      series: "ex_lat_seconds_bucket{le=0.1}",
      value: 0.05,
      timestamp: t0 + 1,
    });
    assert.deepEqual(byTrace.get("b02"), {
      series: "ex_lat_seconds_bucket{le=+Inf}",
      value: 3,
      timestamp: t0 + 2,
    });
    assert.deepEqual(byTrace.get("n01"), {
      series: "ex_native_seconds",
      value: 0.75,
      timestamp: t0 + 3,
    });
    assert.equal(byTrace.size, 4, "the over-long exemplar was left out: " + [...byTrace.keys()]);
    const [long] = await query(base, 'ex_long_total{job="ex"}');
    assert.equal(long?.value?.[1], "1", "its sample landed");
  });

  test("RemoteWriter's staleness marker ends a native histogram series", async () => {
    let present = true;
    const source = (): RemoteFamily[] => [{
      name: "stale_native_seconds",
      type: "histogram",
      help: "",
      series: present ? [{ labels: {}, native }] : [],
    }];
    const writer = new RemoteWriter(`${base}/api/v1/write`, { source, labels: { job: "st" } });
    await writer.write();
    const [h] = await query(base, 'stale_native_seconds{job="st"}');
    assert.equal(h?.histogram?.[1].count, "3", JSON.stringify(h));
    const between = Date.now() / 1000;
    await new Promise((r) => setTimeout(r, 20));
    present = false;
    await writer.write();
    await new Promise((r) => setTimeout(r, 50)); // query after the marker's millisecond
    assert.deepEqual(await query(base, 'stale_native_seconds{job="st"}'), []);
    // Still there before the marker: the marker ended it, nothing else.
    const [before] = await query(base, 'stale_native_seconds{job="st"}', between);
    assert.equal(before?.histogram?.[1].count, "3", JSON.stringify(before));
  });
});

interface ExemplarResult {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

async function exemplars(base: string, q: string, start: number): Promise<ExemplarResult[]> {
  const url = `${base}/api/v1/query_exemplars?query=${encodeURIComponent(q)}&start=${start}&end=${
    Date.now() / 1000 + 60
  }`;
  const body = await (await fetch(url)).json() as { status: string; data: ExemplarResult[] };
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.data;
}

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
