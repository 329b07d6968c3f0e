/**
 * Transport over HTTP: a source POSTs its state to any aggregator process;
 * the receiving side is a fetch handler (`Request -> Response`).
 * @module
 */

import { _metricsHandlerFor, type MetricsHandlerOptions } from "../http/handler.ts";
import type { Aggregator } from "./aggregator.ts";
import { StateError } from "./_codec.ts";
import { type Answer, NoAnswer, request, requestTimeout } from "../_fetch.ts";

/** The Content-Type of a state message. */
export const STATE_CONTENT_TYPE = "application/x-promedge-state";

/** Options of {@link httpSender}. */
export interface HttpSenderOptions {
  /** Extra request headers (e.g. authorization). */
  headers?: Readonly<Record<string, string>>;
  /**
   * The fetch to use (default: the global one; on workerd, a service
   * binding's `fetch`). It gets the state as a Blob, which Node's fetch can
   * send again when it follows a 307/308.
   */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /**
   * Milliseconds before a send is given up (default 10,000), so a flush never
   * waits on an aggregator that does not answer; `Infinity` waits as long as
   * it takes. Values above 2**31-1 (about 24.8 days, the longest timer) are
   * taken as that.
   */
  timeout?: number;
}

/**
 * A `send` for {@link AggregationSource} that POSTs to `url`; it rejects
 * with the URL and status when the aggregator refuses, and with the URL and
 * the timeout when nothing answers in time. At most 64 KiB of a reply are read.
 */
export function httpSender(
  url: string,
  options: HttpSenderOptions = {},
): (state: Uint8Array) => Promise<void> {
  const timeout = requestTimeout("httpSender()", options.timeout);
  const doFetch = (options.fetch ?? fetch) as typeof fetch;
  return async (state) => {
    let res: Answer;
    try {
      // request() sends the bytes as a Blob, which Node's fetch can resend on a 307/308.
      res = await request(doFetch, url, {
        method: "POST",
        headers: { "content-type": STATE_CONTENT_TYPE, ...options.headers },
        body: state as Uint8Array<ArrayBuffer>,
      }, timeout);
    } catch (e) {
      if (e instanceof NoAnswer && e.timedOut) {
        throw new Error(`Sending state to ${url}: no answer within ${timeout} ms (timeout)`, {
          cause: e.cause,
        });
      }
      throw new Error(`Sending state to ${url} failed: ${e instanceof Error ? e.message : e}`, {
        cause: e,
      });
    }
    if (!res.ok) {
      throw new Error(`Aggregator at ${url} answered ${res.status}: ${res.reply.trim()}`);
    }
  };
}

/** Options of {@link createIngestHandler}. */
export interface IngestHandlerOptions {
  /** The largest body taken, in bytes (default 16 MiB); larger ones get 413. */
  maxBytes?: number;
  /** How long a body may take to arrive, in ms (default 30000); a slower one gets 408. */
  readTimeoutMs?: number;
}

function reply(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/** Content types a state may come with (none at all is taken too). */
const TYPES = [STATE_CONTENT_TYPE, "application/octet-stream"];

/**
 * The body, read up to `max` bytes within `ms`; a Response when it cannot
 * be (413 too large, 408 too slow, 400 broken), the rest of the body cancelled.
 */
async function readBody(req: Request, max: number, ms: number): Promise<Uint8Array | Response> {
  const reader = req.body?.getReader();
  if (reader === undefined) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), ms));
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), late]);
      if (next === "late") return reply(408, `The state did not arrive within ${ms} ms`);
      if (next.done) break;
      size += next.value.length;
      if (size > max) return reply(413, `A state may be at most ${max} bytes`);
      parts.push(next.value);
    }
  } catch (e) {
    return reply(400, `Could not read the body: ${e instanceof Error ? e.message : e}`);
  } finally {
    clearTimeout(timer);
    // Whatever is left (too large, too slow) is not wanted; a finished stream ignores this.
    reader.cancel().catch(() => {});
  }
  if (parts.length === 1) return parts[0];
  const body = new Uint8Array(size);
  let at = 0;
  for (const p of parts) body.set(p, at), at += p.length;
  return body;
}

/**
 * A fetch handler that takes POSTed states: 200 with the result (`accepted`,
 * `stale`, `forgotten`, and any conflicts); 400 for a body that is not a
 * state; 405 for other methods; 408 for a body slower than `readTimeoutMs`;
 * 413 for one over `maxBytes`; 415 for a Content-Type other than
 * `application/x-promedge-state` or `application/octet-stream`. Nothing is
 * recorded from a refused message.
 */
export function createIngestHandler(
  aggregator: Aggregator,
  options: IngestHandlerOptions = {},
): (req: Request) => Promise<Response> {
  const max = options.maxBytes ?? 16 * 1024 * 1024;
  const ms = options.readTimeoutMs ?? 30_000;
  return async (req) => {
    if (req.method !== "POST") return reply(405, "POST a state here", { allow: "POST" });
    const type = req.headers.get("content-type");
    if (type !== null && !TYPES.includes(type.split(";")[0].trim().toLowerCase())) {
      await req.body?.cancel().catch(() => {});
      return reply(
        415,
        `A state is sent as ${STATE_CONTENT_TYPE}, not ${JSON.stringify(type.slice(0, 100))}`,
      );
    }
    if (Number(req.headers.get("content-length")) > max) {
      await req.body?.cancel().catch(() => {});
      return reply(413, `A state may be at most ${max} bytes`);
    }
    const body = await readBody(req, max, ms);
    if (body instanceof Response) return body;
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
 * One fetch handler for an aggregator process: POST takes a state (as
 * {@link createIngestHandler}), GET and HEAD serve the merged page (text,
 * OpenMetrics, and protobuf once it holds a histogram family, which may carry
 * native parts; gzip; as the metrics handler); other methods get 405.
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
  const page = _metricsHandlerFor(
    aggregator.registry,
    options.metrics ?? {},
    "createAggregatorHandler(): metrics.",
  );
  return (req) => {
    if (req.method === "POST") return ingest(req);
    if (req.method === "GET" || req.method === "HEAD") return page(req);
    return Promise.resolve(
      reply(405, "GET or HEAD the page, POST a state", { allow: "GET, HEAD, POST" }),
    );
  };
}
