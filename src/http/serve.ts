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
    opts: { port: number; hostname: string; onListen?: (a: { port: number }) => void },
    handler: MetricsHandler,
  ): { addr: { port: number }; shutdown(): Promise<void> };
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
  writeHead(status: number, headers: Record<string, string>): void;
  end(body?: Uint8Array): void;
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
  const g = globalThis as { Deno?: DenoServe; Bun?: BunServe };
  const { runtime } = detectRuntime();
  if (runtime === "deno") {
    const server = g.Deno!.serve({ port, hostname, onListen() {} }, handler);
    return { port: server.addr.port, close: () => server.shutdown() };
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
  if (runtime === "node") return await serveNode(port, hostname, handler);
  throw new Error(
    `serveMetrics() needs Deno, Bun or Node; on ${runtime} export the handler instead: export default { fetch: metricsHandler }`,
  );
}

async function serveNode(
  port: number,
  hostname: string,
  handler: MetricsHandler,
): Promise<MetricsServer> {
  const http = await import("node:http") as unknown as NodeHttp;
  const server = http.createServer((req, res) => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    }
    const request = new Request(`http://${headers.get("host") ?? "localhost"}${req.url ?? "/"}`, {
      method: req.method,
      headers,
    });
    handler(request).then(async (r) => {
      const out: Record<string, string> = {};
      r.headers.forEach((v, k) => out[k] = v);
      res.writeHead(r.status, out);
      res.end(r.body ? new Uint8Array(await r.arrayBuffer()) : undefined);
    }).catch(() => {
      res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end();
    });
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
