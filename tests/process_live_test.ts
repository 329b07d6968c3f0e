// The default metrics of this very process, compared with its own /proc.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { collectDefaultMetrics, detectRuntime, Registry } from "../mod.ts";

function own() {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const btime = Number(/^btime (\d+)/m.exec(readFileSync("/proc/stat", "utf8"))![1]);
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))![1]);
  const max = /^Max open files\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"))![1];
  return {
    cpu: (Number(f[11]) + Number(f[12])) / 100,
    start: btime + Number(f[19]) / 100,
    vsize: Number(f[20]),
    rss: rssKb * 1024,
    fds: readdirSync("/proc/self/fd").length,
    max: max === "unlimited" ? Infinity : Number(max),
  };
}

function value(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  assert.ok(m, `${name} missing from:\n${text}`);
  return m[1] === "+Inf" ? Infinity : Number(m[1]);
}

test("default metrics match this process's /proc", async () => {
  const registry = new Registry();
  collectDefaultMetrics({ registry });
  const text = await registry.metrics();
  const want = own();
  const near = (name: string, got: number, exp: number, tol: number) =>
    assert.ok(Math.abs(got - exp) <= tol, `${name}: got ${got}, /proc says ${exp}`);
  near("cpu", value(text, "process_cpu_seconds_total"), want.cpu, 0.5);
  near("start", value(text, "process_start_time_seconds"), want.start, 2);
  near("rss", value(text, "process_resident_memory_bytes"), want.rss, want.rss * 0.5);
  near("vsize", value(text, "process_virtual_memory_bytes"), want.vsize, want.vsize * 0.5);
  near("fds", value(text, "process_open_fds"), want.fds, 5);
  assert.equal(value(text, "process_max_fds"), want.max);
  const rt = detectRuntime();
  assert.match(
    text,
    new RegExp(
      `^js_runtime_info\\{runtime="${rt.runtime}",version="${rt.version.replace(/\./g, "\\.")}",`,
      "m",
    ),
  );
});

test("collectDefaultMetrics() adds the metrics once, with a prefix if asked", async () => {
  const registry = new Registry();
  collectDefaultMetrics({ registry, prefix: "app_" });
  collectDefaultMetrics({ registry, prefix: "app_" });
  const text = await registry.metrics();
  assert.equal(text.match(/^# TYPE app_process_cpu_seconds_total counter$/gm)?.length, 1);
});

test("event-loop lag shows a blocked loop and does not keep the process alive", async () => {
  const registry = new Registry();
  collectDefaultMetrics({ registry });
  await registry.metrics(); // starts the measurement
  await new Promise((r) => setTimeout(r, 250));
  const t = Date.now();
  while (Date.now() - t < 300) {
    // block the loop
  }
  await new Promise((r) => setTimeout(r, 250));
  const text = await registry.metrics();
  const max = value(text, "js_eventloop_lag_max_seconds");
  assert.ok(max >= 0.15 && max < 5, `lag max ${max}`);
  const mean = value(text, "js_eventloop_lag_mean_seconds");
  assert.ok(mean > 0 && mean <= max, `lag mean ${mean}`);
});

test("event-loop lag: two registries read alternately both see a blocked loop", async () => {
  const a = new Registry();
  const b = new Registry();
  collectDefaultMetrics({ registry: a });
  collectDefaultMetrics({ registry: b });
  await a.metrics(); // starts the measurement (if no test did before)
  await b.metrics();
  await new Promise((r) => setTimeout(r, 250));
  const t = Date.now();
  while (Date.now() - t < 300) {
    // block the loop
  }
  await new Promise((r) => setTimeout(r, 250));
  for (const [name, registry] of [["a", a], ["b", b], ["a", a]] as const) {
    const max = value(await registry.metrics(), "js_eventloop_lag_max_seconds");
    assert.ok(max >= 0.15 && max < 5, `registry ${name}: lag max ${max}`);
  }
});

test("collectDefaultMetrics() restores the defaults after registry.clear()", async () => {
  const registry = new Registry();
  collectDefaultMetrics({ registry });
  registry.clear();
  assert.equal(await registry.metrics(), "");
  collectDefaultMetrics({ registry });
  assert.match(await registry.metrics(), /^# TYPE process_cpu_seconds_total counter$/m);
});
