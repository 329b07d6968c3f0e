import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { httpMetrics, metrics, UNMATCHED_ROUTE } from "../src/http/hono.ts";
import { OPENMETRICS_CONTENT_TYPE, Registry, TEXT_CONTENT_TYPE } from "../mod.ts";

function makeApp(opts: Parameters<typeof httpMetrics>[0] = {}) {
  const registry = new Registry();
  const app = new Hono();
  app.use(httpMetrics({ registry, skip: ["/metrics"], buckets: [0.1, 1], ...opts }));
  app.get("/users/:id", (c) => c.text("user " + c.req.param("id")));
  app.post("/users", (c) => c.json({ ok: true }, 201));
  app.get("/boom", () => {
    throw new Error("handler failed");
  });
  app.get("/metrics", metrics({ registry }));
  app.onError((_err, c) => c.text("internal error", 500));
  return { app, registry };
}

test("metrics() serves the registry with the exposition Content-Type, not c.text()'s", async () => {
  const { app } = makeApp();
  const res = await app.request("/metrics");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), TEXT_CONTENT_TYPE);
  const om = await app.request("/metrics", {
    headers: { accept: "application/openmetrics-text; version=1.0.0" },
  });
  assert.equal(om.headers.get("content-type"), OPENMETRICS_CONTENT_TYPE);
  assert.ok((await om.text()).endsWith("# EOF\n"));
});

test("httpMetrics() counts requests by method, route pattern and status", async () => {
  const { app, registry } = makeApp();
  await app.request("/users/1");
  await app.request("/users/2");
  await app.request("/users", { method: "POST" });
  await app.request("/boom");
  await app.request("/nothing/here");
  await app.request("/metrics");
  const text = await registry.metrics();
  const count = (labels: string) =>
    Number(
      new RegExp(`^http_requests_total\\{${labels.replace(/[/:]/g, "\\$&")}\\} (\\d+)$`, "m").exec(
        text,
      )?.[1],
    );
  assert.equal(count('method="GET",route="/users/:id",status="200"'), 2, text);
  assert.equal(count('method="POST",route="/users",status="201"'), 1);
  assert.equal(count('method="GET",route="/boom",status="500"'), 1);
  assert.equal(count(`method="GET",route="${UNMATCHED_ROUTE}",status="404"`), 1);
  assert.doesNotMatch(text, /route="\/users\/1"/, "never the raw path");
  assert.doesNotMatch(text, /route="\/metrics"/, "skipped");
  assert.match(
    text,
    /^http_request_duration_seconds_count\{method="GET",route="\/users\/:id",status="200"\} 2$/m,
  );
  assert.match(
    text,
    /^http_request_duration_seconds_bucket\{method="GET",route="\/users\/:id",status="200",le="1.0"\} 2$/m,
  );
});

test("httpMetrics() takes extra labels and a skip function", async () => {
  const { app, registry } = makeApp({
    extraLabels: { tenant: (c) => c.req.header("x-tenant") ?? "none" },
    skip: (c) => c.req.path.startsWith("/metrics"),
  });
  await app.request("/users/1", { headers: { "x-tenant": "acme" } });
  const text = await registry.metrics();
  assert.match(
    text,
    /^http_requests_total\{method="GET",route="\/users\/:id",status="200",tenant="acme"\} 1$/m,
  );
});

test("httpMetrics() counts an error thrown past Hono as 500 and rethrows it", async () => {
  const registry = new Registry();
  const inner = new Hono();
  inner.use(httpMetrics({ registry }));
  inner.use(async (_c, next) => {
    await next();
    throw new Error("after handler");
  });
  inner.get("/x", (c) => c.text("x"));
  inner.onError((err, c) => c.text(err.message, 503));
  const res = await inner.request("/x");
  assert.equal(res.status, 503);
  assert.match(await registry.metrics(), /status="500"\} 1$/m);
});
