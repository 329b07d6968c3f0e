import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { streamSSE } from "hono/streaming";
import {
  DEFAULT_HTTP_MAX_SERIES,
  httpMetrics,
  metrics,
  UNMATCHED_ROUTE,
} from "../src/http/hono.ts";
import {
  type HistogramSeriesSnapshot,
  OPENMETRICS_CONTENT_TYPE,
  OVERFLOW_VALUE,
  Registry,
  TEXT_CONTENT_TYPE,
  type ValueSeriesSnapshot,
} from "../mod.ts";

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

test("httpMetrics() records the status onError sent for an error thrown after the handler", async () => {
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
  assert.match(await registry.metrics(), /^http_requests_total\{[^}]*status="503"\} 1$/m);
});

test("httpMetrics() counts a non-Error thrown past Hono as 500 and rethrows it", async () => {
  const registry = new Registry();
  const app = new Hono();
  app.use(httpMetrics({ registry }));
  app.get("/x", () => {
    throw "a string, not an Error"; // Hono's onError only takes Errors: this one escapes
  });
  await assert.rejects(Promise.resolve(app.request("/x")), (e) => e === "a string, not an Error");
  assert.match(
    await registry.metrics(),
    /^http_requests_total\{method="GET",route="\/x",status="500"\} 1$/m,
  );
});

test("httpMetrics() records the status of an HTTPException's response (401), not 500", async () => {
  const registry = new Registry();
  const app = new Hono();
  app.use(httpMetrics({ registry }));
  app.get("/private", () => {
    throw new HTTPException(401, { message: "who are you" });
  });
  app.get("/teapot", () => {
    throw new HTTPException(418, { res: new Response("short and stout", { status: 418 }) });
  });
  const res = await app.request("/private");
  assert.equal(res.status, 401);
  assert.equal((await app.request("/teapot")).status, 418);
  const text = await registry.metrics();
  assert.match(text, /^http_requests_total\{method="GET",route="\/private",status="401"\} 1$/m);
  assert.match(text, /^http_requests_total\{method="GET",route="\/teapot",status="418"\} 1$/m);
  assert.doesNotMatch(text, /status="500"/);
});

test("httpMetrics() writes unknown methods as other, known ones by name", async () => {
  const { app, registry } = makeApp();
  app.all("/any", (c) => c.text("ok"));
  const tokens = ["PROPFIND", "M-SEARCH", "BREW", "X".repeat(200), "patch", "Get", "options"];
  for (let i = 0; i < 300; i++) tokens.push("R" + Math.random().toString(36).slice(2));
  for (const method of tokens) {
    // Deno.serve passes any method token through; Bun's Request turns unknown ones into
    // GET, so the request is shaped here to carry the token on every runtime.
    const raw = new Request("http://localhost/any");
    const req = new Proxy(raw, {
      get: (t, k) =>
        k === "method" ? method : ((v) => typeof v === "function" ? v.bind(t) : v)(
          Reflect.get(t, k, t),
        ),
    });
    const res = await app.fetch(req);
    assert.equal(res.status, 200, method);
  }
  const text = await registry.metrics();
  const methods = new Set(
    [...text.matchAll(/^http_requests_total\{method="([^"]*)"/gm)].map((m) => m[1]),
  );
  assert.deepEqual([...methods].sort(), ["GET", "OPTIONS", "PATCH", "other"]);
  assert.match(text, /^http_requests_total\{method="other",route="\/any",status="200"\} 304$/m);
});

test("httpMetrics() falls back to route=unmatched when the route cannot be read, never failing the request", async () => {
  const registry = new Registry();
  const mw = httpMetrics({ registry });
  // A context from another copy of Hono: the match is kept under a symbol this copy
  // does not know, and (here) the copy's own getter fails too.
  const c = {
    req: {
      method: "GET",
      path: "/users/1",
      routeIndex: 0,
      get matchedRoutes(): never {
        throw new TypeError("Cannot read properties of undefined (reading '0')");
      },
      header: () => undefined,
    },
    res: new Response("ok"),
    finalized: true,
    error: undefined,
  } as unknown as Context;
  await mw(c, () => Promise.resolve());
  assert.match(
    await registry.metrics(),
    /^http_requests_total\{method="GET",route="unmatched",status="200"\} 1$/m,
  );
});

test("httpMetrics() reads the route of an app built on a second copy of Hono", async () => {
  // A second copy of the package, as a Deno app on jsr:@hono/hono beside npm:hono has.
  const dir = mkdtempSync(join(tmpdir(), "promedge-hono-"));
  try {
    const src = fileURLToPath(new URL("../node_modules/hono", import.meta.url));
    cpSync(realpathSync(src), join(dir, "hono"), { recursive: true });
    const other = await import(pathToFileURL(join(dir, "hono", "dist", "index.js")).href) as {
      Hono: typeof Hono;
    };
    assert.notEqual(other.Hono, Hono, "a distinct copy");
    const registry = new Registry();
    const app = new other.Hono();
    app.use(httpMetrics({ registry }));
    app.get("/users/:id", (c) => c.text("user"));
    const res = await app.request("/users/7");
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "user");
    assert.equal((await app.request("/nope")).status, 404);
    const text = await registry.metrics();
    assert.match(
      text,
      /^http_requests_total\{method="GET",route="\/users\/:id",status="200"\} 1$/m,
    );
    assert.match(text, /^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("httpMetrics() never fails a request over extraLabels or skip: bad values become empty", async () => {
  const registry = new Registry();
  const app = new Hono();
  app.use(httpMetrics({
    registry,
    skip: () => {
      throw new Error("skip test failed");
    },
    extraLabels: {
      none: () => undefined as unknown as string,
      nul: () => null as unknown as string,
      boom: () => {
        throw new Error("label failed");
      },
      obj: () => ({ a: 1 }) as unknown as string,
      num: () => 7 as unknown as string,
      surrogate: () => "a\uD800b",
    },
  }));
  app.get("/ok", (c) => c.text("fine"));
  const res = await app.request("/ok");
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "fine");
  assert.match(
    await registry.metrics(),
    /^http_requests_total\{method="GET",route="\/ok",status="200",none="",nul="",boom="",obj="",num="7",surrogate="a\uFFFDb"\} 1$/m,
  );
  assert.throws(
    () =>
      httpMetrics({ registry: new Registry(), extraLabels: { t: "x" as unknown as () => string } }),
    /extraLabels\.t must be a function/,
  );
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("httpMetrics() times a streamed (SSE) response to the end of its body, without holding it back", async () => {
  const registry = new Registry();
  const app = new Hono();
  app.use(httpMetrics({ registry, buckets: [0.1, 0.3, 10] }));
  app.get("/events", (c) =>
    streamSSE(c, async (s) => {
      for (let i = 0; i < 3; i++) {
        await s.writeSSE({ data: String(i) });
        await sleep(150);
      }
    }));
  const t0 = performance.now();
  const res = await app.request("/events");
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.match(first, /^data: 0/);
  assert.ok(performance.now() - t0 < 140, "the first event comes before the second is written");
  const count = () => /^http_request_duration_seconds_count\{[^}]*\} (\d+)$/m.exec(text)?.[1];
  let text = await registry.metrics();
  assert.match(text, /^http_requests_total\{method="GET",route="\/events",status="200"\} 1$/m);
  assert.equal(count(), undefined, "not observed before the body ends");
  while (!(await reader.read()).done) { /* read to the end */ }
  text = await registry.metrics();
  assert.equal(count(), "1");
  assert.match(
    text,
    /^http_request_duration_seconds_bucket\{[^}]*le="0.3"\} 0$/m,
    "took over 0.3 s",
  );

  // A client that goes away mid-stream ends the measurement too.
  const gone = await app.request("/events");
  await gone.body!.getReader().cancel();
  text = await registry.metrics();
  assert.equal(count(), "2");
});

test("httpMetrics() leaves plain and HEAD responses as they are", async () => {
  const { app, registry } = makeApp();
  const res = await app.request("/users/1");
  assert.equal(res.headers.get("transfer-encoding"), null);
  const head = await app.request("/users/1", { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
  const text = await registry.metrics();
  assert.match(
    text,
    /^http_request_duration_seconds_count\{method="GET",route="\/users\/:id",status="200"\} 1$/m,
  );
  assert.match(
    text,
    /^http_request_duration_seconds_count\{method="HEAD",route="\/users\/:id",status="200"\} 1$/m,
  );
  assert.equal(await res.text(), "user 1");
});

const server = (globalThis as { Deno?: unknown }).Deno
  ? "deno"
  : (globalThis as { Bun?: unknown }).Bun
  ? "bun"
  : undefined;

test(
  "httpMetrics() on a real Deno.serve / Bun.serve: SSE streams, and a client leaving ends its duration",
  { skip: server ? false : "needs Deno.serve or Bun.serve (Node has no fetch server built in)" },
  async () => {
    const registry = new Registry();
    const app = new Hono();
    app.use(httpMetrics({ registry, buckets: [1] }));
    app.get("/events", (c) =>
      streamSSE(c, async (s) => {
        for (let i = 0; i < 100 && !s.aborted; i++) {
          await s.writeSSE({ data: String(i) });
          await s.sleep(50);
        }
      }));
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const s = server === "deno"
      ? g.Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch)
      : g.Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
    try {
      const port = server === "deno" ? s.addr.port : s.port;
      const ctrl = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/events`, { signal: ctrl.signal });
      const first = await res.body!.getReader().read();
      assert.match(new TextDecoder().decode(first.value), /^data: 0/);
      await sleep(200);
      ctrl.abort(); // the stream would run 5 s
      let text = "";
      for (let i = 0; i < 40 && !/_count\{/.test(text); i++) {
        await sleep(50);
        text = await registry.metrics();
      }
      assert.match(text, /^http_request_duration_seconds_count\{[^}]*\} 1$/m);
      assert.match(text, /^http_request_duration_seconds_bucket\{[^}]*le="1.0"\} 1$/m, "under 1 s");
    } finally {
      await (server === "deno" ? s.shutdown() : s.stop(true));
    }
  },
);

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

/** The exemplars of the request counter and of the duration histogram, by status. */
async function exemplarsOf(registry: Registry, status = "200") {
  const fams = await registry.collect();
  const req = fams.find((f) => f.name === "http_requests_total")!;
  const dur = fams.find((f) => f.name === "http_request_duration_seconds")!;
  const r = req.series.find((s) => s.labels?.status === status) as ValueSeriesSnapshot;
  const d = dur.series.find((s) => s.labels?.status === status) as HistogramSeriesSnapshot;
  return {
    count: r?.value,
    counter: r?.exemplar,
    buckets: (d?.exemplars ?? []).filter((e) => e !== undefined),
    observed: d?.count,
  };
}

test("httpMetrics({ exemplars: true }) links the count and duration to the traceparent's trace", async () => {
  const { app, registry } = makeApp({ exemplars: true });
  const t0 = Date.now();
  const res = await app.request("/users/1", { headers: { traceparent: `00-${TRACE}-${SPAN}-01` } });
  assert.equal(res.status, 200);
  const ex = await exemplarsOf(registry);
  assert.equal(ex.count, 1);
  assert.deepEqual(ex.counter?.labels, { trace_id: TRACE, span_id: SPAN });
  assert.equal(ex.counter?.value, 1);
  assert.ok(ex.counter!.timestamp! * 1000 >= t0 && ex.counter!.timestamp! * 1000 <= Date.now());
  assert.equal(ex.buckets.length, 1);
  assert.deepEqual(ex.buckets[0]?.labels, { trace_id: TRACE, span_id: SPAN });
  assert.ok(ex.buckets[0]!.value >= 0 && ex.buckets[0]!.value < 0.1, "the request's duration");
  const om = await (await app.request("/metrics", {
    headers: { accept: "application/openmetrics-text; version=1.0.0" },
  })).text();
  assert.match(
    om,
    new RegExp(`http_requests_total\\{[^}]*\\} 1 # \\{trace_id="${TRACE}",span_id="${SPAN}"\\} 1 `),
  );
  assert.match(
    om,
    new RegExp(
      `http_request_duration_seconds_bucket\\{[^}]*le="0.1"\\} 1 # \\{trace_id="${TRACE}"`,
    ),
  );
});

test("httpMetrics({ exemplars: true }) counts requests without a valid traceparent, with no exemplar", async () => {
  const { app, registry } = makeApp({ exemplars: true });
  await app.request("/users/1");
  await app.request("/users/2", { headers: { traceparent: `00-${"0".repeat(32)}-${SPAN}-01` } });
  await app.request("/users/3", {
    headers: { traceparent: `00-${TRACE.toUpperCase()}-${SPAN}-01` },
  });
  await app.request("/users/4", { headers: { traceparent: "garbage" } });
  const ex = await exemplarsOf(registry);
  assert.equal(ex.count, 4);
  assert.equal(ex.observed, 4);
  assert.equal(ex.counter, undefined);
  assert.equal(ex.buckets.length, 0);
  // A later traced request sets it; an untraced one after it keeps it.
  await app.request("/users/5", { headers: { traceparent: `00-${TRACE}-${SPAN}-01` } });
  await app.request("/users/6");
  const after = await exemplarsOf(registry);
  assert.equal(after.count, 6);
  assert.equal(after.counter?.labels.trace_id, TRACE);
});

test("httpMetrics({ exemplars: fn }) takes the labels from the context; a failing fn never fails the request", async () => {
  let answer: () => unknown = () => ({ trace_id: "from-the-app" });
  const { app, registry } = makeApp({ exemplars: () => answer() as Record<string, string> });
  await app.request("/users/1");
  const ex = await exemplarsOf(registry);
  assert.deepEqual(ex.counter?.labels, { trace_id: "from-the-app" });
  assert.deepEqual(ex.buckets[0]?.labels, { trace_id: "from-the-app" });
  const bad: (() => unknown)[] = [
    () => {
      throw new Error("no trace here");
    },
    () => undefined,
    () => null,
    () => "trace",
    () => ({ "bad-name": "x" }),
    () => ({ trace_id: "x".repeat(200) }),
    () => ({ trace_id: "\uD800" }),
    () => ({ trace_id: {} }),
  ];
  for (const f of bad) {
    answer = f;
    const res = await app.request("/users/2", { method: "POST" });
    assert.equal(res.status, 404, "the request's own answer");
  }
  const posts = await exemplarsOf(registry, "404");
  assert.equal(posts.count, bad.length, "every request counted");
  assert.equal(posts.observed, bad.length);
  assert.equal(posts.counter, undefined);
  assert.equal(posts.buckets.length, 0);
  assert.throws(
    () => httpMetrics({ registry: new Registry(), exemplars: "yes" as never }),
    /exemplars must be true .* or a function/,
  );
});

/** The `http_requests_total` lines of a page, label text -> value. */
function requestLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^http_requests_total\{(.*)\} (\S+)$/gm)) {
    out.set(m[1], Number(m[2]));
  }
  return out;
}

test("httpMetrics() caps each metric at DEFAULT_HTTP_MAX_SERIES label sets; the rest count in the overflow series", async () => {
  const { app, registry } = makeApp({ extraLabels: { tenant: (c) => c.req.header("x-t") ?? "" } });
  const n = DEFAULT_HTTP_MAX_SERIES + 50;
  for (let i = 0; i < n; i++) await app.request("/users/1", { headers: { "x-t": "t" + i } });
  const text = await registry.metrics();
  const lines = requestLines(text);
  assert.equal(lines.size, DEFAULT_HTTP_MAX_SERIES + 1);
  assert.equal([...lines.values()].reduce((a, b) => a + b, 0), n);
  const o = OVERFLOW_VALUE;
  assert.equal(lines.get(`method="${o}",route="${o}",status="${o}",tenant="${o}"`), 50);
  assert.match(text, /^http_request_duration_seconds_count\{method="__overflow__",.*\} 50$/m);
  assert.match(text, /^promedge_series_overflow_total\{metric="http_requests_total"\} 50$/m);
});

test("httpMetrics() takes maxSeries", async () => {
  const { app, registry } = makeApp({ maxSeries: 2 });
  for (const path of ["/users/1", "/users/2", "/boom", "/nothing"]) await app.request(path);
  await app.request("/users", { method: "POST" });
  const lines = requestLines(await registry.metrics());
  assert.equal(lines.size, 3);
  assert.equal([...lines.values()].reduce((a, b) => a + b, 0), 5);
  assert.throws(() => makeApp({ maxSeries: 0 }), RangeError);
});

test("httpMetrics() writes the status as its class only with groupStatus: true", async () => {
  const grouped = makeApp({ groupStatus: true });
  const plain = makeApp();
  for (const { app } of [grouped, plain]) {
    for (const path of ["/users/1", "/boom", "/nothing"]) await app.request(path);
    await app.request("/users", { method: "POST" });
  }
  assert.deepEqual([...requestLines(await grouped.registry.metrics()).keys()].sort(), [
    'method="GET",route="/boom",status="5xx"',
    'method="GET",route="/users/:id",status="2xx"',
    `method="GET",route="${UNMATCHED_ROUTE}",status="4xx"`,
    'method="POST",route="/users",status="2xx"',
  ]);
  assert.ok(
    requestLines(await plain.registry.metrics()).has('method="POST",route="/users",status="201"'),
  );
});
