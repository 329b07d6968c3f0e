#!/usr/bin/env node
// Runs the test suite under Deno, Bun and Node (tsx) and prints the totals.
// Usage: node tests/run.mjs [deno|bun|node|e2e|checks ...]   (default: all)
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);
const files = (dir) =>
  readdirSync(join(root, dir)).filter((f) => f.endsWith("_test.ts")).sort()
    .map((f) => `${dir}/${f}`);
const unit = files("tests");
const e2e = files("tests/e2e");

const runners = {
  e2e: {
    // Real Prometheus, workerd and Deno child processes; started from Node.
    cmd: bin("tsx"),
    args: ["--test", "--test-reporter=tap", "--test-concurrency=1", ...e2e],
    counts(out) {
      const p = [...out.matchAll(/^# pass (\d+)$/gm)].at(-1);
      const f = [...out.matchAll(/^# fail (\d+)$/gm)].at(-1);
      return p && f && { passed: +p[1], failed: +f[1] };
    },
  },
  checks: {
    // deno check / lint / fmt / publish --dry-run, each counted as one test.
    cmd: process.execPath,
    args: [join(root, "tests", "checks.mjs")],
    counts(out) {
      const m = /checks: (\d+) ok, (\d+) bad/.exec(out);
      return m && { passed: +m[1], failed: +m[2] };
    },
  },
  deno: {
    cmd: bin("deno"),
    args: ["test", "-A", "--no-check=remote", ...unit],
    counts(out) {
      const m = [...out.matchAll(/(?:ok|FAILED) \| (\d+) passed[^|]*\| (\d+) failed/g)].at(-1);
      return m && { passed: +m[1], failed: +m[2] };
    },
  },
  bun: {
    cmd: bin("bun"),
    args: ["test", ...unit.map((f) => "./" + f)],
    counts(out) {
      const p = [...out.matchAll(/^\s*(\d+) pass$/gm)].at(-1);
      const f = [...out.matchAll(/^\s*(\d+) fail$/gm)].at(-1);
      return p && f && { passed: +p[1], failed: +f[1] };
    },
  },
  node: {
    cmd: bin("tsx"),
    args: ["--test", "--test-reporter=tap", ...unit],
    counts(out) {
      const p = [...out.matchAll(/^# pass (\d+)$/gm)].at(-1);
      const f = [...out.matchAll(/^# fail (\d+)$/gm)].at(-1);
      return p && f && { passed: +p[1], failed: +f[1] };
    },
  },
};

function run(name) {
  const r = runners[name];
  return new Promise((resolve) => {
    console.log(
      `\n=== ${name}: ${[r.cmd, ...r.args].map((a) => a.replace(root + "/", "")).join(" ")}`,
    );
    const child = spawn(r.cmd, r.args, { cwd: root, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    const take = (stream, sink) =>
      stream.on("data", (d) => {
        out += d;
        sink.write(d);
      });
    take(child.stdout, process.stdout);
    take(child.stderr, process.stderr);
    child.on("error", (e) => resolve({ name, passed: 0, failed: 1, note: e.message }));
    child.on("close", (code) => {
      const c = r.counts(out);
      if (!c) resolve({ name, passed: 0, failed: 1, note: `no test counts found (exit ${code})` });
      else if (code !== 0 && c.failed === 0) {
        resolve({ name, ...c, failed: 1, note: `exited ${code} with no failed test` });
      } else resolve({ name, ...c });
    });
  });
}

const wanted = process.argv.slice(2);
const results = [];
for (const name of wanted.length ? wanted : ["deno", "bun", "node", "e2e", "checks"]) {
  if (!runners[name]) throw new Error(`unknown runtime ${name}`);
  results.push(await run(name));
}
console.log("\n=== totals");
for (const r of results) {
  console.log(`${r.name}: ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ""}`);
}
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
