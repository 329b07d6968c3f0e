// What a bundler keeps (esbuild --bundle --minify, as bench/bundle.mjs measures): a program
// that reads the default registry (the handler, serveMetrics(), the Hono entry, defaultRegistry
// itself) still serves the process metrics and js_runtime_info from its bundle; a program that
// only scrapes its own `new Registry()` carries neither the default collectors nor a format it
// does not name. Each bundle is run under Node and its page read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./_procs.ts";
import { bundles, CEILINGS } from "../../bench/bundle.mjs";

const MOD = JSON.stringify(join(ROOT, "mod.ts"));
const HONO = JSON.stringify(join(ROOT, "src/http/hono.ts"));

/** The default page: the six process_* metrics (Linux, /proc) and js_runtime_info. */
const DEFAULT_FAMILIES = [
  "process_cpu_seconds_total",
  "process_virtual_memory_bytes",
  "process_resident_memory_bytes",
  "process_start_time_seconds",
  "process_open_fds",
  "process_max_fds",
  "js_runtime_info",
];

/** Bundles `source` (minified, ESM), runs it under Node, returns the bundle and its stdout. */
async function bundleAndRun(source: string): Promise<{ code: string; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), "promedge-bundle-test-"));
  try {
    const entry = join(dir, "entry.ts");
    writeFileSync(entry, source);
    const r = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "neutral",
      nodePaths: [join(ROOT, "node_modules")],
      external: ["node:*"],
      logLevel: "silent",
      write: false,
      outfile: join(dir, "out.mjs"),
    });
    const code = r.outputFiles[0].text;
    const out = join(dir, "out.mjs");
    writeFileSync(out, code);
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [out], { timeout: 30_000 }, (err, so, se) => {
        if (err) reject(new Error(`${err.message}\n${se}`));
        else resolve(so);
      })
    );
    return { code, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const linux = process.platform === "linux";

function assertDefaultPage(page: string, what: string): void {
  for (const name of DEFAULT_FAMILIES) {
    if (!linux && name !== "js_runtime_info") continue;
    assert.match(page, new RegExp(`^# TYPE ${name} `, "m"), `${what}: ${name} missing`);
  }
  assert.match(page, /^js_runtime_info\{runtime="node",/m, what);
  assert.match(page, /^jobs_total 1$/m, `${what}: the program's own counter`);
}

test("a bundle using metricsHandler serves the process metrics and js_runtime_info", async () => {
  const { stdout } = await bundleAndRun(`
    import { Counter, metricsHandler } from ${MOD};
    new Counter({ name: "jobs_total", help: "Jobs." }).inc();
    const res = await metricsHandler(new Request("http://localhost/metrics"));
    console.log(await res.text());
  `);
  assertDefaultPage(stdout, "metricsHandler");
});

test("a bundle reading defaultRegistry.metrics() writes the process metrics", async () => {
  const { stdout } = await bundleAndRun(`
    import { Counter, defaultRegistry } from ${MOD};
    new Counter({ name: "jobs_total", help: "Jobs." }).inc();
    console.log(await defaultRegistry.metrics());
  `);
  assertDefaultPage(stdout, "defaultRegistry.metrics()");
});

test("a bundle using serveMetrics() serves the process metrics", async () => {
  const { stdout } = await bundleAndRun(`
    import { Counter, serveMetrics } from ${MOD};
    new Counter({ name: "jobs_total", help: "Jobs." }).inc();
    const server = await serveMetrics({ port: 0, hostname: "127.0.0.1" });
    try {
      const res = await fetch("http://127.0.0.1:" + server.port + "/metrics");
      console.log(await res.text());
    } finally {
      await server.close();
    }
  `);
  assertDefaultPage(stdout, "serveMetrics()");
});

test("a bundle of the Hono entry alone serves the process metrics", async () => {
  const { stdout } = await bundleAndRun(`
    import { Hono } from "hono";
    import { httpMetrics, metrics } from ${HONO};
    const app = new Hono();
    app.use(httpMetrics());
    app.get("/metrics", metrics());
    app.get("/jobs", (c) => c.text("ok"));
    await app.request("/jobs");
    const page = await (await app.request("/metrics")).text();
    console.log(page + "jobs_total 1\\n");
  `);
  assertDefaultPage(stdout, "Hono metrics()");
  assert.match(stdout, /^http_requests_total\{.*route="\/jobs".*\} 1$/m);
});

test("a bundle of Counter and its own Registry carries no default collector and no OpenMetrics", async () => {
  const { code, stdout } = await bundleAndRun(`
    import { Counter, Registry } from ${MOD};
    const registry = new Registry();
    new Counter({ name: "jobs_total", help: "Jobs.", registry }).inc();
    console.log(await registry.metrics());
  `);
  assert.equal(stdout, "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total 1\n\n");
  for (const absent of ["process_cpu_seconds_total", "js_runtime_info", "# EOF", "# UNIT"]) {
    assert.ok(!code.includes(absent), `the bundle holds ${JSON.stringify(absent)}`);
  }
});

const PROM_NATIVE_ACCEPT =
  "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

test("a bundle without nativeHistogram() carries no protobuf; one with it serves protobuf to Prometheus", async () => {
  const NATIVE = JSON.stringify(join(ROOT, "src/metrics/native_histogram.ts"));
  const scrape = `
    const res = await metricsHandler(new Request("http://x/metrics", {
      headers: { accept: ${JSON.stringify(PROM_NATIVE_ACCEPT)} },
    }));
    await res.body?.cancel();
    console.log(res.headers.get("content-type"));
  `;
  const plain = await bundleAndRun(`
    import { Histogram, metricsHandler } from ${MOD};
    new Histogram({ name: "rpc_seconds", help: "RPC." }).observe(1);
    ${scrape}
  `);
  assert.equal(plain.stdout, "application/openmetrics-text; version=1.0.0; charset=utf-8\n");
  // The Content-Type protobuf.ts writes (the Accept header above has no spaces).
  for (const absent of ["MetricFamily; encoding=delimited", "nativeHistogram(): "]) {
    assert.ok(!plain.code.includes(absent), `the bundle holds ${JSON.stringify(absent)}`);
  }
  const native = await bundleAndRun(`
    import { Histogram, metricsHandler } from ${MOD};
    import { nativeHistogram } from ${NATIVE};
    new Histogram({ name: "rpc_seconds", help: "RPC.", native: nativeHistogram() }).observe(1);
    ${scrape}
  `);
  assert.equal(
    native.stdout,
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited\n",
  );
  assert.ok(native.code.includes("MetricFamily; encoding=delimited"), "the marker is protobuf's");
});

test("a bundle of the aggregator's handler carries no default collector", async () => {
  const AGG = JSON.stringify(join(ROOT, "src/aggregate/mod.ts"));
  const { code, stdout } = await bundleAndRun(`
    import { Aggregator, createAggregatorHandler } from ${AGG};
    const res = await createAggregatorHandler(new Aggregator())(new Request("http://x/metrics"));
    console.log(res.status, res.headers.get("content-type"));
  `);
  assert.equal(stdout, "200 text/plain; version=0.0.4; charset=utf-8\n");
  assert.ok(!code.includes("process_open_fds"), "the bundle holds the default collectors");
});

test("bundles stay under their ceilings in bench/bundle.mjs (gzip -9)", async () => {
  const rows = (await bundles()) as unknown as { name: string; gz: number; error?: string }[];
  const ceilings = CEILINGS as Record<string, number>;
  for (const [name, ceiling] of Object.entries(ceilings)) {
    const row = rows.find((r) => r.name === name);
    assert.ok(row && !row.error, `${name}: ${row?.error ?? "not measured"}`);
    assert.ok(
      row.gz <= ceiling,
      `${name} is ${(row.gz / 1024).toFixed(2)} KB gzipped, over its ceiling of ${
        (ceiling / 1024).toFixed(2)
      } KB: find what grew it (esbuild's metafile) or raise the ceiling in bench/bundle.mjs, saying why`,
    );
  }
});
