import { test } from "node:test";
import assert from "node:assert/strict";
import { Counter, Registry, serveMetrics, TEXT_CONTENT_TYPE } from "../mod.ts";

test("serveMetrics() serves the registry on any path and closes", async () => {
  const registry = new Registry();
  new Counter({ name: "served_total", help: "h", registry }).inc(3);
  const server = await serveMetrics({ port: 0, hostname: "127.0.0.1", registry });
  assert.ok(server.port > 0);
  for (const path of ["/metrics", "/", "/anything"]) {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), TEXT_CONTENT_TYPE);
    assert.match(await res.text(), /^served_total 3$/m);
  }
  const gz = await fetch(`http://127.0.0.1:${server.port}/`, {
    headers: { "accept-encoding": "gzip" },
  });
  assert.match(await gz.text(), /^served_total 3$/m, "fetch decodes the gzip body");
  await server.close();
  await assert.rejects(fetch(`http://127.0.0.1:${server.port}/`));
});

test("serveMetrics() rejects a bad port", async () => {
  await assert.rejects(serveMetrics({ port: 70000 }), /port must be a whole number/);
});
