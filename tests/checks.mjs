// The static checks JSR and the style guide ask for, each counted as one test.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const deno = join(root, "node_modules", ".bin", "deno");
/** Every entry of deno.json: what JSR documents and type-checks. */
const entries = Object.values(JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports);
const checks = [
  [
    "check",
    ...entries,
    "example.ts",
    "tests/e2e/",
    "bench/main.ts",
    "bench/accuracy.ts",
    "bench/aggregate.ts",
    "examples/workers.ts",
    "examples/edge-aggregate/edge.ts",
    "examples/edge-aggregate/aggregator.ts",
    "bench/remote_write.ts",
    "bench/memory.ts",
    "bench/_server.ts",
  ],
  ["test", "--doc", "-A", "mod.ts", "src/"],
  ["lint"],
  ["doc", "--lint", ...entries],
  ["fmt", "--check"],
  ["publish", "--dry-run", "--allow-dirty"],
];
let passed = 0, failed = 0;
for (const args of checks) {
  console.log(`--- deno ${args.join(" ")}`);
  const r = spawnSync(deno, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (r.status === 0) passed++;
  else {
    failed++;
    console.log(`FAILED: deno ${args.join(" ")}`);
  }
}
console.log(`checks: ${passed} ok, ${failed} bad`);
process.exit(failed ? 1 : 0);
