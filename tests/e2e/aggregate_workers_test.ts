// examples/workers.ts on Bun, Deno and Node: worker threads, some exiting midway, one page with exact totals.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { BIN, freePort, type Proc, sleep, start, stopAll, waitFor } from "./_procs.ts";
import { needs, promtool } from "../_tools.ts";

after(stopAll);

const RUNTIMES: [string, string[]][] = [
  ["bun", ["run", "examples/workers.ts"]],
  ["deno", ["run", "-A", "examples/workers.ts"]],
  ["tsx", ["examples/workers.ts"]],
];

function value(text: string, series: string): number | undefined {
  const esc = series.replace(/[{}"/.]/g, (c) => "\\" + c);
  const m = text.match(new RegExp(`^${esc} (\\S+)$`, "m"));
  return m ? Number(m[1]) : undefined;
}

for (const [runtime, args] of RUNTIMES) {
  test(
    `examples/workers.ts on ${runtime}: exact totals across worker threads that exit midway, never decreasing`,
    {
      skip: needs("promtool"),
    },
    async () => {
      const port = await freePort();
      const metricsPort = await freePort();
      const proc: Proc = start(BIN(runtime), args, {
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        WORKERS: "3",
        FLUSH_MS: "200",
        RETIRE_MS: "1500",
      });
      const page = `http://127.0.0.1:${metricsPort}/metrics`;
      await waitFor(page, proc);
      const seen: number[] = [];
      let loading = true;
      const scraper = (async () => {
        while (loading) {
          const v = value(await (await fetch(page)).text(), 'app_requests_total{path="/work"}');
          if (v !== undefined) seen.push(v);
          await sleep(50);
        }
      })();
      const N = 240;
      const observed: number[] = [];
      let exits = 0;
      for (let i = 0; i < N; i += 8) {
        await Promise.all(Array.from({ length: 8 }, async (_, k) => {
          const v = ((i + k) * 7919) % 1000 + 1;
          observed.push(v);
          const res = await fetch(`http://127.0.0.1:${port}/work?v=${v}`);
          assert.equal(res.status, 200);
          await res.text();
        }));
        if (i % 80 === 40) {
          const res = await fetch(`http://127.0.0.1:${port}/exit`);
          assert.equal(res.status, 200, proc.output());
          await res.text();
          exits++;
        }
      }
      let text = "";
      for (let t = 0; t < 100; t++) {
        text = await (await fetch(page)).text();
        if (value(text, 'app_requests_total{path="/work"}') === N) break;
        await sleep(100);
      }
      // Past the retirement timeout: the exited workers are retired, their counts stay.
      await sleep(2000);
      text = await (await fetch(page)).text();
      loading = false;
      await scraper;
      assert.equal(value(text, 'app_requests_total{path="/work"}'), N, text);
      assert.equal(value(text, 'app_requests_total{path="/exit"}'), exits);
      assert.equal(value(text, "app_work_value_count"), N);
      assert.equal(value(text, 'app_request_duration_seconds_count{path="/work"}'), N);
      assert.equal(value(text, 'app_request_duration_seconds_count{path="/exit"}'), exits);
      assert.equal(value(text, "app_work_value_sum"), observed.reduce((a, b) => a + b, 0));
      assert.ok(value(text, "promedge_aggregation_retired_sources")! >= exits, text);
      assert.equal(value(text, "promedge_aggregation_sources"), 3);
      for (let i = 1; i < seen.length; i++) {
        assert.ok(seen[i] >= seen[i - 1], `the total went from ${seen[i - 1]} to ${seen[i]}`);
      }
      assert.ok(seen.length > 5, `only ${seen.length} scrapes during the load`);
      observed.sort((a, b) => a - b);
      for (const q of [0.5, 0.9, 0.99]) {
        const truth = observed[Math.round(q * (N - 1))];
        const got = value(text, `app_work_value{quantile="${q}"}`)!;
        // The sketch's relative accuracy is 0.5%; the rank may round to a neighbour.
        const lo = observed[Math.floor(q * (N - 1))] * 0.995,
          hi = observed[Math.ceil(q * (N - 1))] * 1.005;
        assert.ok(got >= lo && got <= hi, `q=${q}: ${got}, true ${truth}`);
      }
      const r = promtool(text);
      assert.equal(r.code, 0, r.output);
      await proc.stop();
    },
  );
}
