// A program that scrapes (which starts the event-loop lag timer) still exits on its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BIN, ROOT } from "./_procs.ts";

const FIXTURE = "tests/e2e/fixtures/print_metrics.ts";

for (
  const [name, cmd, args] of [
    ["bun", BIN("bun"), ["run", FIXTURE]],
    ["deno", BIN("deno"), ["run", "-A", FIXTURE]],
    ["node", BIN("tsx"), [FIXTURE]],
  ] as const
) {
  test(`a ${name} program that scraped exits by itself`, () => {
    const t0 = Date.now();
    const r = spawnSync(cmd, [...args], { cwd: ROOT, encoding: "utf8", timeout: 20000 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(Date.now() - t0 < 15000);
    assert.match(r.stdout, /^js_runtime_info\{runtime="/m);
  });
}
