// Every ```ts example in the README runs as written, or is listed in SKIPPED with the reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "../mod.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(root + "README.md", "utf8");
const blocks = [...readme.matchAll(/^```ts[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]);
const exports: Record<string, string> =
  JSON.parse(readFileSync(root + "deno.json", "utf8")).exports;

/** Each example not run here, found by a string only it holds, and why. */
const SKIPPED: Record<string, string> = {
  "while (true) await processRequest":
    "serves forever; example.ts is the same program, scraped by Prometheus in tests/e2e/prometheus_test.ts",
  "Deno.serve(metricsHandler)":
    "one line per runtime, not one program; serve_test.ts and handler_test.ts cover the handler",
  "grafana.net":
    "needs Deno (Deno.env, Deno.hostname) and a Grafana account; tests/e2e/remote_write_test.ts covers RemoteWriter",
};

/** Markers of the examples the tests below run. */
const RUN = [
  "const requests = new Counter",
  "registerCollector",
  "registry.collect(",
  "maxSeries: 1000",
  "native: nativeHistogram()",
  "incWithExemplar",
  'app.get("/users/:id"',
  "exemplars: true",
  "gw.pushAdd",
  "ctx.waitUntil(writer.write()",
  "new Aggregator",
  "@promedge/client/prom-client",
];

test("every ts example in the README is run by this file or skipped with a reason", () => {
  for (const block of blocks) {
    const by = [...RUN, ...Object.keys(SKIPPED)].filter((m) => block.includes(m));
    assert.equal(by.length, 1, `one marker for the example:\n${block}\nfound: ${by.join(", ")}`);
  }
  for (const m of [...RUN, ...Object.keys(SKIPPED)]) {
    assert.ok(blocks.some((b) => b.includes(m)), `an example holds ${m}`);
  }
});

/** The import specifiers of the README, pointed at this clone. */
function localise(code: string): string {
  return code.replace(/from "(\.\/[^"]+|jsr:@promedge\/client(\/[\w-]+)?)"/g, (_, spec, sub) => {
    const path = spec.startsWith("./") ? spec : exports[sub ? "." + sub : "."];
    return `from ${JSON.stringify(pathToFileURL(join(root, path)).href)}`;
  });
}

/**
 * Runs the README example(s) holding `markers`, joined, from a file inside the clone (so `hono`
 * resolves as it does for the project), then `use` with what they exported; returns what they
 * printed. Metrics they put in the default registry are taken out again afterwards.
 */
async function run(
  markers: string[],
  extra = "",
  use: (mod: Record<string, unknown>) => void | Promise<void> = () => {},
): Promise<string> {
  const code = markers.map((m) => {
    const block = blocks.find((b) => b.includes(m));
    assert.ok(block, `example with ${m} found`);
    return localise(block);
  }).join("\n") + extra;
  const before = new Set(register.getAll());
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  mkdirSync(root + ".tmp", { recursive: true });
  const dir = mkdtempSync(join(root, ".tmp", "readme-"));
  try {
    writeFileSync(join(dir, "example.mts"), code);
    await use(await import(pathToFileURL(join(dir, "example.mts")).href));
    return lines.join("\n");
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
    for (const m of register.getAll()) if (!before.has(m)) register.unregister(m);
  }
}

/** A server that answers 200 to everything and keeps each request's method, URL and headers. */
async function receiver(): Promise<{ url: string; seen: IncomingMessage[]; close(): void }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    req.on("end", () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen, close: () => server.close() };
}

test("the README's Metrics, custom collector and collect() examples run", async () => {
  const out = await run(["const requests = new Counter", "registerCollector", "registry.collect("]);
  assert.match(out, /^build_info\{version="1.2.3"\} 1$/m);
  assert.match(out, /^http_request_duration_seconds_count\{route="\/users\/:id"\} 1$/m);
  assert.match(out, /^# EOF$/m);
  assert.match(out, /^queue_depth\{queue="mail"\} 7$/m);
  assert.match(out, /^gauge \{"queue":"mail"\}$/m);
});

test("the README's native histogram example runs and keeps a native part", async () => {
  assert.equal(await run(["native: nativeHistogram()"]), "3");
});

test("the README's Cardinality example runs and caps the series", async () => {
  const out = await run(["maxSeries: 1000"]);
  assert.match(out, /^logins_total\{user="__overflow__"\} 4000$/m);
  assert.match(out, /^promedge_series_overflow_total\{metric="logins_total"\} 4000$/m);
  assert.equal(out.match(/^logins_total\{/gm)?.length, 1000, "999 users and the overflow series");
  assert.match(out, /^session_bytes\{session="s1"\} 512$/m);
});

test("the README's Exemplars example runs and prints what its comments say", async () => {
  const out = await run(["incWithExemplar"]);
  const block = blocks.find((b) => b.includes("incWithExemplar"))!;
  // The comments' lines, but for the timestamp (the time of the call).
  const shown = block.match(/^\/\/ \S+ \d.*$/gm) ?? [];
  assert.equal(shown.length, 2);
  for (const s of shown) {
    const [, line] = /^\/\/ (.*) [\d.]+$/.exec(s)!;
    assert.ok(out.split("\n").some((l) => l.startsWith(line + " ")), `${line}\n${out}`);
  }
  assert.match(out, /^jobs_total\{queue="sms"\} 2 # \{trace_id="[0-9a-f]{32}"\} 2 \d+(\.\d+)?$/m);
});

test("the README's Hono examples count a request by its route", async () => {
  for (const marker of ['app.get("/users/:id"', "exemplars: true"]) {
    await run([marker], "\nexport { app };", async (mod) => {
      const app = mod.app as { request(path: string, init?: RequestInit): Promise<Response> };
      const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      await app.request("/users/7", { headers: { traceparent } });
      await app.request("/nowhere");
      const page = await (await app.request("/metrics", {
        headers: { accept: "application/openmetrics-text" },
      })).text();
      const users = /^http_requests_total\{method="GET",route="\/users\/:id",status="200"\} 1/m;
      const unmatched = /^http_requests_total\{method="GET",route="unmatched",status="404"\} (\d)/m;
      if (marker === "exemplars: true") {
        // This app has no /users/:id route: both requests are unmatched, with the trace's ids.
        assert.equal(unmatched.exec(page)?.[1], "2");
        assert.match(
          page,
          /# \{trace_id="4bf92f3577b34da6a3ce929d0e0e4736",span_id="00f067aa0ba902b7"\}/,
        );
      } else {
        assert.match(page, users);
        assert.equal(unmatched.exec(page)?.[1], "1");
      }
    });
  }
});

test("the README's Pushgateway example pushes to the job and group it names", async () => {
  const gw = await receiver();
  try {
    await run(["gw.pushAdd"], "", async (mod) => {
      const worker = mod.default as { fetch(r: Request, env: unknown): Promise<Response> };
      const res = await worker.fetch(new Request("http://edge/"), { GATEWAY: gw.url, TOKEN: "t" });
      assert.equal(await res.text(), "ok");
    });
    assert.equal(gw.seen.length, 1);
    assert.equal(gw.seen[0].method, "POST");
    assert.match(gw.seen[0].url!, /^\/metrics\/job@base64\/ZWRnZS9hcGk=*\/colo\/fra$/);
    assert.equal(gw.seen[0].headers.authorization, "Bearer t");
  } finally {
    gw.close();
  }
});

test("the README's remote write Worker example writes after answering", async () => {
  const rw = await receiver();
  try {
    await run(["ctx.waitUntil(writer.write()"], "", async (mod) => {
      const worker = mod.default as {
        fetch(r: Request, env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }): Response;
      };
      const pending: Promise<unknown>[] = [];
      const env = { RW_URL: rw.url + "/api/v1/write" };
      const res = worker.fetch(new Request("http://edge/"), env, {
        waitUntil: (p) => pending.push(p),
      });
      assert.equal(await res.text(), "ok");
      await Promise.all(pending);
    });
    assert.equal(rw.seen.length, 1);
    assert.equal(rw.seen[0].url, "/api/v1/write");
    assert.equal(rw.seen[0].headers["content-encoding"], "snappy");
    assert.equal(rw.seen[0].headers["content-type"], "application/x-protobuf");
  } finally {
    rw.close();
  }
});

test("the README's aggregation example merges three workers' counters", async () => {
  assert.match(await run(["new Aggregator"]), /^jobs_total 6$/m);
});

test("the README's migration import loads the prom-client entry", async () => {
  await run(["@promedge/client/prom-client"], "\nexport { client };", (mod) => {
    const client = mod.client as { Counter: unknown; register: unknown };
    assert.equal(typeof client.Counter, "function");
    assert.ok(client.register);
  });
});
