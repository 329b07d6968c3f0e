// The aggregator's HTTP ingest and Durable Object under hostile input: wrong
// methods and content types, huge, slow, broken and malformed bodies,
// concurrent out-of-order messages, source ids that cannot be. Every case is
// answered, nothing recorded is lost and the page stays valid.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Counter, Registry } from "../mod.ts";
import {
  AggregationSource,
  Aggregator,
  aggregatorObject,
  createAggregatorHandler,
  createIngestHandler,
  httpSender,
} from "../src/aggregate/mod.ts";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { protobufFormat } from "../src/exposition/protobuf.ts";
import { encodeState } from "../src/aggregate/_codec.ts";
import { collectState } from "../src/aggregate/_extract.ts";
import { redirecting } from "./_redirect.ts";
import { needs, promtool } from "./_tools.ts";
import { cloudflareStorage } from "./_storage.ts";

const STATE = "application/x-promedge-state";

/** A registry with `jobs_total{q="mail"}` at `n`. */
function jobs(n: number): Registry {
  const registry = new Registry();
  new Counter({ name: "jobs_total", help: "Jobs.", labelNames: ["q"], registry })
    .inc({ q: "mail" }, n);
  return registry;
}

/** A state message of `jobs(n)` from `source` with sequence `seq`, however odd the id. */
async function stateOf(
  source: string,
  seq: number,
  n: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const read = await collectState(jobs(n));
  return encodeState(read({ source, seq, now: Date.now() })) as Uint8Array<ArrayBuffer>;
}

function post(
  body: BodyInit | Uint8Array<ArrayBuffer> | null,
  headers: Record<string, string> = { "content-type": STATE },
): Request {
  return new Request("http://agg/", { method: "POST", body, headers, duplex: "half" } as never);
}

/** A body that yields `chunk` forever (or `times` times, then stalls), counting what was pulled. */
function endless(chunk: Uint8Array, times = Infinity) {
  const s = { pulled: 0, cancelled: false, stream: undefined as unknown as ReadableStream };
  s.stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (s.pulled >= times) return new Promise(() => {}); // stalls
      s.pulled++;
      c.enqueue(chunk);
    },
    cancel() {
      s.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return s;
}

function jobsValue(text: string): number | undefined {
  const m = text.match(/^jobs_total\{q="mail"\} (\S+)$/m);
  return m ? Number(m[1]) : undefined;
}

async function pageOf(handle: (r: Request) => Promise<Response>): Promise<string> {
  const res = await handle(new Request("http://agg/metrics"));
  assert.equal(res.status, 200);
  return await res.text();
}

function valid(text: string): void {
  if (needs("promtool")) return;
  const r = promtool(text);
  assert.equal(r.code, 0, r.output + "\n" + text);
}

test("httpSender() follows a 307 and a 308 to the aggregator with the state intact", async () => {
  for (const status of [307, 308]) {
    const peer = await redirecting(status, 204);
    const got = peer.got;
    try {
      const state = new Uint8Array([1, 2, 3, 250, 0, 7]);
      await httpSender(`${peer.base}/ingest`)(state);
      assert.equal(got.length, 2, `${status}: ${got.length} requests`);
      assert.equal(got[1].url, "/ingest");
      assert.deepEqual([...got[1].body], [...state]);
      assert.deepEqual(
        [...state],
        [1, 2, 3, 250, 0, 7],
        "the caller's bytes are left as they were",
      );
    } finally {
      peer.close();
    }
  }
});

test("createAggregatorHandler() names itself and its metrics option in a bad formats error", () => {
  assert.throws(
    () =>
      createAggregatorHandler(new Aggregator(), {
        metrics: { formats: [protobufFormat], protobuf: false },
      }),
    {
      name: "TypeError",
      message:
        "createAggregatorHandler(): metrics.formats lists the protobuf format, which metrics.protobuf: false turns off; drop one of the two",
    },
  );
  assert.throws(
    () => createAggregatorHandler(new Aggregator(), { metrics: { formats: [{}] as never } }),
    {
      name: "TypeError",
      message: /^createAggregatorHandler\(\): metrics\.formats must be an array/,
    },
  );
});

/** A node:http server on 127.0.0.1 answering with `answer`; its URL and a stop that cuts every connection. */
async function misbehaving(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; stop(): void }> {
  const server = createServer((req, res) => {
    req.resume();
    answer(req, res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    stop() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** `p`, or a rejection when it is still pending after `ms` (a hang fails the test, not the run). */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

test("httpSender() gives up on an aggregator that never answers after its timeout, naming the URL", async () => {
  const peer = await misbehaving(() => {}); // takes the state, never answers
  try {
    const send = httpSender(peer.url, { timeout: 300 });
    const t0 = Date.now();
    await assert.rejects(
      within(8000, send(new Uint8Array([1, 2, 3]))),
      (e: Error) => e.message.includes(peer.url) && /300 ms/.test(e.message),
    );
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    // A source's flushes queue behind a hung send: they must run again.
    const errors: unknown[] = [];
    const source = new AggregationSource({
      registry: jobs(1),
      send: httpSender(peer.url, { timeout: 300 }),
      onError: (e) => errors.push(e),
    });
    assert.equal(await within(8000, source.flush()), false);
    assert.equal(await within(8000, source.flush()), false);
    assert.equal(errors.length, 2);
  } finally {
    peer.stop();
  }
});

test("httpSender() reads at most 64 KiB of a refusal that never ends, and rejects with its status", async () => {
  let written = 0;
  const peer = await misbehaving((_req, res) => {
    res.writeHead(503, { "content-type": "text/plain" });
    const chunk = new Uint8Array(64 * 1024).fill(97);
    const more = () => {
      while (res.write(chunk)) written += chunk.length;
    };
    res.on("drain", more);
    more();
  });
  try {
    const t0 = Date.now();
    await assert.rejects(
      within(8000, httpSender(peer.url, { timeout: 5000 })(new Uint8Array([1]))),
      (e: Error) => /answered 503/.test(e.message) && e.message.length < 70_000,
    );
    assert.ok(Date.now() - t0 < 4000, `took ${Date.now() - t0} ms`);
  } finally {
    peer.stop();
  }
  assert.ok(written < 64 * 1024 * 1024, `the sender read ${written} bytes`);
});

test("httpSender() refuses a timeout that is not a number of ms > 0", () => {
  for (const timeout of [0, -1, NaN, "1000"]) {
    assert.throws(
      () => httpSender("http://127.0.0.1:9/", { timeout: timeout as number }),
      (e: Error) => e instanceof RangeError && /timeout/.test(e.message),
    );
  }
});

test("createAggregatorHandler() answers 405 to methods other than GET, HEAD and POST, naming them", async () => {
  const handle = createAggregatorHandler(new Aggregator());
  for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
    const res = await handle(new Request("http://agg/", { method }));
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get("allow"), "GET, HEAD, POST");
    await res.text();
  }
  const ingest = createIngestHandler(new Aggregator());
  for (const method of ["GET", "HEAD", "PUT"]) {
    const res = await ingest(new Request("http://agg/", { method }));
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get("allow"), "POST");
    await res.body?.cancel();
  }
});

test("createIngestHandler() answers 415 to a state sent as another content type, recording nothing", async () => {
  const agg = new Aggregator();
  const handle = createAggregatorHandler(agg);
  const body = await stateOf("w1", 1, 5);
  for (
    const type of [
      "text/plain",
      "application/json",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/x-promedge-statefoo",
    ]
  ) {
    const res = await handle(post(body.slice(), { "content-type": type }));
    assert.equal(res.status, 415, type);
    assert.match(await res.text(), /sent as application\/x-promedge-state/);
  }
  assert.equal(jobsValue(await pageOf(handle)), undefined, "nothing recorded");
  // The state's own type (any case, with parameters), octet-stream, or none.
  let seq = 1;
  for (
    const headers of [
      { "content-type": "Application/X-Promedge-State; charset=binary" } as Record<string, string>,
      { "content-type": "application/octet-stream" },
      {},
    ]
  ) {
    const res = await handle(post(await stateOf("w1", seq++, seq), headers));
    assert.equal(res.status, 200, JSON.stringify(headers));
    assert.equal((await res.text()).trim(), "accepted");
  }
  assert.equal(jobsValue(await pageOf(handle)), 4);
});

test("createIngestHandler() answers 413 to a streamed body over maxBytes without reading the rest", async () => {
  const agg = new Aggregator();
  const handle = createAggregatorHandler(agg, { maxBytes: 64 * 1024 });
  assert.equal((await handle(post(await stateOf("w1", 1, 3)))).status, 200);
  const body = endless(new Uint8Array(1024).fill(0x70));
  const res = await handle(post(body.stream));
  assert.equal(res.status, 413);
  assert.match(await res.text(), /at most 65536 bytes/);
  assert.ok(body.pulled <= 66, `read ${body.pulled} KiB of an endless body`);
  assert.ok(body.cancelled, "the rest of the body is cancelled");
  const text = await pageOf(handle);
  assert.equal(jobsValue(text), 3, "what was recorded stays");
  valid(text);
});

test("createIngestHandler() answers 408 to a body that stops arriving, and takes the next message", async () => {
  const agg = new Aggregator();
  const handle = createAggregatorHandler(agg, { readTimeoutMs: 100 });
  const good = await stateOf("w1", 1, 7);
  const slow = endless(good.subarray(0, 10), 1);
  const t = Date.now();
  const res = await handle(post(slow.stream));
  assert.equal(res.status, 408);
  assert.match(await res.text(), /did not arrive within 100 ms/);
  assert.ok(Date.now() - t < 5000, "answered near the deadline");
  assert.ok(slow.cancelled);
  const ok = await handle(post(good));
  assert.equal(ok.status, 200);
  assert.equal(jobsValue(await pageOf(handle)), 7);
});

test("createIngestHandler() answers 400 to empty, truncated, garbage and broken bodies, changing nothing", async () => {
  const agg = new Aggregator();
  const handle = createAggregatorHandler(agg);
  const good = await stateOf("w1", 1, 9);
  assert.equal((await handle(post(good))).status, 200);
  const before = await pageOf(handle);
  const broken = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(good.subarray(0, 5));
      c.error(new Error("connection reset"));
    },
  });
  const bodies: [string, BodyInit | null][] = [
    ["empty", new Uint8Array(0)],
    ["no body", null],
    ["truncated", good.slice(0, good.length - 3)],
    ["garbage", crypto.getRandomValues(new Uint8Array(4096))],
    ["text", "# HELP jobs_total Jobs.\njobs_total 1\n"],
    ["broken stream", broken],
  ];
  for (const [what, body] of bodies) {
    const res = await handle(post(body));
    assert.equal(res.status, 400, what);
    assert.ok((await res.text()).length > 1, `${what}: says why`);
  }
  const after = await pageOf(handle);
  assert.equal(jobsValue(after), 9);
  assert.match(after, /^promedge_aggregation_messages_total\{result="invalid"\} 5$/m);
  assert.equal(
    after.replace(/^promedge_aggregation_(messages_total|oldest).*$/gm, ""),
    before.replace(/^promedge_aggregation_(messages_total|oldest).*$/gm, ""),
  );
  valid(after);
});

test("createIngestHandler() takes concurrent out-of-order POSTs from one source: the highest sequence wins, nothing counted twice", async () => {
  const agg = new Aggregator();
  const handle = createAggregatorHandler(agg);
  const N = 30;
  // Sequence s carries the cumulative total s * 10.
  const states = await Promise.all(
    Array.from({ length: N }, (_, i) => stateOf("w1", i + 1, (i + 1) * 10)),
  );
  // Bodies arrive in pieces with delays unrelated to their sequence.
  let seed = 7;
  const rand = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const order = states.map((s, i) => ({ s, i, k: rand() })).sort((a, b) => a.k - b.k);
  const results = await Promise.all(order.map(({ s }) => {
    const delay = Math.floor(rand() * 20);
    const stream = new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(s.subarray(0, 4));
        await new Promise((r) => setTimeout(r, delay));
        c.enqueue(s.subarray(4));
        c.close();
      },
    });
    return handle(post(stream)).then(async (r) =>
      [r.status, (await r.text()).trim()] as [number, string]
    );
  }));
  for (const [status, text] of results) {
    assert.equal(status, 200);
    assert.ok(text === "accepted" || text === "stale", text);
  }
  const accepted = results.filter(([, t]) => t === "accepted").length;
  assert.ok(accepted >= 1 && accepted < N, `${accepted} accepted`);
  const text = await pageOf(handle);
  assert.equal(jobsValue(text), N * 10, "the last state's total, once");
  assert.match(
    text,
    new RegExp(`^promedge_aggregation_messages_total\\{result="stale"\\} ${N - accepted}$`, "m"),
  );
  // Late repeats change nothing.
  for (const s of states.slice(0, 5)) {
    assert.equal((await (await handle(post(s))).text()).trim(), "stale");
  }
  assert.equal(jobsValue(await pageOf(handle)), N * 10);
  valid(text);
});

test("AggregationSource refuses a source id with a lone surrogate, a control character or 10 KB, naming it", () => {
  for (const id of ["x\uD800", "\uDC00y", "a\u0000b", "line\nbreak", "x".repeat(10_000), ""]) {
    assert.throws(
      () => new AggregationSource({ id, send: () => {} }),
      (e: Error) =>
        e instanceof TypeError && /id .* cannot be used: it (has|holds)/.test(e.message),
      JSON.stringify(id.slice(0, 20)),
    );
  }
  // Astral characters are well-formed: taken.
  assert.equal(new AggregationSource({ id: "worker-😀-1", send: () => {} }).id, "worker-😀-1");
});

test("createIngestHandler() answers 400 to source ids with NUL, 10 KB or invalid UTF-8, keeping the page valid", async () => {
  const agg = new Aggregator({ gauges: {} });
  const handle = createAggregatorHandler(agg);
  assert.equal((await handle(post(await stateOf("w1", 1, 2)))).status, 200);
  // A lone surrogate cannot cross the wire: its UTF-8 form (ED A0 80) is invalid.
  const surrogate = await stateOf("abc", 1, 50);
  assert.deepEqual([...surrogate.subarray(4, 8)], [3, 0x61, 0x62, 0x63]);
  surrogate.set([0xed, 0xa0, 0x80], 5);
  for (
    const [what, body] of [
      ["NUL", await stateOf("a\u0000b", 1, 50)],
      ["10 KB", await stateOf("x".repeat(10_000), 1, 50)],
      ["invalid UTF-8", surrogate],
    ] as const
  ) {
    const res = await handle(post(body));
    assert.equal(res.status, 400, what);
    assert.match(await res.text(), /source id|not UTF-8/, what);
  }
  const text = await pageOf(handle);
  assert.equal(jobsValue(text), 2);
  assert.match(text, /^promedge_aggregation_sources 1$/m);
  valid(text);
});

test("createIngestHandler() answers 400 to a small state whose string table expands past 64 MiB, changing nothing", async () => {
  // 60 strings of 60 KB, every pair a series: 3.6 MB on the wire, 432 MB of label text.
  const big = Array.from({ length: 60 }, (_, i) => String(i).padEnd(60_000, "x"));
  const series = big.flatMap((a) =>
    big.map((b) => ({ labels: [a, b], labelText: "", created: 0, value: 1, sum: 0, count: 0 }))
  );
  const bytes = encodeState({
    source: "amplifier",
    seq: 1,
    time: Date.now(),
    families: [{
      name: "g",
      help: "h",
      type: "gauge",
      unit: undefined,
      labelNames: ["a", "b"],
      series,
    }],
  }) as Uint8Array<ArrayBuffer>;
  assert.ok(bytes.length < 4_000_000);
  const handle = createAggregatorHandler(new Aggregator());
  const res = await handle(post(bytes));
  assert.equal(res.status, 400);
  assert.match(await res.text(), /64 MiB/);
  const page = await pageOf(handle);
  assert.doesNotMatch(page, /^g\{/m);
  assert.ok(page.length < 10_000);
  // A help text repeated by many families is the same trick.
  const help = "h".repeat(1 << 20);
  const families = Array.from({ length: 100 }, (_, i) => ({
    name: "f" + i,
    help,
    type: "gauge" as const,
    unit: undefined,
    labelNames: [],
    series: [{ labels: [], labelText: "", created: 0, value: 1, sum: 0, count: 0 }],
  }));
  const res2 = await handle(
    post(
      encodeState({ source: "helpful", seq: 1, time: Date.now(), families }) as Uint8Array<
        ArrayBuffer
      >,
    ),
  );
  assert.equal(res2.status, 400);
  assert.doesNotMatch(await pageOf(handle), /^f0 /m);
});

test("aggregatorObject() answers hostile requests with 4xx, stores nothing from them, and restores the same totals after eviction", async () => {
  const state = cloudflareStorage();
  const Totals = aggregatorObject({ maxBytes: 32 * 1024, readTimeoutMs: 100 });
  const first = new Totals(state);
  await state.ready;
  assert.equal((await first.fetch(post(await stateOf("edge-1", 1, 4)))).status, 200);
  assert.equal((await first.fetch(post(await stateOf("edge-2", 1, 6)))).status, 200);
  await new Promise((r) => setTimeout(r, 10));
  const stored = new Map(state.data);
  const hostile: [string, Request, number][] = [
    ["PUT", new Request("http://do/", { method: "PUT", body: "x" }), 405],
    ["text/plain", post(await stateOf("edge-3", 1, 1), { "content-type": "text/plain" }), 415],
    ["huge", post(endless(new Uint8Array(1024)).stream), 413],
    ["slow", post(endless(new Uint8Array(8), 1).stream), 408],
    ["garbage", post(new Uint8Array([0x70, 0x61, 2, 0, 0xff, 0xff])), 400],
    ["NUL id", post(await stateOf("edge\u00003", 1, 1)), 400],
    ["stale repeat", post(await stateOf("edge-1", 1, 1000)), 200],
  ];
  for (const [what, req, status] of hostile) {
    const res = await first.fetch(req);
    assert.equal(res.status, status, what);
    await res.text();
  }
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual([...state.data.keys()].sort(), [...stored.keys()].sort(), "no key written");
  for (const [k, v] of stored) assert.deepEqual(state.data.get(k), v, k);
  const text = await pageOf((r) => first.fetch(r));
  assert.equal(jobsValue(text), 10);
  valid(text);
  // Evicted: the next object reads the same totals back.
  const again = new Totals(state);
  await state.ready;
  assert.equal(jobsValue(await pageOf((r) => again.fetch(r))), 10);
});
