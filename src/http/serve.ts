/**
 * `serveMetrics()`: the quick start's `start_http_server(8080)`, on Deno,
 * Bun or Node, chosen at run time.
 * @module
 */

import type { Registry } from "../registry.ts";
import { detectRuntime } from "../platform/runtime.ts";
import { createMetricsHandler, type MetricsHandler } from "./handler.ts";

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** The port; 0 picks a free one (see {@link MetricsServer.port}). */
  port: number;
  /** The address to listen on (default `0.0.0.0`, as the Python client). */
  hostname?: string;
  /** The registry to serve (default: the default registry). */
  registry?: Registry;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

interface DenoServe {
  serve(
    opts: {
      port: number;
      hostname: string;
      signal: AbortSignal;
      onListen?: (a: { port: number }) => void;
    },
    handler: MetricsHandler,
  ): { addr: { port: number }; finished: Promise<void> };
}

interface BunServe {
  serve(
    opts: { port: number; hostname: string; fetch: MetricsHandler },
  ): { port: number; stop(force?: boolean): Promise<void> | void };
}

interface NodeHttp {
  createServer(
    listener: (req: NodeReq, res: NodeRes) => void,
  ): {
    listen(port: number, hostname: string, cb: () => void): void;
    once(event: "error", cb: (e: Error) => void): void;
    on(event: "connect", cb: (req: unknown, socket: { end(data: string): void }) => void): void;
    address(): { port: number } | string | null;
    close(cb: () => void): void;
    closeAllConnections?(): void;
  };
}
interface NodeReq {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}
interface NodeRes {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  writeHead(status: number, headers: Record<string, string>): void;
  write(chunk: Uint8Array): boolean;
  end(body?: string): void;
  once(event: "drain" | "close", cb: () => void): void;
  off(event: "drain" | "close", cb: () => void): void;
  destroy(): void;
}

/**
 * Serves metrics on every path of `hostname:port` with `Deno.serve`,
 * `Bun.serve` or `node:http`, whichever this runtime has.
 *
 * @example
 * ```ts
 * import { Registry, serveMetrics } from "../../mod.ts";
 * const server = await serveMetrics({ port: 0, hostname: "127.0.0.1", registry: new Registry() });
 * const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
 * console.log(res.status); // 200
 * await res.body?.cancel();
 * await server.close();
 * ```
 */
export async function serveMetrics(options: ServeMetricsOptions): Promise<MetricsServer> {
  const { port, hostname = "0.0.0.0", registry } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `serveMetrics(): port must be a whole number from 0 to 65535, got ${port}`,
    );
  }
  const handler = createMetricsHandler({ registry });
  const { runtime } = detectRuntime();
  if (runtime !== "deno" && runtime !== "bun" && runtime !== "node") {
    throw new Error(
      `serveMetrics() needs Deno, Bun or Node; on ${runtime} export the handler instead: export default { fetch: metricsHandler }`,
    );
  }
  try {
    return await _listen(runtime, port, hostname, handler);
  } catch (e) {
    // Deno says only "Address already in use"; Bun blames the port for a bad host too.
    throw new Error(
      `serveMetrics(): cannot listen on ${hostname}:${port}: ${
        e instanceof Error ? e.message : e
      }; pick a free port (0 for any) and an address of this machine`,
      { cause: e },
    );
  }
}

/** Listens with the runtime's own server. */
async function _listen(
  runtime: "deno" | "bun" | "node",
  port: number,
  hostname: string,
  handler: MetricsHandler,
): Promise<MetricsServer> {
  const g = globalThis as { Deno?: DenoServe; Bun?: BunServe };
  if (runtime === "deno") {
    // shutdown() waits for every response to be read: a scraper that stops
    // reading would hold close() forever. The signal closes the connections.
    const stop = new AbortController();
    const server = g.Deno!.serve({ port, hostname, signal: stop.signal, onListen() {} }, handler);
    return {
      port: server.addr.port,
      close: () => {
        stop.abort();
        return server.finished;
      },
    };
  }
  if (runtime === "bun") {
    const server = g.Bun!.serve({ port, hostname, fetch: handler });
    return {
      port: server.port,
      close: async () => {
        await server.stop(true);
      },
    };
  }
  return await serveNode(port, hostname, handler);
}

async function serveNode(
  port: number,
  hostname: string,
  handler: MetricsHandler,
): Promise<MetricsServer> {
  const http = await import("node:http") as unknown as NodeHttp;
  const server = http.createServer((req, res) => {
    _answerNode(req, res, handler);
  });
  // node:http hands CONNECT to this event and, without a listener, drops
  // the connection without a word.
  server.on("connect", (_req, socket) => {
    socket.end(
      "HTTP/1.1 405 Method Not Allowed\r\nallow: GET, HEAD\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, resolve);
  });
  const addr = server.address();
  return {
    port: typeof addr === "object" && addr ? addr.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * The fetch `Request` for a node:http request, or the status to answer
 * instead: 400 for a target or Host no URL parser takes, 405 for a method
 * fetch refuses to carry (TRACE, TRACK, CONNECT) or an invalid one.
 */
function _toRequest(req: NodeReq): Request | 400 | 405 {
  const target = req.url ?? "/";
  const host = req.headers.host;
  let url: URL;
  const headers = new Headers();
  try {
    url = target.startsWith("/")
      ? new URL(`http://${(typeof host === "string" && host) || "localhost"}${target}`)
      : new URL(target); // absolute form: GET http://host/path HTTP/1.1
    url.username = url.password = ""; // fetch refuses a URL with credentials (Host: u@a)
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    }
  } catch {
    return 400;
  }
  try {
    return new Request(url, { method: req.method, headers });
  } catch {
    return 405;
  }
}

/** Answers one node:http request; never throws, never rejects. */
async function _answerNode(req: NodeReq, res: NodeRes, handler: MetricsHandler): Promise<void> {
  try {
    const request = _toRequest(req);
    if (typeof request === "number") {
      res.writeHead(
        request,
        request === 405
          ? { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }
          : { "content-type": "text/plain; charset=utf-8" },
      );
      res.end(
        request === 405 ? "Method Not Allowed\n" : "Bad Request: malformed URL or Host header\n",
      );
      return;
    }
    const r = await handler(request);
    const head: Record<string, string> = {};
    r.headers.forEach((v, k) => head[k] = v);
    res.writeHead(r.status, head);
    if (r.body) await _pipe(r.body, res);
    else res.end();
  } catch {
    // Only a bug gets here; the client gets a 500 or, mid-body, a cut connection.
    try {
      if (res.headersSent) res.destroy();
      else {
        res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end();
      }
    } catch {
      res.destroy();
    }
  }
}

/** Writes a body as it comes, waiting for the socket to drain; stops when the client goes. */
async function _pipe(body: ReadableStream<Uint8Array>, res: NodeRes): Promise<void> {
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) {
      await new Promise<void>((resolve) => {
        const go = () => {
          res.off("drain", go);
          res.off("close", go);
          resolve();
        };
        res.once("drain", go);
        res.once("close", go);
      });
    }
    if (res.destroyed) {
      await reader.cancel().catch(() => {});
      return;
    }
  }
  res.end();
}
