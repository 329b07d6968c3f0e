// prom-client's Pushgateway shapes, against the real Pushgateway 1.5.1.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { Gauge, Pushgateway, Registry } from "../src/compat/prom-client.ts";
import { freePort, type Proc, start, tempDir, waitFor } from "./e2e/_procs.ts";
import { needs } from "./_tools.ts";
import { redirecting } from "./_redirect.ts";

const skip = needs("pushgateway");
let gw: Proc | undefined;
let url = "";
const dir = tempDir();

before(async () => {
  if (skip) return;
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  gw = start("prometheus-pushgateway", [
    `--web.listen-address=127.0.0.1:${port}`,
    `--persistence.file=${dir.path}/pushgateway.data`,
  ]);
  await waitFor(`${url}/-/ready`, gw);
});

after(async () => {
  await gw?.stop();
  dir.remove();
});

async function groups(): Promise<{ labels: Record<string, string>; [k: string]: unknown }[]> {
  return ((await (await fetch(`${url}/api/v1/metrics`)).json()) as { data: never[] }).data;
}

test(
  "Pushgateway(url, options, registry): pushAdd, push and delete({ jobName, groupings }) resolve to { resp, body }",
  {
    skip,
  },
  async () => {
    const reg = new Registry();
    const g = new Gauge({ name: "pc_pushed", help: "h", registers: [reg] });
    g.set(7);
    const gateway = new Pushgateway(url, { timeout: 5000 }, reg);
    const added = await gateway.pushAdd({ jobName: "pc-job", groupings: { instance: "a/b" } });
    assert.equal(added.resp.statusCode, 200);
    assert.equal(added.resp.status, 200);
    assert.equal(typeof added.body, "string");
    let all = await groups();
    const group = all.find((x) => x.labels.job === "pc-job" && x.labels.instance === "a/b");
    assert.ok(group, JSON.stringify(all));
    const fam = group.pc_pushed as { metrics: { value: string }[] };
    assert.equal(Number(fam.metrics[0].value), 7);
    g.set(8);
    assert.equal(
      (await gateway.push({ jobName: "pc-job", groupings: { instance: "a/b" } })).resp.statusCode,
      200,
    );
    const deleted = await gateway.delete({ jobName: "pc-job", groupings: { instance: "a/b" } });
    assert.equal(deleted.resp.statusCode, 202);
    for (let i = 0; i < 40; i++) {
      all = await groups();
      if (!all.some((x) => x.labels.job === "pc-job")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(!all.some((x) => x.labels.job === "pc-job"));
    await assert.rejects(gateway.push({} as never), { message: "Missing jobName parameter" });
  },
);

test("Pushgateway (prom-client entry) with compress: true follows a 307 and a 308 with its gzip body intact", async () => {
  for (const status of [307, 308]) {
    const peer = await redirecting(status, 200);
    const text = (i: number) => gunzipSync(peer.got[i].body).toString();
    try {
      const reg = new Registry();
      new Gauge({ name: "pc_moved", help: "h", registers: [reg] }).set(3);
      const { resp } = await new Pushgateway(peer.base, { compress: true }, reg).push({
        jobName: "j",
      });
      assert.equal(resp.statusCode, 200);
      assert.equal(peer.got.length, 2, `${status}: ${peer.got.length} requests`);
      assert.equal(peer.got[1].method, "PUT");
      assert.equal(peer.got[1].url, "/metrics/job/j");
      assert.match(text(1), /^pc_moved 3$/m);
      assert.equal(text(1), text(0));
    } finally {
      peer.close();
    }
  }
});
