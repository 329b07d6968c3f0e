import { test } from "node:test";
import assert from "node:assert/strict";
import { Info, openMetricsFormat, Registry } from "../mod.ts";
import { needs, pyParse } from "./_tools.ts";

test("Info is written as name_info{...} 1 in both formats", { skip: needs("python") }, async () => {
  const registry = new Registry();
  const build = new Info({
    name: "build",
    help: "Build.",
    labelNames: ["version", "commit"],
    registry,
  });
  build.set({ version: "1.2.3", commit: "abc" });
  build.set({ version: "1.2.4", commit: "def" });
  const text = await registry.metrics();
  assert.match(text, /^# TYPE build_info gauge$/m);
  const om = pyParse(await registry.metrics({ format: openMetricsFormat }), true);
  assert.equal(om[0].type, "info");
  assert.equal(om[0].name, "build");
  assert.deepEqual(om[0].samples.map((s) => [s.name, s.labels, s.value]), [
    ["build_info", { version: "1.2.4", commit: "def" }, 1],
  ], "set() replaces the facts");
  const t = pyParse(text);
  assert.equal(t[0].samples[0].value, 1);
});

test("Info named with _info is not doubled", async () => {
  const registry = new Registry();
  new Info({ name: "runtime_info", help: "R.", registry });
  assert.match(await registry.metrics(), /^runtime_info 1$/m);
});

test("Info.set() with bad labels throws and keeps the facts set before", async () => {
  const registry = new Registry();
  const build = new Info({ name: "build", help: "B.", labelNames: ["version"], registry });
  build.set({ version: "1.2.3" });
  for (const bad of [{ version: null }, { version: "2", extra: "x" }, {}, null]) {
    assert.throws(() => build.set(bad as unknown as { version: string }), TypeError);
  }
  assert.equal(build.seriesCount, 1);
  assert.match(await registry.metrics(), /^build_info\{version="1\.2\.3"\} 1$/m);
});
