// A real node:cluster (Node under tsx, and Bun): forked worker processes send their
// states over IPC; the primary's merged page has the exact totals, the last state of
// each worker included although it exits right after sending a state larger than the pipe.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BIN, ROOT } from "./_procs.ts";
import { needs, promtool } from "../_tools.ts";

const FIXTURE = "tests/e2e/fixtures/cluster_aggregate.ts";
const WORKERS = 2, ROUNDS = 1000, SERIES = 20_000;

for (const runtime of ["tsx", "bun"]) {
  test(
    `listenCluster() and clusterSender() on a real ${runtime} cluster: exact totals, nothing lost at exit`,
    {
      skip: needs("promtool"),
    },
    () => {
      const r = spawnSync(BIN(runtime), [FIXTURE], {
        cwd: ROOT,
        env: {
          ...process.env,
          WORKERS: String(WORKERS),
          ROUNDS: String(ROUNDS),
          SERIES: String(SERIES),
        },
        encoding: "utf8",
        timeout: 120_000,
        maxBuffer: 1 << 28,
      });
      assert.equal(r.status, 0, r.stderr);
      const text = r.stdout;
      const tail = text.match(/^# primary (\d+), errors: (\d+)(.*)$/m);
      assert.ok(tail, text.slice(-2000) + r.stderr);
      assert.equal(tail[2], "0", tail[3]);
      // Worker i adds i + 1 per round.
      assert.match(text, new RegExp(`^jobs_total ${ROUNDS * (1 + 2)}$`, "m"));
      const items = [...text.matchAll(/^items_total\{id="item-\d+"\} (\d+)$/gm)];
      assert.equal(items.length, SERIES);
      assert.ok(items.every((m) => m[1] === String(WORKERS)), "every item counted by both workers");
      const pids = [...text.matchAll(/^worker_pid\{source="[^"]+"\} (\d+)$/gm)].map((m) => m[1]);
      assert.equal(new Set(pids).size, WORKERS, "one series per worker process");
      assert.ok(!pids.includes(tail[1]), "workers are processes of their own");
      const body = text.slice(0, tail.index);
      const check = promtool(body);
      assert.equal(check.code, 0, check.output);
    },
  );
}
