// A real Prometheus 2.42 scrapes an app flooded with 20,000 random user ids in
// labels guarded by maxSeries: its head series stay flat, and the sums it
// stores are exact.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import {
  BIN,
  freePort,
  type Proc,
  sleep,
  start,
  startPrometheus,
  stopAll,
  tempDir,
  waitFor,
} from "./_procs.ts";
import { needs } from "../_tools.ts";

const skip = needs("prometheus");
const FLOOD = 20_000;
const dir = tempDir();
let app: Proc | undefined;
let appUrl = "";
let promUrl = "";

before(async () => {
  if (skip) return;
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  app = start(BIN("bun"), ["run", "tests/e2e/fixtures/flood_app.ts"], { PORT: String(port) });
  await waitFor(`${appUrl}/metrics`, app);
  promUrl = await startPrometheus(dir.path, [{ job: "flood", port }]);
});

after(async () => {
  await stopAll();
  dir.remove();
});

/** `prometheus_tsdb_head_series` from Prometheus's own /metrics. */
async function headSeries(): Promise<number> {
  const text = await (await fetch(`${promUrl}/metrics`)).text();
  const m = /^prometheus_tsdb_head_series (\S+)$/m.exec(text);
  assert.ok(m, "prometheus_tsdb_head_series missing");
  return Number(m[1]);
}

async function query(
  q: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = await res.json() as { status: string; data: { result: [] } };
  assert.equal(body.status, "success", JSON.stringify(body));
  return body.data.result;
}

/** Waits until Prometheus has scraped the app twice more. */
async function twoScrapes(): Promise<void> {
  const at = async () => Number((await query('timestamp(up{job="flood"})'))[0]?.value[1] ?? 0);
  const first = await at();
  for (let i = 0; i < 50; i++) {
    await sleep(200);
    if ((await at()) >= first + 2) return;
  }
  throw new Error("Prometheus stopped scraping the app:\n" + app?.output());
}

test(
  "a real Prometheus scraping an app flooded with 20,000 user ids keeps its head series flat",
  { skip },
  async (t) => {
    // Warm up: every family of the app exists, then note the head.
    for (let i = 0; i < 3; i++) {
      await (await fetch(`${appUrl}/login/seed${i}`, { headers: { "x-user": "seed" } })).text();
    }
    await twoScrapes();
    const before = await headSeries();
    const heads: number[] = [];
    for (let sent = 0; sent < FLOOD;) {
      const batch: Promise<unknown>[] = [];
      for (let j = 0; j < 50 && sent < FLOOD; j++, sent++) {
        const id = crypto.randomUUID();
        batch.push(
          fetch(`${appUrl}/login/${id}`, { headers: { "x-user": id } }).then((r) => r.text()),
        );
      }
      await Promise.all(batch);
      if (sent % 5_000 === 0) heads.push(await headSeries());
    }
    await twoScrapes();
    const after = await headSeries();
    await twoScrapes();
    const later = await headSeries();
    // Per capped family at most 101 series: logins_total, http_requests_total,
    // and the histogram's 101 x (3 buckets + sum + count); 2 overflow counters.
    const bound = 101 + 101 + 101 * 5 + 2;
    assert.ok(
      after - before <= bound,
      `head grew by ${after - before} (from ${before}; during the flood ${heads}), bound ${bound}`,
    );
    assert.equal(later, after, "flat once the flood is in");
    t.diagnostic(`head series ${before} before, ${heads} during, ${after} after the flood`);
    const logins = await query("logins_total");
    assert.ok(logins.length <= 101, `${logins.length} logins_total series`);
    const sum = await query("sum(logins_total)");
    assert.equal(Number(sum[0].value[1]), FLOOD + 3);
    const over = await query('promedge_series_overflow_total{metric="logins_total"}');
    assert.equal(Number(over[0].value[1]), FLOOD + 3 - 100);
    // Every request counted: those past the cap in the overflow series.
    const requests = await query("sum(http_requests_total)");
    assert.equal(Number(requests[0].value[1]), FLOOD + 3);
  },
);
