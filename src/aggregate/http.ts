/**
 * Transport over HTTP: a source POSTs its state to any aggregator process;
 * the receiving side is a fetch handler (`Request -> Response`).
 * @module
 */

import { createMetricsHandler, type MetricsHandlerOptions } from "../http/handler.ts";
import type { Aggregator } from "./aggregator.ts";
import { StateError } from "./_codec.ts";

/** The Content-Type of a state message. */
export const STATE_CONTENT_TYPE = "application/x-promedge-state";

/** Options of {@link httpSender}. */
export interface HttpSenderOptions {
  /** Extra request headers (e.g. authorization). */
  headers?: Readonly<Record<string, string>>;
  /** The fetch to use (default: the global one; on workerd, a service binding's `fetch`). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

/**
 * A `send` for {@link AggregationSource} that POSTs to `url`; it rejects
 * with the URL and status when the aggregator refuses.
 */
export function httpSender(
  url: string,
  options: HttpSenderOptions = {},
): (state: Uint8Array) => Promise<void> {
  const f = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
  return async (state) => {
    let res: Response;
    try {
      res = await f(url, {
        method: "POST",
        headers: { "content-type": STATE_CONTENT_TYPE, ...options.headers },
        body: state as Uint8Array<ArrayBuffer>,
      });
    } catch (e) {
      throw new Error(`Sending state to ${url} failed: ${e instanceof Error ? e.message : e}`);
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`Aggregator at ${url} answered ${res.status}: ${text.trim()}`);
  };
}

/** Options of {@link createIngestHandler}. */
export interface IngestHandlerOptions {
  /** The largest body taken, in bytes (default 16 MiB); larger ones get 413. */
  maxBytes?: number;
}

function reply(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/**
 * A fetch handler that takes POSTed states: 200 with the result (`accepted`,
 * `stale`, `forgotten`, and any conflicts), 400 for a body that is not a
 * state, 405 for other methods, 413 for a body over `maxBytes`.
 */
export function createIngestHandler(
  aggregator: Aggregator,
  options: IngestHandlerOptions = {},
): (req: Request) => Promise<Response> {
  const max = options.maxBytes ?? 16 * 1024 * 1024;
  return async (req) => {
    if (req.method !== "POST") return reply(405, "POST a state here", { allow: "POST" });
    const declared = Number(req.headers.get("content-length"));
    if (declared > max) return reply(413, `A state may be at most ${max} bytes`);
    let body: Uint8Array;
    try {
      body = new Uint8Array(await req.arrayBuffer());
    } catch (e) {
      return reply(400, `Could not read the body: ${e instanceof Error ? e.message : e}`);
    }
    if (body.length > max) return reply(413, `A state may be at most ${max} bytes`);
    try {
      const r = aggregator.ingest(body);
      return reply(200, [r.status, ...r.conflicts].join("\n"));
    } catch (e) {
      if (e instanceof StateError) return reply(400, e.message);
      return reply(500, `The aggregator failed: ${e instanceof Error ? e.message : e}`);
    }
  };
}

/** Options of {@link createAggregatorHandler}. */
export interface AggregatorHandlerOptions extends IngestHandlerOptions {
  /** Options of the metrics page (the registry is the aggregator's). */
  metrics?: Omit<MetricsHandlerOptions, "registry">;
}

/**
 * One fetch handler for an aggregator process: POST takes a state, GET and
 * HEAD serve the merged page (text, OpenMetrics, gzip, as the metrics handler).
 *
 * @example
 * ```ts
 * import { Aggregator, createAggregatorHandler } from "./mod.ts";
 * const handle = createAggregatorHandler(new Aggregator());
 * const res = await handle(new Request("http://localhost/metrics"));
 * console.log(res.status); // 200
 * ```
 */
export function createAggregatorHandler(
  aggregator: Aggregator,
  options: AggregatorHandlerOptions = {},
): (req: Request) => Promise<Response> {
  const ingest = createIngestHandler(aggregator, options);
  const page = createMetricsHandler({ ...options.metrics, registry: aggregator.registry });
  return (req) => (req.method === "POST" ? ingest(req) : page(req));
}
