// The Pushgateway client against the real Pushgateway 1.5.1 (Debian's
// prometheus-pushgateway), started here with a fresh persistence file.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { Counter, Gauge, Pushgateway, Registry } from "../mod.ts";
import { freePort, type Proc, start, tempDir, waitFor } from "./e2e/_procs.ts";
import { needs } from "./_tools.ts";

const skip = needs("pushgateway");

let gw: Proc | undefined;
let url = "";
const dir = tempDir();

before(async () => {
  if (skip) return;
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  gw = start("prometheus-pushgateway", [
    `--web.listen-address=127.0.0.1:${port}`,
    `--persistence.file=${dir.path}/pushgateway.data`,
  ]);
  await waitFor(`${url}/-/ready`, gw);
});

after(async () => {
  await gw?.stop();
  dir.remove();
});

interface Group {
  labels: Record<string, string>;
  [family: string]: unknown;
}

async function groups(): Promise<Group[]> {
  const res = await fetch(`${url}/api/v1/metrics`);
  const body = await res.json() as { data: Group[] };
  return body.data;
}

function findGroup(all: Group[], labels: Record<string, string>): Group | undefined {
  return all.find((g) =>
    Object.keys(labels).length === Object.keys(g.labels).length &&
    Object.entries(labels).every(([k, v]) => g.labels[k] === v)
  );
}

function value(g: Group | undefined, family: string): number | undefined {
  const f = g?.[family] as { metrics: { value?: string }[] } | undefined;
  return f ? Number(f.metrics[0].value) : undefined;
}

function registryWith(values: Record<string, number>) {
  const registry = new Registry();
  for (const [name, v] of Object.entries(values)) {
    new Gauge({ name, help: "h", registry }).set(v);
  }
  return registry;
}

test("Pushgateway.push() puts the registry under the job and grouping key", { skip }, async () => {
  const registry = new Registry();
  new Counter({ name: "rows_total", help: "Rows.", registry }).inc(42);
  await new Pushgateway(url, { registry }).push({ job: "etl", groupingKey: { instance: "a" } });
  const g = findGroup(await groups(), { job: "etl", instance: "a" });
  assert.ok(g, JSON.stringify(await groups()));
  assert.equal(value(g, "rows_total"), 42);
});

test("Pushgateway: job and grouping values with /, spaces, empty and non-ASCII arrive intact", {
  skip,
}, async () => {
  const key = { path: "/var/log/a b", empty: "", text: "ünï ✓ 日本", plain: "x y" };
  await new Pushgateway(url, { registry: registryWith({ odd_gauge: 1 }) })
    .push({ job: "nightly/etl job", groupingKey: key });
  const g = findGroup(await groups(), { job: "nightly/etl job", ...key });
  assert.ok(g, JSON.stringify((await groups()).map((x) => x.labels)));
  assert.equal(value(g, "odd_gauge"), 1);
  const gw = new Pushgateway(url);
  assert.match(
    gw.url({ job: "a/b", groupingKey: { e: "" } }),
    /\/metrics\/job@base64\/YS9i\/e@base64\/=$/,
  );
});

test(
  "Pushgateway.pushAdd() replaces the names it sends and keeps the others; push() replaces all",
  { skip },
  async () => {
    const target = { job: "merge", groupingKey: { instance: "b" } };
    await new Pushgateway(url, { registry: registryWith({ a_gauge: 1, b_gauge: 2 }) }).push(target);
    await new Pushgateway(url, { registry: registryWith({ b_gauge: 20, c_gauge: 30 }) }).pushAdd(
      target,
    );
    let g = findGroup(await groups(), { job: "merge", instance: "b" });
    assert.deepEqual([value(g, "a_gauge"), value(g, "b_gauge"), value(g, "c_gauge")], [1, 20, 30]);
    await new Pushgateway(url, { registry: registryWith({ d_gauge: 4 }) }).push(target);
    g = findGroup(await groups(), { job: "merge", instance: "b" });
    assert.deepEqual([value(g, "a_gauge"), value(g, "c_gauge"), value(g, "d_gauge")], [
      undefined,
      undefined,
      4,
    ]);
  },
);

test("Pushgateway.delete() removes the group", { skip }, async () => {
  const target = { job: "gone", groupingKey: { instance: "c" } };
  const gw = new Pushgateway(url, { registry: registryWith({ x_gauge: 1 }) });
  await gw.push(target);
  assert.ok(findGroup(await groups(), { job: "gone", instance: "c" }));
  await gw.delete(target);
  assert.equal(findGroup(await groups(), { job: "gone", instance: "c" }), undefined);
});

test("Pushgateway sends gzip when asked, and the gateway reads it", { skip }, async () => {
  await new Pushgateway(url, { registry: registryWith({ zipped_gauge: 7 }), compress: true })
    .push({ job: "gz" });
  assert.equal(value(findGroup(await groups(), { job: "gz" }), "zipped_gauge"), 7);
});

test(
  "Pushgateway rejects with the gateway's 400 reply on a conflicting push",
  { skip },
  async () => {
    await new Pushgateway(url, { registry: registryWith({ conflict_metric: 1 }) }).push({
      job: "t1",
    });
    const registry = new Registry();
    new Counter({ name: "conflict_metric", help: "other help", registry }).inc();
    await assert.rejects(
      new Pushgateway(url, { registry }).push({ job: "t2" }),
      (e: unknown) =>
        e instanceof Error && /Pushgateway answered 400/.test(e.message) &&
        e.message.includes("/metrics/job/t2") &&
        /conflict_metric|inconsistent|invalid/.test(e.message),
    );
  },
);

test("Pushgateway rejects with the URL when the gateway is down", { skip }, async () => {
  const port = await freePort();
  const down = `http://127.0.0.1:${port}`;
  await assert.rejects(
    new Pushgateway(down, { registry: new Registry() }).push({ job: "x" }),
    (e: unknown) => e instanceof Error && e.message.includes(`PUT ${down}/metrics/job/x failed`),
  );
});

test("Pushgateway gives up after the timeout on a gateway that never answers", async () => {
  const server: Server = createServer(() => {/* accept, never answer */});
  const port = await new Promise<number>((r) =>
    server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port))
  );
  const t0 = Date.now();
  try {
    await assert.rejects(
      new Pushgateway(`http://127.0.0.1:${port}`, { registry: new Registry(), timeout: 300 }).push({
        job: "slow",
      }),
      /timed out after 300 ms/,
    );
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    server.close();
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  }
});

test("Pushgateway checks its input before sending anything", async () => {
  let called = 0;
  const gw = new Pushgateway("http://127.0.0.1:1", {
    registry: new Registry(),
    fetch: () => {
      called++;
      return Promise.resolve(new Response(""));
    },
  });
  await assert.rejects(gw.push({ job: "" }), /job must be a non-empty string/);
  await assert.rejects(
    gw.push({ job: "j", groupingKey: { "bad-name": "x" } }),
    /invalid label name "bad-name"/,
  );
  await assert.rejects(gw.push({ job: "j", groupingKey: { job: "x" } }), /not in groupingKey/);
  assert.equal(called, 0);
  assert.throws(() => new Pushgateway("not a url"), /is not a URL/);
  assert.throws(() => new Pushgateway("ftp://x"), /http or https/);
  await gw.push({ job: "fine" });
  assert.equal(called, 1);
});
