// The Pushgateway client against the real Pushgateway 1.5.1 (Debian's
// prometheus-pushgateway), started here with a fresh persistence file.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { gunzipSync } from "node:zlib";
import { Counter, Gauge, Registry } from "../mod.ts";
import { Pushgateway } from "../src/push/pushgateway.ts";
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

interface Group {
  labels: Record<string, string>;
  [family: string]: unknown;
}

async function groups(): Promise<Group[]> {
  const res = await fetch(`${url}/api/v1/metrics`);
  const body = await res.json() as { data: Group[] };
  return body.data;
}

function findGroup(all: Group[], labels: Record<string, string>): Group | undefined {
  return all.find((g) =>
    Object.keys(labels).length === Object.keys(g.labels).length &&
    Object.entries(labels).every(([k, v]) => g.labels[k] === v)
  );
}

function value(g: Group | undefined, family: string): number | undefined {
  const f = g?.[family] as { metrics: { value?: string }[] } | undefined;
  return f ? Number(f.metrics[0].value) : undefined;
}

/** The groups once `ok` holds for them: the gateway answers DELETE with 202 and applies it later. */
async function groupsOnce(ok: (all: Group[]) => boolean): Promise<Group[]> {
  let all = await groups();
  for (let i = 0; i < 40 && !ok(all); i++) {
    await new Promise((r) => setTimeout(r, 50));
    all = await groups();
  }
  return all;
}

function registryWith(values: Record<string, number>) {
  const registry = new Registry();
  for (const [name, v] of Object.entries(values)) {
    new Gauge({ name, help: "h", registry }).set(v);
  }
  return registry;
}

test("Pushgateway.push() puts the registry under the job and grouping key", { skip }, async () => {
  const registry = new Registry();
  new Counter({ name: "rows_total", help: "Rows.", registry }).inc(42);
  await new Pushgateway(url, { registry }).push({ job: "etl", groupingKey: { instance: "a" } });
  const g = findGroup(await groups(), { job: "etl", instance: "a" });
  assert.ok(g, JSON.stringify(await groups()));
  assert.equal(value(g, "rows_total"), 42);
});

test("Pushgateway: job and grouping values with /, spaces, empty and non-ASCII arrive intact", {
  skip,
}, async () => {
  const key = { path: "/var/log/a b", empty: "", text: "ünï ✓ 日本", plain: "x y" };
  await new Pushgateway(url, { registry: registryWith({ odd_gauge: 1 }) })
    .push({ job: "nightly/etl job", groupingKey: key });
  const g = findGroup(await groups(), { job: "nightly/etl job", ...key });
  assert.ok(g, JSON.stringify((await groups()).map((x) => x.labels)));
  assert.equal(value(g, "odd_gauge"), 1);
  const gw = new Pushgateway(url);
  assert.match(
    gw.url({ job: "a/b", groupingKey: { e: "" } }),
    /\/metrics\/job@base64\/YS9i\/e@base64\/=$/,
  );
});

test(
  "Pushgateway.pushAdd() replaces the names it sends and keeps the others; push() replaces all",
  { skip },
  async () => {
    const target = { job: "merge", groupingKey: { instance: "b" } };
    await new Pushgateway(url, { registry: registryWith({ a_gauge: 1, b_gauge: 2 }) }).push(target);
    await new Pushgateway(url, { registry: registryWith({ b_gauge: 20, c_gauge: 30 }) }).pushAdd(
      target,
    );
    let g = findGroup(await groups(), { job: "merge", instance: "b" });
    assert.deepEqual([value(g, "a_gauge"), value(g, "b_gauge"), value(g, "c_gauge")], [1, 20, 30]);
    await new Pushgateway(url, { registry: registryWith({ d_gauge: 4 }) }).push(target);
    g = findGroup(await groups(), { job: "merge", instance: "b" });
    assert.deepEqual([value(g, "a_gauge"), value(g, "c_gauge"), value(g, "d_gauge")], [
      undefined,
      undefined,
      4,
    ]);
  },
);

test("Pushgateway.delete() removes the group", { skip }, async () => {
  const target = { job: "gone", groupingKey: { instance: "c" } };
  const gw = new Pushgateway(url, { registry: registryWith({ x_gauge: 1 }) });
  await gw.push(target);
  assert.ok(findGroup(await groups(), { job: "gone", instance: "c" }));
  await gw.delete(target);
  const all = await groupsOnce((a) => !findGroup(a, { job: "gone", instance: "c" }));
  assert.equal(findGroup(all, { job: "gone", instance: "c" }), undefined);
});

test("Pushgateway sends gzip when asked, and the gateway reads it", { skip }, async () => {
  await new Pushgateway(url, { registry: registryWith({ zipped_gauge: 7 }), compress: true })
    .push({ job: "gz" });
  assert.equal(value(findGroup(await groups(), { job: "gz" }), "zipped_gauge"), 7);
});

test(
  "Pushgateway rejects with the gateway's 400 reply on a conflicting push",
  { skip },
  async () => {
    await new Pushgateway(url, { registry: registryWith({ conflict_metric: 1 }) }).push({
      job: "t1",
    });
    const registry = new Registry();
    new Counter({ name: "conflict_metric", help: "other help", registry }).inc();
    await assert.rejects(
      new Pushgateway(url, { registry }).push({ job: "t2" }),
      (e: unknown) =>
        e instanceof Error && /Pushgateway answered 400/.test(e.message) &&
        e.message.includes("/metrics/job/t2") &&
        /conflict_metric|inconsistent|invalid/.test(e.message),
    );
  },
);

test("Pushgateway follows a 307 and a 308 with its gzip body intact", async () => {
  for (const status of [307, 308]) {
    const peer = await redirecting(status, 200);
    const text = (i: number) => gunzipSync(peer.got[i].body).toString();
    try {
      await new Pushgateway(peer.base, {
        registry: registryWith({ moved_gauge: 3 }),
        compress: true,
      }).push({ job: "j" });
      assert.equal(peer.got.length, 2, `${status}: ${peer.got.length} requests`);
      assert.equal(peer.got[1].method, "PUT");
      assert.equal(peer.got[1].url, "/metrics/job/j");
      assert.match(text(1), /^moved_gauge 3$/m);
      assert.equal(text(1), text(0));
    } finally {
      peer.close();
    }
  }
});

test("Pushgateway rejects with the URL when the gateway is down", { skip }, async () => {
  const port = await freePort();
  const down = `http://127.0.0.1:${port}`;
  await assert.rejects(
    new Pushgateway(down, { registry: new Registry() }).push({ job: "x" }),
    (e: unknown) => e instanceof Error && e.message.includes(`PUT ${down}/metrics/job/x failed`),
  );
});

test("Pushgateway gives up after the timeout on a gateway that never answers", async () => {
  const server: Server = createServer(() => {/* accept, never answer */});
  const port = await new Promise<number>((r) =>
    server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port))
  );
  const t0 = Date.now();
  try {
    await assert.rejects(
      new Pushgateway(`http://127.0.0.1:${port}`, { registry: new Registry(), timeout: 300 }).push({
        job: "slow",
      }),
      /timed out after 300 ms/,
    );
    assert.ok(Date.now() - t0 < 5000);
  } finally {
    server.close();
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  }
});

test("Pushgateway gives up at its timeout on a fetch that ignores the abort signal, or returns no Response", async () => {
  const hangs = (() => new Promise(() => {})) as typeof fetch;
  const t0 = Date.now();
  await assert.rejects(
    new Pushgateway("http://gw.test", { registry: new Registry(), timeout: 100, fetch: hangs })
      .push({ job: "j" }),
    /Pushgateway PUT http:\/\/gw.test\/metrics\/job\/j timed out after 100 ms/,
  );
  assert.ok(Date.now() - t0 < 2000);
  const notResponse = (() => Promise.resolve({})) as unknown as typeof fetch;
  await assert.rejects(
    new Pushgateway("http://gw.test", { registry: new Registry(), fetch: notResponse })
      .delete({ job: "j" }),
    { name: "TypeError", message: "Pushgateway: the fetch option returned {}, not a Response" },
  );
});

test("Pushgateway checks its input before sending anything", async () => {
  let called = 0;
  const gw = new Pushgateway("http://127.0.0.1:1", {
    registry: new Registry(),
    fetch: () => {
      called++;
      return Promise.resolve(new Response(""));
    },
  });
  await assert.rejects(gw.push({ job: "" }), /job must be a non-empty string/);
  await assert.rejects(
    gw.push({ job: "j", groupingKey: { "bad-name": "x" } }),
    /invalid label name "bad-name"/,
  );
  await assert.rejects(gw.push({ job: "j", groupingKey: { job: "x" } }), /not in groupingKey/);
  assert.equal(called, 0);
  assert.throws(() => new Pushgateway("not a url"), /is not a URL/);
  assert.throws(() => new Pushgateway("ftp://x"), /http or https/);
  await gw.push({ job: "fine" });
  assert.equal(called, 1);
});

test(
  "Pushgateway: grouping values . and .. land in their own group and leave {job} alone",
  { skip },
  async () => {
    const gw = (v: number) => new Pushgateway(url, { registry: registryWith({ dot_gauge: v }) });
    await gw(1).push({ job: "dots" });
    await gw(2).push({ job: "dots", groupingKey: { instance: ".." } });
    await gw(3).push({ job: "dots", groupingKey: { instance: "." } });
    let all = await groups();
    assert.equal(value(findGroup(all, { job: "dots" }), "dot_gauge"), 1, "not replaced by ..");
    assert.equal(value(findGroup(all, { job: "dots", instance: ".." }), "dot_gauge"), 2);
    assert.equal(value(findGroup(all, { job: "dots", instance: "." }), "dot_gauge"), 3);
    // The gateway still takes pushes (a "." once made it answer 400 to every later one).
    await gw(4).push({ job: "after-dots" });
    assert.equal(value(findGroup(await groups(), { job: "after-dots" }), "dot_gauge"), 4);
    await gw(0).delete({ job: "dots", groupingKey: { instance: ".." } });
    all = await groupsOnce((a) => !findGroup(a, { job: "dots", instance: ".." }));
    assert.equal(findGroup(all, { job: "dots", instance: ".." }), undefined);
    assert.equal(value(findGroup(all, { job: "dots" }), "dot_gauge"), 1, "delete of .. left {job}");
    await gw(0).delete({ job: "dots" });
    all = await groupsOnce((a) => !findGroup(a, { job: "dots" }));
    assert.equal(findGroup(all, { job: "dots" }), undefined);
    assert.equal(value(findGroup(all, { job: "dots", instance: "." }), "dot_gauge"), 3);
  },
);

test(
  "Pushgateway: a job named . or .. is pushed and deleted like any other",
  { skip },
  async () => {
    for (const [job, v] of [[".", 5], ["..", 6]] as const) {
      const gw = new Pushgateway(url, { registry: registryWith({ dotjob_gauge: v }) });
      await gw.push({ job });
      assert.equal(value(findGroup(await groups(), { job }), "dotjob_gauge"), v, job);
      await gw.delete({ job });
      const all = await groupsOnce((a) => !findGroup(a, { job }));
      assert.equal(findGroup(all, { job }), undefined, job);
    }
    assert.match(new Pushgateway(url).url({ job: ".." }), /\/metrics\/job@base64\/Li4$/);
    assert.match(new Pushgateway(url).url({ job: "." }), /\/metrics\/job@base64\/Lg$/);
  },
);

test(
  "Pushgateway: values a URL parser might touch arrive as they were, each in its own group",
  { skip },
  async () => {
    const odd = [
      "...",
      "%2e",
      "%2E%2E",
      "a/..",
      "../a",
      "./",
      "\\",
      "\\..",
      "?q=1",
      "#frag",
      "a b",
      "+",
      ";x",
      "a\u0000b",
      "tab\there",
      "line\nbreak",
      "😀",
      "@base64",
    ];
    for (const [i, v] of odd.entries()) {
      await new Pushgateway(url, { registry: registryWith({ odd_value_gauge: i }) })
        .push({ job: "odd-values", groupingKey: { v } });
    }
    const all = await groups();
    for (const [i, v] of odd.entries()) {
      assert.equal(
        value(findGroup(all, { job: "odd-values", v }), "odd_value_gauge"),
        i,
        JSON.stringify(v),
      );
    }
  },
);

/** A raw HTTP peer on a free port; `reply` gets each socket. */
async function peer(reply: (socket: Socket) => void): Promise<{ url: string; close(): void }> {
  const server: Server = createServer(reply);
  const port = await new Promise<number>((r) =>
    server.listen(0, "127.0.0.1", () => r((server.address() as { port: number }).port))
  );
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("error", () => {});
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const answerAfter = (ms: number) => (socket: Socket) => {
  socket.once("data", () =>
    setTimeout(() => {
      if (!socket.destroyed) socket.end("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    }, ms));
};

test("Pushgateway: a timeout beyond the timer range (2**31, 1e10, Infinity) does not fire at once", async () => {
  const slow = await peer(answerAfter(150));
  try {
    for (const timeout of [2 ** 31, 1e10, Number.MAX_VALUE, Infinity]) {
      await new Pushgateway(slow.url, { registry: new Registry(), timeout }).push({ job: "x" });
    }
  } finally {
    slow.close();
  }
});

test("Pushgateway rejects a timeout that is not a positive number at the constructor", () => {
  for (const timeout of [0, -1, NaN, -Infinity, "100", {}]) {
    assert.throws(
      () => new Pushgateway("http://127.0.0.1:9091", { timeout: timeout as number }),
      (e: unknown) =>
        e instanceof RangeError && /timeout must be a number of milliseconds > 0/.test(e.message),
      String(timeout),
    );
  }
});

test("Pushgateway times out on a gateway that sends headers and then stalls", async () => {
  const stall = await peer((socket) => {
    socket.once("data", () => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nab"));
  });
  try {
    await assert.rejects(
      new Pushgateway(stall.url, { registry: new Registry(), timeout: 300 }).push({ job: "s" }),
      /timed out after 300 ms/,
    );
  } finally {
    stall.close();
  }
});

test("Pushgateway rejects with the URL when the gateway hangs up mid-answer", async () => {
  const rude = await peer((socket) => socket.once("data", () => socket.destroy()));
  try {
    await assert.rejects(
      new Pushgateway(rude.url, { registry: new Registry(), timeout: 5000 }).push({ job: "r" }),
      (e: unknown) => e instanceof Error && e.message.includes(`PUT ${rude.url}/metrics/job/r`),
    );
  } finally {
    rude.close();
  }
});

test("Pushgateway sends a URL's user:password as Basic auth (fetch refuses such URLs)", async () => {
  const seen: Request[] = [];
  const gw = new Pushgateway("http://us%20er:p%40ss@127.0.0.1:9091/", {
    registry: new Registry(),
    fetch: (input, init) => {
      seen.push(new Request(input, init));
      return Promise.resolve(new Response(""));
    },
  });
  await gw.push({ job: "auth" });
  assert.equal(seen[0].url, "http://127.0.0.1:9091/metrics/job/auth");
  assert.equal(seen[0].headers.get("authorization"), "Basic " + btoa("us er:p@ss"));
  const own = new Pushgateway("http://u:p@127.0.0.1:9091", {
    headers: { authorization: "Bearer t" },
    fetch: (input, init) => {
      seen.push(new Request(input, init));
      return Promise.resolve(new Response(""));
    },
  });
  await own.delete({ job: "auth" });
  assert.equal(seen[1].headers.get("authorization"), "Bearer t", "an explicit header wins");
});

test("Pushgateway rejects bad options and lone surrogates at the call, naming them", async () => {
  assert.throws(() => new Pushgateway("http://127.0.0.1:9091/?x=1"), /query or fragment/);
  assert.throws(() => new Pushgateway("http://127.0.0.1:9091/#f"), /query or fragment/);
  assert.throws(
    () => new Pushgateway("http://127.0.0.1:9091", { headers: { "x-bad": "a\nb" } }),
    /Pushgateway: bad headers option/,
  );
  assert.throws(
    () => new Pushgateway("http://127.0.0.1:9091", { fetch: "no" as unknown as typeof fetch }),
    /fetch must be a function/,
  );
  const gw = new Pushgateway("http://127.0.0.1:9091", {
    fetch: () => Promise.reject(new Error("must not be called")),
  });
  assert.throws(() => gw.url({ job: "a\uD800" }), /job "a\\ud800" holds a lone UTF-16 surrogate/);
  await assert.rejects(
    gw.push({ job: "j", groupingKey: { instance: "\uDC00x" } }),
    /grouping label "instance" .* lone UTF-16 surrogate/,
  );
  assert.match(gw.url({ job: "\u{1F600}" }), /\/metrics\/job\/%F0%9F%98%80$/);
});
