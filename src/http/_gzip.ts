/**
 * gzip for a response body, picked once per runtime: a `node:zlib` gzip
 * stream (reached at run time, through `node:stream`'s `Duplex.toWeb`) on
 * Deno, Bun and Node, where at the level chosen here it is two to four times
 * faster than `CompressionStream`; `CompressionStream` on workerd and
 * everywhere else.
 * @module
 */

import { detectRuntime, type Globals } from "../platform/runtime.ts";

/** Turns a byte stream into its gzip encoding. */
export type Gzip = (body: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>;

/**
 * zlib level 2: on a 20,000-series page it writes 1% more bytes than the
 * default level 6 in a third to a sixth of the time (Deno 2.9, Bun 1.4, Node
 * 20). Level 1 is no faster, and Deno's and Bun's zlib make it 50% larger.
 */
const LEVEL = 2;

/** What `_pickGzip` reads of `node:zlib` and `node:stream`. @internal */
export interface NodeModules {
  zlib: { createGzip(options: { level: number }): { destroy(): void } };
  stream: { Duplex: { toWeb(duplex: unknown): ReadableWritablePair<Uint8Array, Uint8Array> } };
}

/** The globals `_pickGzip` reads (tests pass a fake). @internal */
export interface GzipGlobals extends Globals {
  process?: Globals["process"] & { getBuiltinModule?: (id: string) => unknown };
}

/** gzip through `CompressionStream`. */
export const webGzip: Gzip = (body) =>
  body.pipeThrough(
    new CompressionStream("gzip") as ReadableWritablePair<Uint8Array, Uint8Array>,
  );

/**
 * gzip through a `node:zlib` gzip stream, with Node's own adapter to web
 * streams. The adapter passes no cancel on to its writable side, so the pump
 * here is ours: cancelling the result cancels `body` and destroys the gzip
 * stream.
 */
export function zlibGzip(node: NodeModules): Gzip {
  return (body) => {
    const gz = node.zlib.createGzip({ level: LEVEL });
    const { readable, writable } = node.stream.Duplex.toWeb(gz);
    const source = body.getReader();
    const sink = writable.getWriter();
    const out = readable.getReader();
    let cancelled = false;
    (async () => {
      try {
        for (;;) {
          const r = await source.read();
          if (r.done || cancelled) break;
          await sink.write(r.value);
        }
        if (!cancelled) await sink.close();
      } catch (e) {
        if (!cancelled) await sink.abort(e).catch(() => {});
      }
    })();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const r = await out.read();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      async cancel(reason) {
        cancelled = true;
        gz.destroy();
        await Promise.all(
          [source.cancel(reason), out.cancel(reason)].map((p) => p.catch(() => {})),
        );
      },
    }, { highWaterMark: 0 });
  };
}

/**
 * The gzip for these globals: `node:zlib` where `process.getBuiltinModule`
 * gives it, except on workerd (whose `CompressionStream` is native); else
 * `CompressionStream`; undefined where there is neither.
 * @internal
 */
export function _pickGzip(g: GzipGlobals = globalThis as GzipGlobals): Gzip | undefined {
  const runtime = detectRuntime(g).runtime;
  if (runtime === "deno" || runtime === "bun" || runtime === "node") {
    try {
      const p = g.process;
      const zlib = p?.getBuiltinModule?.("node:zlib") as Partial<NodeModules["zlib"]> | undefined;
      const stream = p?.getBuiltinModule?.("node:stream") as
        | Partial<NodeModules["stream"]>
        | undefined;
      if (typeof zlib?.createGzip === "function" && typeof stream?.Duplex?.toWeb === "function") {
        return zlibGzip({ zlib, stream } as NodeModules);
      }
    } catch {
      // no node:zlib here: CompressionStream below
    }
  }
  return typeof CompressionStream === "function" ? webGzip : undefined;
}
