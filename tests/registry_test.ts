import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AlreadyRegisteredError,
  CollectError,
  Counter,
  defaultRegistry,
  Gauge,
  Histogram,
  register,
  Registry,
  Summary,
  TEXT_CONTENT_TYPE,
} from "../mod.ts";

test("new Registry() starts empty and writes nothing", async () => {
  const r = new Registry();
  assert.equal(await r.metrics(), "");
  assert.equal(await r.metrics({ openMetrics: true }), "# EOF\n");
  assert.equal(r.contentType, TEXT_CONTENT_TYPE);
});

test("metrics join the default registry unless told otherwise", () => {
  assert.equal(register, defaultRegistry);
  const c = new Counter({ name: "registry_test_default_total", help: "h" });
  assert.equal(defaultRegistry.get("registry_test_default_total"), c);
  assert.ok(defaultRegistry.unregister(c));
  const none = new Counter({ name: "registry_test_default_total", help: "h", registry: null });
  assert.equal(defaultRegistry.get(none.name), undefined);
});

test("Registry.register() rejects a taken name and keeps the first metric", async () => {
  const registry = new Registry();
  const first = new Counter({ name: "jobs_total", help: "first", registry });
  first.inc(3);
  assert.throws(
    () => new Counter({ name: "jobs_total", help: "second", registry }),
    (e: unknown) =>
      e instanceof AlreadyRegisteredError && e instanceof TypeError && e.existing === first &&
      /"jobs_total" is already registered/.test(e.message),
  );
  // Sample-name collisions, in either format.
  assert.throws(() => new Gauge({ name: "jobs", help: "h", registry }), /would write "jobs"/);
  assert.throws(
    () => new Gauge({ name: "jobs_created", help: "h", registry }),
    AlreadyRegisteredError,
  );
  new Histogram({ name: "lat", help: "h", registry });
  assert.throws(
    () => new Gauge({ name: "lat_bucket", help: "h", registry }),
    AlreadyRegisteredError,
  );
  assert.throws(() => new Summary({ name: "lat", help: "h", registry }), AlreadyRegisteredError);
  assert.match(await registry.metrics(), /^jobs_total 3$/m);
});

test("Registry.unregister(), get(), getAll() and clear()", async () => {
  const registry = new Registry();
  const b = new Gauge({ name: "b", help: "h", registry });
  const a = new Gauge({ name: "a", help: "h", registry });
  assert.deepEqual(registry.getAll(), [a, b], "sorted by name");
  assert.equal(registry.get("b"), b);
  assert.equal(registry.unregister("b"), true);
  assert.equal(registry.unregister("b"), false);
  new Gauge({ name: "b", help: "again", registry });
  registry.clear();
  assert.equal(await registry.metrics(), "");
});

test("Registry writes families sorted by name, each as one group", async () => {
  const registry = new Registry();
  new Gauge({ name: "zeta", help: "h", registry }).set(1);
  const c = new Counter({ name: "alpha_total", help: "h", labelNames: ["x"], registry });
  c.inc({ x: "1" });
  registry.registerCollector(
    () => [{ name: "mid", help: "h", type: "gauge", samples: [{ value: 5 }] }],
  );
  c.inc({ x: "2" });
  const names = (await registry.metrics()).split("\n").filter((l) => l.startsWith("# TYPE"));
  assert.deepEqual(names, ["# TYPE alpha_total counter", "# TYPE mid gauge", "# TYPE zeta gauge"]);
});

test("Registry.metrics({ names }) selects families", async () => {
  const registry = new Registry();
  new Gauge({ name: "a", help: "h", registry });
  new Gauge({ name: "b", help: "h", registry });
  const text = await registry.metrics({ names: ["b"] });
  assert.doesNotMatch(text, /^a /m);
  assert.match(text, /^b 0$/m);
});

test("custom collectors run at scrape time, sync or async", async () => {
  const registry = new Registry();
  let calls = 0;
  registry.registerCollector(() => [{
    name: "queue_depth",
    help: "Depth.",
    type: "gauge",
    samples: [{ labels: { queue: "a" }, value: ++calls }],
  }]);
  registry.registerCollector(() =>
    Promise.resolve([{
      name: "events_total",
      help: "Events.",
      type: "counter" as const,
      samples: [{ value: 7 }],
    }])
  );
  assert.match(await registry.metrics(), /^queue_depth\{queue="a"\} 1$/m);
  const om = await registry.metrics({ openMetrics: true });
  assert.match(om, /^queue_depth\{queue="a"\} 2$/m);
  assert.match(om, /^# TYPE events counter$/m);
  assert.match(om, /^events_total 7$/m);
});

test("a failing collector makes the scrape fail with every error, after trying the rest", async () => {
  const registry = new Registry();
  new Gauge({ name: "ok", help: "h", registry });
  new Gauge({
    name: "broken",
    help: "h",
    registry,
    collect() {
      throw new Error("sensor offline");
    },
  });
  registry.registerCollector(() => {
    throw new Error("db down");
  });
  registry.registerCollector(() => [{ name: "ok", help: "h", type: "gauge", samples: [] }]);
  await assert.rejects(registry.metrics(), (e: unknown) => {
    assert.ok(e instanceof CollectError);
    assert.equal(e.errors.length, 3);
    assert.match(e.message, /sensor offline/);
    assert.match(e.message, /db down/);
    assert.match(
      e.message,
      /collector "anonymous" returned gauge "ok", which would write "ok" as metric "ok" does/,
    );
    return true;
  });
});

test("a collector's bad family is rejected with its name", async () => {
  const registry = new Registry();
  registry.registerCollector(() => [{ name: "bad name", help: "h", type: "gauge", samples: [] }]);
  await assert.rejects(registry.metrics(), /Invalid metric name "bad name"/);
  const r2 = new Registry();
  r2.registerCollector(
    () => [{ name: "c_total", help: "h", type: "counter", samples: [{ value: -1 }] }],
  );
  await assert.rejects(r2.metrics(), /counter "c_total" has value -1/);
  const r3 = new Registry();
  r3.registerCollector(
    () => [{ name: "size", help: "h", type: "gauge", unit: "bytes", samples: [] }],
  );
  await assert.rejects(r3.metrics(), /the name must end with "_bytes" to carry unit "bytes"/);
});
