import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { Buffer } from "node:buffer";
import { Counter, Gauge, Registry, serveMetrics, TEXT_CONTENT_TYPE } from "../mod.ts";

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

test("serveMetrics() rejects a port in use or a host it cannot listen on, naming the address", async () => {
  const first = await serveMetrics({ port: 0, hostname: "127.0.0.1", registry: new Registry() });
  try {
    await assert.rejects(
      serveMetrics({ port: first.port, hostname: "127.0.0.1", registry: new Registry() }),
      (e: Error) => e.message.includes(`127.0.0.1:${first.port}`),
    );
    await assert.rejects(
      serveMetrics({ port: 0, hostname: "no-such-host.invalid", registry: new Registry() }),
      (e: Error) => e.message.includes("no-such-host.invalid"),
    );
  } finally {
    await first.close();
  }
});

/** Sends raw bytes and returns what came back before the server closed (or `ms` passed). */
function raw(port: number, bytes: string, ms = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let out = "";
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => out += d);
    socket.on("error", () => {/* a reset is an answer too: checked by the caller */});
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.write(Buffer.from(bytes, "latin1"));
  });
}

const status = (reply: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1]);
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

async function stillServes(port: number) {
  const ok = await raw(port, "GET /metrics HTTP/1.1\r\nHost: ok\r\nConnection: close\r\n\r\n");
  assert.equal(status(ok), 200, ok);
  assert.match(ok, /^served_total 3$/m);
}

async function rawServer() {
  const registry = new Registry();
  new Counter({ name: "served_total", help: "h", registry }).inc(3);
  return await serveMetrics({ port: 0, hostname: "127.0.0.1", registry });
}

test("serveMetrics() answers TRACE and CONNECT with 405 and keeps serving", async () => {
  const server = await rawServer();
  try {
    for (const line of ["TRACE / HTTP/1.1", "CONNECT a:80 HTTP/1.1"]) {
      const reply = await raw(server.port, `${line}\r\nHost: a\r\nConnection: close\r\n\r\n`);
      assert.equal(status(reply), 405, `${line}: ${JSON.stringify(reply)}`);
      await stillServes(server.port);
    }
  } finally {
    await server.close();
  }
});

test("serveMetrics() answers a malformed Host with 400, not a crash or a 500", async () => {
  const server = await rawServer();
  try {
    for (const host of ["[", "a:99999", "a%zz", "[::1", "a:-1", "a:b"]) {
      const reply = await raw(
        server.port,
        `GET /metrics HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      assert.equal(status(reply), 400, `Host: ${host} -> ${JSON.stringify(reply)}`);
      assert.doesNotMatch(reply, /served_total|at .*handler\.ts/);
    }
    // Bun's server cleans these up itself; the others refuse them. Never a 5xx.
    for (const host of ["a b", "u@a", "a/b", "", "\xc3\xa9", "a\\b", "a?b", "a#b"]) {
      const reply = await raw(
        server.port,
        `GET /metrics HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
      );
      assert.ok([200, 400].includes(status(reply)), `Host: ${host} -> ${JSON.stringify(reply)}`);
    }
    await stillServes(server.port);
  } finally {
    await server.close();
  }
});

test("serveMetrics() survives bad request lines, absurd headers and cut-off requests", async () => {
  const server = await rawServer();
  try {
    const cases: [string, string][] = [
      ["garbage request line", "GARBAGE\r\n\r\n"],
      ["asterisk target", "GET * HTTP/1.1\r\nHost: a\r\n\r\n"],
      ["bad absolute target", "GET http://x y/ HTTP/1.1\r\nHost: a\r\n\r\n"],
      ["NUL in a header", "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n"],
      ["control byte in a header name", "GET / HTTP/1.1\r\nHost: a\r\nX\x01: a\r\n\r\n"],
      ["a 100 KB header", `GET / HTTP/1.1\r\nHost: a\r\nX: ${"a".repeat(100_000)}\r\n\r\n`],
      ["3,000 headers", `GET / HTTP/1.1\r\nHost: a\r\n${"X-A: b\r\n".repeat(3000)}\r\n`],
    ];
    for (const [name, bytes] of cases) {
      const reply = await raw(
        server.port,
        bytes.replace(/\r\n\r\n$/, "\r\nConnection: close\r\n\r\n"),
      );
      const s = status(reply);
      // An answer, never the 500 of a handler that threw (Bun's parser says 505 to a
      // request line with a space in the target), or on Bun the connection closed.
      assert.ok(reply === "" ? runtime === "bun" : s >= 200 && s !== 500, `${name}: ${reply}`);
      await stillServes(server.port);
    }
    const fine: [string, string][] = [
      ["absolute-form target", "GET http://a/metrics HTTP/1.1\r\nHost: a\r\n\r\n"],
      ["HTTP/1.0 without Host", "GET /metrics HTTP/1.0\r\n\r\n"],
      [
        "query with bad escapes",
        "GET /metrics?name[]=%zz&name[]=%ED%A0%80 HTTP/1.1\r\nHost: a\r\n\r\n",
      ],
      ["path with dot segments", "GET /a/../../metrics HTTP/1.1\r\nHost: a\r\n\r\n"],
      ["unknown Accept", `GET / HTTP/1.1\r\nHost: a\r\nAccept: ${"x;q=9,".repeat(2000)}\r\n\r\n`],
    ];
    for (const [name, bytes] of fine) {
      const reply = await raw(
        server.port,
        bytes.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n"),
      );
      assert.equal(status(reply), 200, `${name}: ${reply}`);
    }
    // Cut off in the middle of the headers, or right after sending a whole request.
    for (const cut of ["GET / HTTP/1.1\r\nHo", "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n"]) {
      const socket = connect(server.port, "127.0.0.1");
      socket.on("error", () => {});
      await new Promise<void>((r) => socket.write(cut, () => r()));
      socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    await stillServes(server.port);
  } finally {
    await server.close();
  }
});

test("serveMetrics() keeps serving after a client leaves in the middle of a large page", async () => {
  const registry = new Registry();
  const g = new Gauge({ name: "big", help: "h", labelNames: ["i"], registry });
  for (let i = 0; i < 50_000; i++) g.set({ i: "x".repeat(40) + i }, i);
  new Counter({ name: "served_total", help: "h", registry }).inc(3);
  const server = await serveMetrics({ port: 0, hostname: "127.0.0.1", registry });
  try {
    for (let k = 0; k < 3; k++) {
      const socket = connect(server.port, "127.0.0.1");
      socket.on("error", () => {});
      socket.write("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n");
      await new Promise<void>((r) => socket.once("data", () => r()));
      socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 200));
    const res = await fetch(`http://127.0.0.1:${server.port}/metrics?name[]=served_total`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^served_total 3$/m);
    const all = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    assert.equal((await all.text()).match(/^big\{/gm)?.length, 50_000);
  } finally {
    await server.close();
  }
});

test("MetricsServer.close() resolves while a scraper stalls mid-page, and one sends half a request", async () => {
  const registry = new Registry();
  const g = new Gauge({ name: "big", help: "h", labelNames: ["i"], registry });
  // A page of some 16 MB: more than the socket buffers take.
  for (let i = 0; i < 100_000; i++) g.set({ i: "x".repeat(150) + i }, i);
  const server = await serveMetrics({ port: 0, hostname: "127.0.0.1", registry });
  const sockets = [connect(server.port, "127.0.0.1"), connect(server.port, "127.0.0.1")];
  try {
    await Promise.all(sockets.map((s) => {
      s.on("error", () => {});
      return new Promise<void>((r) => s.once("connect", () => r()));
    }));
    sockets[0].pause(); // reads nothing of the page: the server's writes back up
    sockets[0].write("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n");
    sockets[1].write("GET /metrics HTTP/1.1\r\nHo"); // and never finishes
    await new Promise((r) => setTimeout(r, 1000));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const closed = await Promise.race([
      server.close().then(() => "closed"),
      new Promise((r) => timer = setTimeout(() => r("still closing after 5 s"), 5000)),
    ]);
    clearTimeout(timer);
    assert.equal(closed, "closed");
  } finally {
    for (const s of sockets) s.destroy();
  }
});

test("serveMetrics() serves one shared page intact to concurrent scrapes, plain and gzip", async () => {
  const registry = new Registry();
  let calls = 0;
  const g = new Gauge({
    name: "wide",
    help: "h",
    labelNames: ["id"],
    registry,
    async collect() {
      calls++;
      await new Promise((r) => setTimeout(r, 50));
    },
  });
  for (let i = 0; i < 20_000; i++) g.set({ id: String(i) }, i);
  const want = await registry.metrics();
  calls = 0;
  const server = await serveMetrics({ port: 0, hostname: "127.0.0.1", registry });
  try {
    for (const enc of ["identity", "gzip"]) {
      const before = calls;
      const texts = await Promise.all(Array.from({ length: 8 }, async () => {
        const res = await fetch(`http://127.0.0.1:${server.port}/metrics`, {
          headers: { "accept-encoding": enc },
        });
        assert.equal(res.headers.get("content-encoding"), enc === "gzip" ? "gzip" : null);
        return await res.text(); // fetch decodes gzip
      }));
      assert.ok(calls - before < 8, `${calls - before} collections for 8 scrapes`);
      for (const t of texts) assert.equal(t, want, enc);
    }
  } finally {
    await server.close();
  }
});
