import { test } from "node:test";
import assert from "node:assert/strict";
import { _pickGzip, type NodeModules, webGzip, zlibGzip } from "../src/http/_gzip.ts";

const builtin = (globalThis as unknown as { process: { getBuiltinModule(id: string): unknown } })
  .process.getBuiltinModule;
const node = {
  zlib: builtin("node:zlib"),
  stream: builtin("node:stream"),
} as NodeModules;

const bytes = (s: string) => new TextEncoder().encode(s);
const streamOf = (...chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    pull(c) {
      const x = chunks.shift();
      if (x) c.enqueue(x);
      else c.close();
    },
  });
const gunzip = (body: ReadableStream<Uint8Array>): Promise<string> =>
  new Response(
    body.pipeThrough(
      new DecompressionStream("gzip") as ReadableWritablePair<Uint8Array, Uint8Array>,
    ),
  ).text();

test("_pickGzip() uses node:zlib on Deno, Bun and Node", () => {
  const gz = _pickGzip();
  assert.ok(gz !== undefined);
  assert.notEqual(gz, webGzip);
});

test("_pickGzip() keeps CompressionStream on workerd, though it has node:zlib", () => {
  const workerd = {
    navigator: { userAgent: "Cloudflare-Workers" },
    process: { versions: { node: "22.0.0" }, getBuiltinModule: builtin },
  };
  assert.equal(_pickGzip(workerd), webGzip);
});

test("_pickGzip() falls back to CompressionStream where node:zlib is out of reach", () => {
  const versions = { node: "20.0.0" };
  assert.equal(_pickGzip({ process: { versions } }), webGzip);
  const throwing = () => {
    throw new Error("no such module");
  };
  assert.equal(_pickGzip({ process: { versions, getBuiltinModule: throwing } }), webGzip);
  assert.equal(_pickGzip({ process: { versions, getBuiltinModule: () => ({}) } }), webGzip);
});

test("zlibGzip() writes a gzip stream of every piece, in order", async () => {
  const pieces = Array.from({ length: 50 }, (_, i) => `line_${i} ${"x".repeat(i * 100)}\n`);
  const out = zlibGzip(node)(streamOf(...pieces.map(bytes)));
  assert.equal(await gunzip(out), pieces.join(""));
  assert.equal(await gunzip(zlibGzip(node)(streamOf())), "", "an empty page is a valid gzip");
});

test("zlibGzip() passes on an error of its source, and cancelling it cancels the source", async () => {
  const failing = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes("a"));
      c.error(new Error("writer broke"));
    },
  });
  await assert.rejects(gunzip(zlibGzip(node)(failing)), /writer broke/);
  let pulled = 0;
  let cancelled = false;
  const big = new ReadableStream<Uint8Array>({
    pull(c) {
      if (++pulled > 2000) c.close(); // 128 MB, were it read to the end
      else c.enqueue(bytes(String(pulled).repeat(20000)));
    },
    cancel() {
      cancelled = true;
    },
  });
  const reader = zlibGzip(node)(big).getReader();
  await reader.read();
  await reader.cancel("client left");
  for (let i = 0; i < 100 && !cancelled; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(cancelled, "the source was cancelled");
  assert.ok(pulled < 200, `${pulled} source chunks read`);
});
