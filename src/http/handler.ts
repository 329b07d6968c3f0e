/**
 * The metrics endpoint as a fetch handler: `Request -> Response`, for
 * Deno.serve, Bun.serve, Workers and anything else that speaks fetch.
 * @module
 */

import {
  defaultRegistry,
  OPENMETRICS_CONTENT_TYPE,
  type Registry,
  TEXT_CONTENT_TYPE,
} from "../registry.ts";
import { acceptsGzip, wantsOpenMetrics } from "../exposition/negotiate.ts";

/** Options of {@link createMetricsHandler}. */
export interface MetricsHandlerOptions {
  /** The registry to serve (default: the default registry). */
  registry?: Registry;
  /** Serve OpenMetrics 1.0 to scrapers that ask for it (default true). */
  openMetrics?: boolean;
  /** gzip the body when the client accepts it (default true). */
  compress?: boolean;
  /** Called with the error when a scrape fails (the response is a 500 either way). */
  onError?: (error: unknown) => void;
}

/** A fetch handler serving metrics. */
export type MetricsHandler = (req: Request) => Promise<Response>;

/**
 * Makes a fetch handler that serves a registry: content negotiation (text
 * 0.0.4 or OpenMetrics 1.0), gzip, `name[]` selection, `HEAD`, 405 for other
 * methods, and a readable 500 when a collector fails.
 *
 * @example
 * ```ts
 * import { createMetricsHandler, Registry } from "../../mod.ts";
 * const handler = createMetricsHandler({ registry: new Registry() });
 * const res = await handler(new Request("http://localhost/metrics"));
 * console.log(res.headers.get("content-type")); // text/plain; version=0.0.4; charset=utf-8
 * ```
 */
export function createMetricsHandler(options: MetricsHandlerOptions = {}): MetricsHandler {
  const { openMetrics = true, compress = true, onError } = options;
  return async (req: Request): Promise<Response> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("Method Not Allowed\n", {
        status: 405,
        headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
      });
    }
    const registry = options.registry ?? defaultRegistry;
    const om = openMetrics && wantsOpenMetrics(req.headers.get("accept"));
    const names = new URL(req.url, "http://localhost").searchParams.getAll("name[]");
    let text: string;
    try {
      text = await registry.metrics({ openMetrics: om, names });
    } catch (e) {
      try {
        onError?.(e);
      } catch {
        // the hook must not turn a 500 into a crash
      }
      return new Response(
        "An error has occurred while serving metrics:\n\n" +
          (e instanceof Error ? e.message : String(e)) + "\n",
        { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } },
      );
    }
    const headers = new Headers({
      "content-type": om ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE,
      vary: "Accept, Accept-Encoding",
    });
    const gzip = compress && typeof CompressionStream === "function" &&
      acceptsGzip(req.headers.get("accept-encoding"));
    if (req.method === "HEAD") {
      if (gzip) headers.set("content-encoding", "gzip");
      return new Response(null, { status: 200, headers });
    }
    if (!gzip) return new Response(text, { status: 200, headers });
    headers.set("content-encoding", "gzip");
    const body = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
    // workerd compresses a body itself when Content-Encoding is set, unless
    // told it is already encoded; other runtimes ignore the field.
    return new Response(body, { status: 200, headers, encodeBody: "manual" } as ResponseInit);
  };
}

/**
 * Serves the default registry: `Deno.serve(metricsHandler)`,
 * `Bun.serve({ fetch: metricsHandler })`, `export default { fetch: metricsHandler }`.
 */
export const metricsHandler: MetricsHandler = /* @__PURE__ */ createMetricsHandler();
