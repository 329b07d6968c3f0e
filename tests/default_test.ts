// The default collectors (src/collectors/default.ts) and the event-loop lag window.
import { test } from "node:test";
import assert from "node:assert/strict";
import { collectDefaultMetrics, defaultRegistry, Registry } from "../mod.ts";
import { LAG_SLOT_MS, LAG_SLOTS, LagWindow } from "../src/platform/eventloop.ts";

const names = async (registry: Registry) =>
  (await registry.metrics()).match(/^# TYPE \S+/gm)!.map((l) => l.slice(7));

test("collectDefaultMetrics() rejects a prefix that makes invalid names, at the call", async () => {
  const registry = new Registry();
  for (const prefix of ["my-app.", "1app_", "app ", "é_", 5, {}]) {
    assert.throws(
      () => collectDefaultMetrics({ registry, prefix: prefix as string }),
      (e: unknown) =>
        e instanceof TypeError &&
        e.message.startsWith(`collectDefaultMetrics(): invalid prefix ${JSON.stringify(prefix)}`) &&
        e.message.includes("[a-zA-Z_:][a-zA-Z0-9_:]*"),
      String(prefix),
    );
  }
  assert.equal(await registry.metrics(), "", "nothing was added");
  for (const prefix of ["", "app_", "_x", "ns:sub_", "A1"]) {
    collectDefaultMetrics({ registry: new Registry(), prefix });
  }
});

test("collectDefaultMetrics() rejects unknown options, naming prom-client's register", () => {
  const registry = new Registry();
  assert.throws(
    () => collectDefaultMetrics({ register: registry } as never),
    /^TypeError: collectDefaultMetrics\(\): unknown option "register"; use `registry: r`/,
  );
  assert.throws(
    () => collectDefaultMetrics({ registry: new Registry(), prefx: "app_" } as never),
    /unknown option "prefx"; did you mean "prefix"\?/,
  );
  assert.throws(() => collectDefaultMetrics({ registry: {} as Registry }), /must be a Registry/);
  assert.throws(() => collectDefaultMetrics(null as never), /takes an options object/);
});

test("collectDefaultMetrics() with another prefix replaces the registry's defaults", async () => {
  const registry = new Registry();
  collectDefaultMetrics({ registry });
  collectDefaultMetrics({ registry, prefix: "app_" });
  let got = await names(registry);
  assert.ok(got.includes("app_process_cpu_seconds_total"), got.join());
  assert.ok(got.every((n) => n.startsWith("app_")), got.join());
  collectDefaultMetrics({ registry, prefix: "app_" }); // the same prefix: no change
  collectDefaultMetrics({ registry, prefix: "b_" });
  got = await names(registry);
  assert.ok(got.includes("b_js_runtime_info"), got.join());
  assert.ok(got.every((n) => n.startsWith("b_")), got.join());
});

test("collectDefaultMetrics({ prefix }) renames the default registry's defaults", async () => {
  try {
    collectDefaultMetrics({ prefix: "app_" });
    const got = await defaultRegistry.metrics();
    assert.match(got, /^# TYPE app_process_cpu_seconds_total counter$/m);
    assert.doesNotMatch(got, /^# TYPE process_cpu_seconds_total/m);
  } finally {
    collectDefaultMetrics();
  }
  assert.match(await defaultRegistry.metrics(), /^# TYPE process_cpu_seconds_total counter$/m);
});

test("js_runtime_info carries Deno's v8 and typescript, Bun's revision, Node's version", async () => {
  const registry = new Registry();
  collectDefaultMetrics({ registry });
  const line = /^js_runtime_info\{(.*)\} 1$/m.exec(await registry.metrics());
  assert.ok(line, "js_runtime_info present");
  const labels = Object.fromEntries(
    [...line[1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );
  const g = globalThis as {
    Deno?: { version: { deno: string; v8: string; typescript: string } };
    Bun?: { version: string; revision: string };
    process: { versions: { node: string } };
  };
  const [major, minor, patch] = (g.Deno?.version.deno ?? g.Bun?.version ?? g.process.versions.node)
    .split(/[.-]/);
  const common = { major, minor, patch };
  if (g.Deno) {
    assert.deepEqual(labels, {
      runtime: "deno",
      version: g.Deno.version.deno,
      ...common,
      v8: g.Deno.version.v8,
      typescript: g.Deno.version.typescript,
    });
  } else if (g.Bun) {
    assert.match(g.Bun.revision, /^[0-9a-f]{7,40}$/);
    assert.deepEqual(labels, {
      runtime: "bun",
      version: g.Bun.version,
      ...common,
      revision: g.Bun.revision,
    });
  } else {
    assert.deepEqual(labels, { runtime: "node", version: g.process.versions.node, ...common });
  }
});

test("LagWindow: readers share one window and reading resets nothing", () => {
  const w = new LagWindow();
  const t0 = 1_000_000;
  w.add(0, t0);
  w.add(300, t0 + 100);
  w.add(0, t0 + 200);
  const a1 = w.read(t0 + 300), b1 = w.read(t0 + 300);
  assert.deepEqual(a1, { max: 0.3, mean: 0.1 });
  assert.deepEqual(b1, a1, "a second reader (another registry, the other HA server) sees it too");
  w.add(30, t0 + 20_000);
  const a2 = w.read(t0 + 20_100), b2 = w.read(t0 + 20_200);
  assert.deepEqual(a2, { max: 0.3, mean: 0.33 / 4 });
  assert.deepEqual(b2, a2);
});

test("LagWindow covers the last 60 to 70 seconds", () => {
  assert.equal(LAG_SLOT_MS * LAG_SLOTS, 60_000);
  const w = new LagWindow();
  const t0 = 10 * LAG_SLOT_MS; // the start of a slot
  w.add(500, t0);
  w.add(10, t0 + 65_000);
  assert.equal(w.read(t0 + 69_999)!.max, 0.5, "a tick 69.999 s old still counts");
  assert.deepEqual(w.read(t0 + 70_000), { max: 0.01, mean: 0.01 }, "70 s old: gone");
  assert.equal(w.read(t0 + 200_000), undefined, "no tick in the window");
  w.add(20, t0 + 200_000); // its slot comes round again: the old figures are dropped
  assert.deepEqual(w.read(t0 + 200_000), { max: 0.02, mean: 0.02 });
});
