// A real Prometheus 2.42 with --enable-feature=exemplar-storage scrapes an app
// with exemplars (tests/e2e/fixtures/exemplar_app.ts) under Node, Deno and Bun
// over OpenMetrics; a second one, with native-histograms too, scrapes the same
// apps over protobuf. /api/v1/query_exemplars must return the exact trace ids,
// values and buckets, and the Hono apps' traceparent headers.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, freePort, type Proc, sleep, start, stopAll, tempDir, waitFor } from "./_procs.ts";
import { needs, promtool, pyParse } from "../_tools.ts";
import { DEFAULT_BUCKETS } from "../../mod.ts";

const skip = needs("prometheus", "promtool", "python");

/** The fixture's five start-up exemplars: jobs_total mail, sms; job_seconds 0.1, 0.7, 5. */
const FIXED = [
  "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
  "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
  "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3",
  "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4",
  "e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5",
];

interface Target {
  job: string;
  port: number;
  proc: Proc;
  /** Epoch ms before the process started and after it answered: its exemplars were recorded between. */
  started: number;
  ready: number;
}
interface Prom {
  url: string;
  proc: Proc;
}

const targets: Target[] = [];
const proms: Record<"om" | "proto", Prom> = {} as never;
const dir = tempDir();
const t0 = Date.now();

before(async () => {
  if (skip) return;
  const specs: [string, string, string[]][] = [
    ["exemplar-node", BIN("tsx"), ["tests/e2e/fixtures/exemplar_app.ts"]],
    ["exemplar-deno", BIN("deno"), ["run", "-A", "tests/e2e/fixtures/exemplar_app.ts"]],
    ["exemplar-bun", BIN("bun"), ["run", "tests/e2e/fixtures/exemplar_app.ts"]],
  ];
  await Promise.all(specs.map(async ([job, cmd, args]) => {
    const port = await freePort();
    const started = Date.now();
    const proc = start(cmd, args, { PORT: String(port), EXEMPLAR_TRACES: JSON.stringify(FIXED) });
    await waitFor(`http://127.0.0.1:${port}/users/0`, proc);
    targets.push({ job, port, proc, started, ready: Date.now() });
  }));
  const config = join(dir.path, "prometheus.yml");
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n` +
      targets.map((t) =>
        `  - job_name: ${t.job}\n    static_configs:\n      - targets: ["127.0.0.1:${t.port}"]\n`
      ).join(""),
  );
  for (
    const [name, features] of [
      ["om", "exemplar-storage"],
      ["proto", "exemplar-storage,native-histograms"],
    ] as const
  ) {
    const port = await freePort();
    const proc = start("prometheus", [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir.path, name)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--enable-feature=${features}`,
    ]);
    proms[name] = { url: `http://127.0.0.1:${port}`, proc };
  }
  await Promise.all(Object.values(proms).map((p) => waitFor(`${p.url}/-/ready`, p.proc)));
});

after(async () => {
  await stopAll();
  dir.remove();
});

interface Stored {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

async function exemplars(p: Prom, selector: string): Promise<Stored[]> {
  const q = new URLSearchParams({
    query: selector,
    start: String(t0 / 1000 - 60),
    end: String(Date.now() / 1000 + 60),
  });
  const res = await fetch(`${p.url}/api/v1/query_exemplars?${q}`);
  const body = await res.json() as { status: string; data: Stored[] };
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.data;
}

async function query(
  p: Prom,
  q: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${p.url}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = await res.json() as { status: string; data: { result: [] } };
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.data.result;
}

/** Polls `read` until `done` holds of its result (30 s at most); returns the last result. */
async function until<T>(read: () => Promise<T>, done: (x: T) => boolean): Promise<T> {
  let last = await read();
  for (let i = 0; i < 60 && !done(last); i++) {
    await sleep(500);
    last = await read();
  }
  return last;
}

/** The start-up exemplars as stored, keyed by series: [labels, value, timestamp]. */
async function fixedStored(p: Prom, job: string) {
  const sel = `{job="${job}",__name__=~"jobs_total|job_seconds_bucket"}`;
  const got = await until(() => exemplars(p, sel), (d) => d.length === 5);
  const out: Record<string, [Record<string, string>, string, number][]> = {};
  for (const s of got) {
    const key = s.seriesLabels.__name__ + (s.seriesLabels.queue ?? "") + (s.seriesLabels.le ?? "");
    out[key] = s.exemplars.map((e) => [e.labels, e.value, e.timestamp]);
  }
  return out;
}

function checkFixed(t: Target, got: Awaited<ReturnType<typeof fixedStored>>) {
  const [a, b, c, d, e] = FIXED;
  const want: Record<string, [Record<string, string>, string]> = {
    jobs_totalmail: [{ trace_id: a }, "3"],
    jobs_totalsms: [{ trace_id: b, n: "7" }, "2.5"],
    "job_seconds_bucket0.1": [{ trace_id: c }, "0.1"], // 0.1 sits on its own bound
    "job_seconds_bucket1.0": [{ trace_id: d }, "0.7"],
    "job_seconds_bucket+Inf": [{ trace_id: e }, "5"],
  };
  assert.deepEqual(
    Object.keys(got).sort(),
    Object.keys(want).sort(),
    `${t.job}: ${JSON.stringify(got)}`,
  );
  for (const [k, [labels, value]] of Object.entries(want)) {
    assert.equal(
      got[k].length,
      1,
      `${t.job} ${k}: one exemplar, stored once: ${JSON.stringify(got[k])}`,
    );
    const [l, v, ts] = got[k][0];
    assert.deepEqual(l, labels, `${t.job} ${k}`);
    assert.equal(v, value, `${t.job} ${k}`);
    assert.ok(
      ts * 1000 >= t.started && ts * 1000 <= t.ready,
      `${t.job} ${k}: recorded at start-up: ${ts}`,
    );
  }
}

test(
  "Prometheus stores the exemplars of counters and buckets from OpenMetrics: exact trace ids, values, le",
  {
    skip,
  },
  async () => {
    for (const t of targets) checkFixed(t, await fixedStored(proms.om, t.job));
  },
);

test("an exemplar is stored once, though scraped many times: its timestamp is that of the call", {
  skip,
}, async () => {
  await sleep(4000); // several more scrapes
  for (const t of targets) {
    const up = await query(proms.om, `count_over_time(up{job="${t.job}"}[1m])`);
    assert.ok(
      Number(up[0]?.value[1]) >= 4,
      `${t.job}: scraped several times: ${JSON.stringify(up)}`,
    );
    checkFixed(t, await fixedStored(proms.om, t.job));
  }
});

test(
  "Prometheus 2.42 with native-histograms reads the same exemplars from protobuf",
  { skip },
  async () => {
    for (const t of targets) {
      const om = await fixedStored(proms.om, t.job);
      const pb = await fixedStored(proms.proto, t.job);
      checkFixed(t, pb);
      assert.deepEqual(pb, om, `${t.job}: the same exemplars, the same millisecond timestamps`);
      // A native histogram: 2.42 keeps one exemplar per scrape of it, taken from the first
      // classic bucket that has one (0.25 in le="0.25"); it does not read Histogram.exemplars
      // (field 16, newer client_model). Over OpenMetrics the classic buckets carry both.
      const nat = await until(
        () => exemplars(proms.proto, `native_seconds{job="${t.job}"}`),
        (d) => d.length > 0,
      );
      assert.deepEqual(
        nat.map((
          s,
        ) => [s.seriesLabels.__name__, s.exemplars.map((e) => [e.labels.trace_id, e.value])]),
        [["native_seconds", [[FIXED[0], "0.25"]]]],
      );
      const classic = await until(
        () => exemplars(proms.om, `native_seconds_bucket{job="${t.job}"}`),
        (d) => d.length === 2,
      );
      assert.deepEqual(
        classic.map((
          s,
        ) => [s.seriesLabels.le, s.exemplars.map((e) => [e.labels.trace_id, e.value])])
          .sort(),
        [["0.25", [[FIXED[0], "0.25"]]], ["5.0", [[FIXED[1], "3"]]]],
      );
      const served = t.proc.output();
      assert.match(served, /served application\/vnd\.google\.protobuf/, `${t.job} served protobuf`);
      assert.match(served, /served application\/openmetrics-text/, `${t.job} served OpenMetrics`);
    }
  },
);

test(
  "a Hono app's traceparent reaches Prometheus as trace_id and span_id on the request count and its duration bucket",
  {
    skip,
  },
  async () => {
    // A trace id per target and request, never all zero.
    const trace = (i: number, k: number) =>
      ((i + 1).toString(16) + (k + 1).toString(16)).repeat(16);
    const span = (k: number) => ("5" + k).repeat(8);
    const get = async (t: Target, path: string, traceparent?: string) => {
      const res = await fetch(`http://127.0.0.1:${t.port}${path}`, {
        headers: traceparent ? { traceparent } : {},
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    };
    for (const [i, t] of targets.entries()) {
      await get(t, "/users/1", `00-${trace(i, 1)}-${span(1)}-01`);
      await get(t, "/users/2"); // untraced: counted, no exemplar
      await get(t, "/users/3", `00-${"0".repeat(32)}-${span(3)}-01`); // invalid: likewise
    }
    for (const [i, t] of targets.entries()) {
      const sel =
        `{job="${t.job}",__name__=~"http_requests_total|http_request_duration_seconds_bucket"}`;
      const got = await until(() => exemplars(proms.om, sel), (d) => d.length === 2);
      const count = got.find((s) => s.seriesLabels.__name__ === "http_requests_total");
      assert.ok(count, `${t.job}: ${JSON.stringify(got)}`);
      assert.equal(count.seriesLabels.route, "/users/:id");
      assert.deepEqual(
        count.exemplars.map((e) => [e.labels, e.value]),
        [[{ trace_id: trace(i, 1), span_id: span(1) }, "1"]],
      );
      const bucket = got.find((s) => s.seriesLabels.__name__ !== "http_requests_total")!;
      assert.equal(bucket.exemplars.length, 1);
      const ex = bucket.exemplars[0];
      assert.deepEqual(ex.labels, { trace_id: trace(i, 1), span_id: span(1) });
      // The bucket whose range holds the request's duration.
      const v = Number(ex.value);
      const le = DEFAULT_BUCKETS.find((b) => v <= b);
      const lower = DEFAULT_BUCKETS.filter((b) => b < v).at(-1) ?? 0;
      assert.ok(v > 0 && v > lower, `${t.job}: duration ${v}`);
      assert.equal(
        Number(bucket.seriesLabels.le),
        le ?? Infinity,
        `${t.job}: ${v} in le=${bucket.seriesLabels.le}`,
      );
      const n = await until(
        () => query(proms.om, `http_requests_total{job="${t.job}",route="/users/:id"}`),
        (r) => r[0]?.value[1] === "4",
      );
      assert.equal(
        n[0]?.value[1],
        "4",
        `${t.job}: every request counted (with the readiness probe)`,
      );
    }
    // A later traced request: Prometheus keeps both.
    for (const [i, t] of targets.entries()) {
      await get(
        t,
        "/users/4",
        `00-${trace(i, 5)}-${span(4)}-00`,
      );
    }
    for (const [i, t] of targets.entries()) {
      const got = await until(
        () => exemplars(proms.om, `http_requests_total{job="${t.job}"}`),
        (d) => d[0]?.exemplars.length === 2,
      );
      assert.deepEqual(
        got[0].exemplars.map((e) => e.labels.trace_id),
        [trace(i, 1), trace(i, 5)],
        t.job,
      );
    }
  },
);

test(
  "each app's OpenMetrics page passes the strict Python parser with its exemplars; promtool passes the text page",
  {
    skip,
  },
  async () => {
    for (const t of targets) {
      const om = await (await fetch(`http://127.0.0.1:${t.port}/metrics`, {
        headers: { accept: "application/openmetrics-text; version=1.0.0" },
      })).text();
      const samples = pyParse(om, true).flatMap((f) => f.samples);
      const traced = samples.filter((s) => s.exemplar !== null).map((s) =>
        s.exemplar!.labels.trace_id
      );
      for (const id of FIXED) assert.ok(traced.includes(id), `${t.job}: ${id} in ${traced}`);
      const text = await (await fetch(`http://127.0.0.1:${t.port}/metrics`)).text();
      assert.doesNotMatch(text, /# \{/, "no exemplars in text 0.0.4");
      const r = promtool(text);
      assert.equal(r.code, 0, `${t.job}: ${r.output}`);
    }
  },
);
