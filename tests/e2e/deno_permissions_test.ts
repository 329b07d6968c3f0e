// Deno without -A: /proc is off limits. The library must not prompt, print a
// permission error or export fake zeros; with -A it reports all six figures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BIN, ROOT } from "./_procs.ts";

const FIXTURE = "tests/e2e/fixtures/print_metrics.ts";

/** Runs deno under a pseudo-terminal (`script`), where a prompt would show and hang. */
function runInTty(flags: string[]): { out: string; code: number | null } {
  const cmd = [BIN("deno"), "run", ...flags, FIXTURE].join(" ");
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30000,
    env: { ...process.env, NO_COLOR: "1" },
    input: "",
  });
  return { out: (r.stdout ?? "") + (r.stderr ?? ""), code: r.status };
}

function values(out: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of out.split(/\r?\n/)) {
    const x = /^(process_\w+) (\S+)$/.exec(line);
    if (x) m.set(x[1], x[2] === "+Inf" ? Infinity : Number(x[2]));
  }
  return m;
}

test("Deno with --allow-net --allow-env: no prompt, no error, honest figures only", () => {
  const t0 = Date.now() / 1000;
  const { out, code } = runInTty(["--allow-net", "--allow-env"]);
  assert.equal(code, 0, out);
  assert.doesNotMatch(out, /Deno requests|permission|NotCapable|Requires|⚠/i, out);
  const v = values(out);
  assert.ok(v.get("process_cpu_seconds_total")! > 0, out);
  assert.ok(v.get("process_resident_memory_bytes")! > 10e6, out);
  const start = v.get("process_start_time_seconds")!;
  assert.ok(Math.abs(start - t0) < 30, `start ${start} vs spawn ${t0}`);
  for (const absent of ["process_open_fds", "process_max_fds", "process_virtual_memory_bytes"]) {
    assert.ok(!v.has(absent), `${absent} has no honest source without -A`);
  }
  for (const [name, x] of v) assert.notEqual(x, 0, `${name} is a fake zero`);
});

test("Deno with -A: all six process figures", () => {
  const { out, code } = runInTty(["-A"]);
  assert.equal(code, 0, out);
  const v = values(out);
  for (
    const name of [
      "process_cpu_seconds_total",
      "process_virtual_memory_bytes",
      "process_resident_memory_bytes",
      "process_start_time_seconds",
      "process_open_fds",
      "process_max_fds",
    ]
  ) {
    assert.ok(v.get(name)! > 0, `${name} in:\n${out}`);
  }
});
