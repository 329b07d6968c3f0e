// Code written the way prom-client's README shows it, run once with prom-client 15 and once with
// the ./prom-client entry (the module object is the only thing that changes), on this runtime;
// each page both serve is read back by the reference (Python) parser and compared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import real from "prom-client";
import ours from "../src/compat/prom-client.ts";
import { needs, type ParsedFamily, pyParseMany } from "./_tools.ts";

type Client = typeof ours;

/** What one run serves: the page over node:http, with its content type, and the other reads. */
interface Served {
  contentType: string | null;
  page: string;
  single: string;
  merged: string;
  openMetrics: string;
  json: unknown;
}

/** prom-client's README, in one program. */
async function usage(client: Client): Promise<Served> {
  const register = client.register;
  register.clear();
  register.setDefaultLabels({ serviceName: "api-v1" });
  client.collectDefaultMetrics({ prefix: "my_app_", labels: { NODE_APP_INSTANCE: "3" } });

  const requests = new client.Counter({
    name: "http_requests_total",
    help: "Requests served.",
    labelNames: ["method", "code"],
  });
  requests.inc({ method: "GET", code: 200 });
  requests.inc({ method: "GET", code: 200 }, 2);
  requests.labels("POST", "201").inc();
  requests.labels({ method: "DELETE", code: 404 }).inc(0);

  let queue = 5;
  new client.Gauge({
    name: "queue_size",
    help: "Jobs waiting.",
    async collect() {
      await new Promise((r) => setTimeout(r, 1));
      this.set(queue++);
    },
  });
  const inFlight = new client.Gauge({ name: "in_flight", help: "In flight.", labelNames: ["q"] });
  inFlight.inc({ q: "mail" }, 3);
  inFlight.dec({ q: "mail" });
  inFlight.labels("sms").set(7);

  const latency = new client.Histogram({
    name: "http_request_duration_seconds",
    help: "Latency.",
    labelNames: ["route", "code"],
    buckets: client.linearBuckets(0.1, 0.2, 4),
  });
  for (const v of [0.05, 0.2, 0.31, 0.7, 2]) latency.observe({ route: "/", code: 200 }, v);
  latency.labels("/api", "500").observe(0.5);
  latency.zero({ route: "/never", code: 200 });
  const end = latency.startTimer({ route: "/timed" });
  end({ code: 200 }); // one observation, a few µs: in the first bucket

  const sizes = new client.Summary({
    name: "response_size_bytes",
    help: "Sizes.",
    percentiles: [0.5, 0.9],
    labelNames: ["route"],
  });
  for (const v of [100, 200, 300]) sizes.observe({ route: "/" }, v);

  const other = new client.Registry();
  new client.Counter({ name: "jobs_done_total", help: "Jobs.", registers: [other] }).inc(4);
  const merged = client.Registry.merge([register, other]);

  const om = new client.Registry(client.openMetricsContentType);
  const traced = new client.Counter({
    name: "traced_total",
    help: "Traced.",
    labelNames: ["m"],
    enableExemplars: true,
    registers: [om],
  });
  traced.inc({ labels: { m: "a" }, value: 2, exemplarLabels: { traceId: "abc" } });
  const th = new client.Histogram({
    name: "traced_seconds",
    help: "Traced.",
    buckets: [1],
    enableExemplars: true,
    registers: [om],
  });
  th.observe({ value: 0.5, exemplarLabels: { traceId: "def" } });

  // An express-like handler on node:http.
  const server = createServer(async (_req, res) => {
    try {
      res.setHeader("Content-Type", register.contentType);
      res.end(await register.metrics());
    } catch (e) {
      res.statusCode = 500;
      res.end(String(e));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    return {
      contentType: res.headers.get("content-type"),
      page: await res.text(),
      single: await register.getSingleMetricAsString("http_requests_total"),
      merged: await merged.metrics(),
      openMetrics: await om.metrics(),
      json: await register.getMetricsAsJSON(),
    };
  } finally {
    server.close();
    register.clear();
  }
}

/** The families of prom-client's own default metrics or this library's: told apart by name. */
const DEFAULTS = /^my_app_(process|nodejs|js)_/;

/** Label values as text, but `le` and `quantile`, which prom-client and the entry give as numbers. */
function textLabels(labels: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(labels).map(([k, v]) => [k, k === "le" || k === "quantile" ? v : String(v)]),
  );
}

/** A timer's reading: a few µs to ms, never the same twice. */
function elapsed(seconds: number): string {
  return seconds > 0 && seconds < 0.5 ? "elapsed" : `not a short time: ${seconds}`;
}

/** Parsed families, comparable: default metrics out, labels sorted, le/quantile as numbers. */
function comparable(families: ParsedFamily[]) {
  return families.filter((f) => !DEFAULTS.test(f.name)).map((f) => ({
    name: f.name,
    type: f.type,
    help: f.help,
    samples: f.samples.map((s) => ({
      name: s.name,
      labels: Object.entries(s.labels).map(([k, v]) =>
        k === "le" || k === "quantile" ? [k, String(Number(v))] : [k, v]
      ).sort(),
      value: f.type === "summary" && s.labels.quantile !== undefined
        ? "quantile"
        : s.labels.route === "/timed" && s.name.endsWith("_sum")
        ? elapsed(s.value as number)
        : s.value,
      exemplar: s.exemplar && { labels: s.exemplar.labels, value: s.exemplar.value },
    })).sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1),
  })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

test("prom-client README usage gives the same pages and JSON with the ./prom-client entry", {
  skip: needs("python"),
}, async () => {
  const theirs = await usage(real as unknown as Client);
  const mine = await usage(ours);
  assert.equal(mine.contentType, theirs.contentType);
  const pages = (s: Served) => [
    { text: s.page, om: false },
    { text: s.single, om: false },
    { text: s.merged, om: false },
    { text: s.openMetrics, om: true },
  ];
  const parsed = pyParseMany([...pages(theirs), ...pages(mine)]).map((r, i) => {
    if (r.error !== undefined) assert.fail(`page ${i} rejected: ${r.error}`);
    return r.families;
  });
  const what = ["page", "getSingleMetricAsString", "Registry.merge", "OpenMetrics page"];
  for (let i = 0; i < 4; i++) {
    assert.deepEqual(comparable(parsed[i + 4]), comparable(parsed[i]), what[i]);
  }
  // The default metrics: prefixed and labelled alike; the names both libraries write.
  const page = parsed[0], myPage = parsed[4];
  for (
    const name of [
      "my_app_process_cpu_seconds",
      "my_app_process_resident_memory_bytes",
      "my_app_process_start_time_seconds",
      "my_app_process_open_fds",
    ]
  ) {
    const [a, b] = [page, myPage].map((p) => p.find((f) => f.name === name));
    assert.ok(a !== undefined && b !== undefined, name);
    assert.equal(b.type, a.type, name);
    assert.deepEqual(b.samples[0].labels, a.samples[0].labels, name);
  }
  // getMetricsAsJSON(): the same entries for the metrics (quantile values aside), as JSON writes
  // them; label values as text (README: prom-client keeps a number given as a label value).
  const json = (j: unknown) =>
    (JSON.parse(JSON.stringify(j), (k, v) => k === "labels" ? textLabels(v) : v) as {
      name: string;
      values: { labels: Record<string, unknown>; value: number }[];
    }[])
      .filter((m) => !DEFAULTS.test(m.name))
      .map((m) => ({
        ...m,
        values:
          (m.values as { labels: Record<string, unknown>; value: unknown; metricName?: string }[])
            .map((v) =>
              v.labels.quantile !== undefined
                ? { ...v, value: "quantile" }
                : v.labels.route === "/timed" && v.metricName?.endsWith("_sum")
                ? { ...v, value: elapsed(v.value as number) }
                : v
            ),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  assert.deepEqual(json(mine.json), json(theirs.json));
});
