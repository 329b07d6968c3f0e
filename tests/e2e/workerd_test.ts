// The library bundled into a Worker and served by workerd (Cloudflare's runtime).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { build } from "esbuild";
import { BIN, freePort, ROOT, start, stopAll, tempDir, waitFor } from "./_procs.ts";
import { needs, promtool, pyParse } from "../_tools.ts";

const dir = tempDir();
after(async () => {
  await stopAll();
  dir.remove();
});

async function bundle(fixture = "worker.ts"): Promise<string> {
  const out = join(dir.path, fixture.replace(/\.ts$/, ".js"));
  await build({
    entryPoints: [join(ROOT, "tests/e2e/fixtures", fixture)],
    bundle: true,
    format: "esm",
    platform: "neutral",
    external: ["node:*"],
    outfile: out,
    logLevel: "silent",
  });
  return out;
}

for (const date of ["2026-11-01", "2024-09-01"]) {
  test(`workerd (compatibility date ${date}) serves the default registry honestly`, {
    skip: needs("promtool", "python"),
  }, async () => {
    const worker = await bundle();
    const port = await freePort();
    const config = join(dir.path, `config-${date}.capnp`);
    writeFileSync(
      config,
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = ( services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ] );
const w :Workerd.Worker = ( modules = [ (name = "worker", esModule = embed "${basename(worker)}") ],
  compatibilityDate = "${date}" );
`,
    );
    const proc = start(BIN("workerd"), ["serve", config]);
    await waitFor(`http://127.0.0.1:${port}/`, proc);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(text, /^js_runtime_info\{runtime="workerd",/m, text);
    assert.match(text, /^worker_requests_total [1-9]\d*$/m);
    const r = promtool(text);
    assert.equal(r.code, 0, r.output);
    // workerd's process figures are zeros or throw: none may appear.
    for (const line of text.split("\n")) {
      if (/^(process_|js_heap)/.test(line)) assert.fail(`no honest source in workerd: ${line}`);
    }
    const om = await fetch(`http://127.0.0.1:${port}/metrics`, {
      headers: { accept: "application/openmetrics-text; version=1.0.0", "accept-encoding": "gzip" },
    });
    assert.match(om.headers.get("content-type")!, /^application\/openmetrics-text; version=1.0.0/);
    const fams = pyParse(await om.text(), true);
    assert.ok(fams.some((f) => f.name === "js_runtime" && f.type === "info"));
    assert.equal(proc.output().match(/error|exception/i), null, proc.output());
    await proc.stop();
  });
}

test("a Worker in workerd pushes to the real Pushgateway", {
  skip: needs("pushgateway"),
}, async () => {
  const worker = await bundle("push_worker.ts");
  const gwPort = await freePort();
  const gw = start("prometheus-pushgateway", [
    `--web.listen-address=127.0.0.1:${gwPort}`,
    `--persistence.file=${join(dir.path, "pushgateway.data")}`,
  ]);
  await waitFor(`http://127.0.0.1:${gwPort}/-/ready`, gw);
  const port = await freePort();
  const config = join(dir.path, "config-push.capnp");
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w), (name = "net", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ] );
const w :Workerd.Worker = ( modules = [ (name = "worker", esModule = embed "${basename(worker)}") ],
  compatibilityDate = "2026-11-01", globalOutbound = "net",
  bindings = [ (name = "GATEWAY", text = "http://127.0.0.1:${gwPort}") ] );
`,
  );
  const proc = start(BIN("workerd"), ["serve", config]);
  let res: Response | undefined;
  for (let i = 0; i < 100 && !res; i++) {
    res = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
    if (!res) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await res!.text(), "pushed", proc.output());
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "pushed");
  const body = await (await fetch(`http://127.0.0.1:${gwPort}/api/v1/metrics`)).json() as {
    data: {
      labels: Record<string, string>;
      edge_invocations_total?: { metrics: { value: string }[] };
    }[];
  };
  const group = body.data.find((g) =>
    g.labels.job === "edge/worker" && g.labels.colo === "local test"
  );
  assert.ok(group, JSON.stringify(body.data.map((g) => g.labels)));
  assert.equal(Number(group.edge_invocations_total!.metrics[0].value), 2);
});

test("a Worker in workerd remote-writes to a real Prometheus", {
  skip: needs("prometheus"),
}, async () => {
  const worker = await bundle("remote_worker.ts");
  const promPort = await freePort();
  const prom = start("prometheus", [
    "--config.file=/dev/null",
    `--storage.tsdb.path=${join(dir.path, "prom-rw")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    "--web.enable-remote-write-receiver",
  ]);
  await waitFor(`http://127.0.0.1:${promPort}/-/ready`, prom);
  const port = await freePort();
  const config = join(dir.path, "config-remote.capnp");
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w), (name = "loopback", network = (allow = ["private"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ] );
const w :Workerd.Worker = ( modules = [ (name = "worker", esModule = embed "${basename(worker)}") ],
  compatibilityDate = "2026-11-01", globalOutbound = "loopback",
  bindings = [ (name = "RECEIVER", text = "http://127.0.0.1:${promPort}/api/v1/write") ] );
`,
  );
  const proc = start(BIN("workerd"), ["serve", config]);
  let res: Response | undefined;
  for (let i = 0; i < 100 && !res; i++) {
    res = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
    if (!res) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await res!.text(), "written", proc.output());
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "written");
  const q = encodeURIComponent('edge_invocations_total{job="edge",instance="local-isolate"}');
  const body = await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${q}`))
    .json() as { data: { result: { value: [number, string] }[] } };
  assert.equal(body.data.result.length, 1, JSON.stringify(body));
  assert.equal(Number(body.data.result[0].value[1]), 2);
});

test("a Worker written against the prom-client entry runs in workerd", {
  skip: needs("promtool"),
}, async () => {
  const worker = await bundle("compat_worker.ts");
  const port = await freePort();
  const config = join(dir.path, "config-compat.capnp");
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = ( services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ] );
const w :Workerd.Worker = ( modules = [ (name = "worker", esModule = embed "${basename(worker)}") ],
  compatibilityDate = "2026-11-01", compatibilityFlags = ["nodejs_compat"] );
`,
  );
  const proc = start(BIN("workerd"), ["serve", config]);
  await waitFor(`http://127.0.0.1:${port}/a`, proc);
  await fetch(`http://127.0.0.1:${port}/a`).then((r) => r.text());
  await fetch(`http://127.0.0.1:${port}/b`).then((r) => r.text());
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.match(res.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.match(text, /^compat_requests_total\{path="\/a"\} 2$/m, text);
  assert.match(text, /^compat_requests_total\{path="\/b"\} 1$/m, text);
  assert.match(text, /^compat_latency_seconds_count 3$/m, text);
  const r = promtool(text);
  assert.equal(r.code, 0, r.output);
  assert.equal(proc.output().match(/error|exception/i), null, proc.output());
  await proc.stop();
});
