/**
 * Hono entry: a metrics handler and a request-metrics middleware.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { httpMetrics, metrics } from "./hono.ts";
 * import { Registry } from "../../mod.ts";
 * const registry = new Registry();
 * const app = new Hono();
 * app.use(httpMetrics({ registry, skip: ["/metrics"] }));
 * app.get("/users/:id", (c) => c.text("hi"));
 * app.get("/metrics", metrics({ registry }));
 * await app.request("/users/42");
 * const res = await app.request("/metrics");
 * console.log(await res.text()); // ... http_requests_total{method="GET",route="/users/:id",status="200"} 1
 * ```
 * @module
 */

import type * as hono from "hono";
/**
 * Hono's context (documented by Hono).
 * @ignore
 */
export type Context = hono.Context;
/**
 * Hono's handler type (documented by Hono).
 * @ignore
 */
export type Handler = hono.Handler;
/**
 * Hono's middleware type (documented by Hono).
 * @ignore
 */
export type MiddlewareHandler = hono.MiddlewareHandler;
import { matchedRoutes } from "hono/route";
import { Counter } from "../metrics/counter.ts";
import { Histogram } from "../metrics/histogram.ts";
import type { ExemplarLabels } from "../metrics/_exemplar.ts";
import { traceparentLabels } from "./traceparent.ts";
import type { Registry } from "../registry.ts";
import { defaultRegistry } from "../collectors/default.ts";
import { createMetricsHandler, type MetricsHandlerOptions } from "./handler.ts";

/**
 * A Hono handler serving a registry, with the same negotiation and exact
 * Content-Type as {@link createMetricsHandler}: `app.get("/metrics", metrics())`.
 */
export function metrics(options: MetricsHandlerOptions = {}): Handler {
  const handler = createMetricsHandler(options);
  return (c: Context) => handler(c.req.raw);
}

/** Options of {@link httpMetrics}. */
export interface HttpMetricsOptions {
  /** The registry for the two metrics (default: the default registry). */
  registry?: Registry;
  /** Histogram buckets for the duration (default: the usual 5 ms to 10 s). */
  buckets?: readonly number[];
  /** Paths not to count (exact request paths), or a test on the context. */
  skip?: readonly string[] | ((c: Context) => boolean);
  /**
   * Extra labels, each computed from the context; keep their values few. A
   * number or boolean is written as text; a function that throws or returns
   * anything else (`undefined`, `null`, an object) gives `""`, which
   * Prometheus reads as the label being absent.
   */
  extraLabels?: Readonly<Record<string, (c: Context) => string>>;
  /** A prefix for both metric names. */
  prefix?: string;
  /**
   * Exemplars on both metrics, linking each request's count and duration to
   * its trace. `true` reads the W3C `traceparent` header (see
   * {@link traceparentLabels}) and records its `trace_id` and `span_id`; a
   * function returns exemplar labels from the context (read when the
   * response is ready), or `undefined` for none. A request without them,
   * with an invalid header, or whose function throws or returns labels the
   * exemplar rules reject, is counted without an exemplar. Prometheus reads
   * them from OpenMetrics with `--enable-feature=exemplar-storage`.
   */
  exemplars?: boolean | ((c: Context) => ExemplarLabels | undefined);
  /**
   * The most label sets each of the two metrics keeps (default
   * {@link DEFAULT_HTTP_MAX_SERIES}); requests past it count in the overflow
   * series (see `MetricOptions.maxSeries`). `Infinity` for no cap.
   */
  maxSeries?: number;
  /** Write the status as its class, `2xx`, `4xx`, ..., instead of `200`, `404`, ... */
  groupStatus?: boolean;
}

/**
 * The default cap on the series of each metric of {@link httpMetrics}: with
 * 12 histogram buckets, at most some 30,000 samples per scrape, whatever
 * `extraLabels` are fed.
 */
export const DEFAULT_HTTP_MAX_SERIES = 2000;

/** The label `route` takes when no route matched (a 404 from Hono itself). */
export const UNMATCHED_ROUTE = "unmatched";

/** The label `method` takes for a method outside {@link KNOWN_METHODS}. */
export const OTHER_METHOD = "other";

/** The methods that keep their name in the `method` label (any letter case, written upper case). */
export const KNOWN_METHODS: readonly string[] = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "CONNECT",
  "OPTIONS",
  "TRACE",
  "PATCH",
];
const _known = new Set(KNOWN_METHODS);

/**
 * Middleware that counts `http_requests_total{method,route,status}` and
 * observes `http_request_duration_seconds{method,route,status}`, with the
 * route pattern (`/users/:id`), never the raw path, so the series stay few.
 *
 * The status is that of the response sent (an `HTTPException(401)` counts as
 * 401); an error that escapes the app's `onError` counts as 500. A method
 * outside {@link KNOWN_METHODS} is `other`. A streamed response (Hono's
 * `streamSSE()` and `streamText()`: `Transfer-Encoding: chunked` or
 * `text/event-stream`) is counted when its headers are ready and its duration
 * runs to the end of the body, or until the client goes away; other responses
 * are measured to the response. Metrics never fail the request: a route that
 * cannot be read (a second copy of Hono) is `unmatched`, a failing `skip`
 * test counts the request. Each metric keeps at most `maxSeries` label sets
 * (default {@link DEFAULT_HTTP_MAX_SERIES}); past it, requests count in the
 * series whose labels are all `__overflow__`.
 */
export function httpMetrics(options: HttpMetricsOptions = {}): MiddlewareHandler {
  const registry = options.registry ?? defaultRegistry;
  const prefix = options.prefix ?? "";
  const extra = options.extraLabels ?? {};
  for (const [k, f] of Object.entries(extra)) {
    if (typeof f !== "function") {
      throw new TypeError(
        `httpMetrics(): extraLabels.${k} must be a function of the context, e.g. (c) => c.req.header("x-tenant") ?? ""`,
      );
    }
  }
  const exemplarsOf = _exemplarSource(options.exemplars);
  const cap = options.maxSeries ?? DEFAULT_HTTP_MAX_SERIES;
  const maxSeries = cap === Infinity ? undefined : cap;
  const groupStatus = options.groupStatus === true;
  const extraNames = Object.keys(extra);
  const labelNames = ["method", "route", "status", ...extraNames];
  const requests = new Counter<string>({
    name: prefix + "http_requests_total",
    help: "HTTP requests handled, by method, route pattern and status.",
    labelNames,
    registry,
    maxSeries,
  });
  const duration = new Histogram<string>({
    name: prefix + "http_request_duration_seconds",
    help: "HTTP request duration in seconds, by method, route pattern and status.",
    labelNames,
    buckets: options.buckets,
    registry,
    maxSeries,
  });
  const skip = options.skip;
  const skipped = typeof skip === "function"
    ? skip
    : skip && skip.length > 0
    ? ((set) => (c: Context) => set.has(c.req.path))(new Set(skip))
    : undefined;

  return async (c, next) => {
    let skipIt = false;
    try {
      skipIt = Boolean(skipped?.(c));
    } catch {
      // a failing skip test counts the request
    }
    if (skipIt) return next();
    const start = performance.now();
    let threw = false;
    try {
      await next();
    } catch (e) {
      threw = true;
      throw e;
    } finally {
      try {
        // Not finalized: Hono answers "Context is not finalized" with a 500.
        const status = threw || !c.finalized ? 500 : c.res.status;
        const labels: Record<string, string> = {
          method: _method(c.req.method),
          route: _route(c, status),
          status: groupStatus ? _statusClass(status) : String(status),
        };
        for (const k of extraNames) labels[k] = _labelValue(extra[k], c);
        const ex = exemplarsOf && _exemplarLabels(exemplarsOf, c);
        if (ex === undefined) requests.inc(labels);
        else {
          try {
            requests.incWithExemplar(labels, { value: 1, exemplarLabels: ex });
          } catch {
            requests.inc(labels); // labels the exemplar rules reject: count it without
          }
        }
        const observe = () => {
          try {
            const value = (performance.now() - start) / 1000;
            if (ex === undefined) duration.observe(labels, value);
            else {
              try {
                duration.observeWithExemplar(labels, { value, exemplarLabels: ex });
              } catch {
                duration.observe(labels, value);
              }
            }
          } catch {
            // never fail (or crash) the request
          }
        };
        const body = threw || !c.finalized || c.req.method === "HEAD" ? null : c.res.body;
        if (body && _streamed(c.res.headers)) {
          const res = c.res;
          const wrapped = new Response(_onEnd(body, observe), res);
          c.res = undefined; // so Hono does not copy the headers onto themselves
          c.res = wrapped;
        } else observe();
      } catch {
        // Metrics never fail the request they measure.
      }
    }
  };
}

/** The function that reads a request's exemplar labels, from the `exemplars` option. */
function _exemplarSource(
  opt: HttpMetricsOptions["exemplars"],
): ((c: Context) => unknown) | undefined {
  if (opt === undefined || opt === false) return undefined;
  if (opt === true) return (c) => traceparentLabels(c.req.header("traceparent"));
  if (typeof opt === "function") return opt;
  throw new TypeError(
    "httpMetrics(): exemplars must be true (read the traceparent header) or a function of " +
      'the context returning exemplar labels, e.g. (c) => ({ trace_id: c.get("traceId") })',
  );
}

/** A request's exemplar labels, or undefined: a throwing function or a non-object gives none. */
function _exemplarLabels(f: (c: Context) => unknown, c: Context): ExemplarLabels | undefined {
  let v: unknown;
  try {
    v = f(c);
  } catch {
    return undefined;
  }
  return v !== null && typeof v === "object" ? v as ExemplarLabels : undefined;
}

/** `2xx` for 200-299, and so on. */
function _statusClass(status: number): string {
  return Math.floor(status / 100) + "xx";
}

/** The method as a label value: a known one in upper case, anything else `other`. */
function _method(m: unknown): string {
  if (typeof m !== "string") return OTHER_METHOD;
  if (_known.has(m)) return m;
  const up = m.length <= 7 ? m.toUpperCase() : "";
  return _known.has(up) ? up : OTHER_METHOD;
}

/** A label value from a user function: text, a number or boolean as text, else `""`. */
function _labelValue(f: (c: Context) => unknown, c: Context): string {
  let v: unknown;
  try {
    v = f(c);
  } catch {
    return "";
  }
  if (typeof v === "string") return _wellFormed(v);
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return "";
}

/** Lone surrogates (no UTF-8 form) become U+FFFD rather than failing the label. */
function _wellFormed(s: string): string {
  const w = (s as { toWellFormed?: () => string }).toWellFormed;
  return typeof w === "function" ? w.call(s) : s;
}

/** Whether a response is declared streamed: chunked, or server-sent events. */
function _streamed(h: Headers): boolean {
  return /chunked/i.test(h.get("transfer-encoding") ?? "") ||
    /^\s*text\/event-stream/i.test(h.get("content-type") ?? "");
}

/** The body as it comes, one chunk per read (nothing buffered); `end` runs once at its end. */
function _onEnd(body: ReadableStream<Uint8Array>, end: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const once = () => {
    if (!ended) {
      ended = true;
      end();
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        once();
        ctrl.error(e);
        return;
      }
      if (chunk.done) {
        once();
        ctrl.close();
      } else ctrl.enqueue(chunk.value);
    },
    cancel(reason) {
      once();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

type _Route = { path?: unknown; method?: unknown; handler?: unknown };

/** The pattern of the route that answered, or {@link UNMATCHED_ROUTE}; never throws. */
function _route(c: Context, status: number): string {
  let routes: unknown;
  try {
    routes = matchedRoutes(c);
  } catch {
    // The app runs on another copy of Hono (say jsr:@hono/hono beside npm:hono),
    // whose request keeps its match under a symbol this copy does not know. Its
    // own (deprecated) getter still reads it.
    try {
      routes = (c.req as unknown as { matchedRoutes?: unknown }).matchedRoutes;
    } catch {
      return UNMATCHED_ROUTE;
    }
  }
  if (!Array.isArray(routes)) return UNMATCHED_ROUTE;
  const r = routes[c.req.routeIndex] as _Route | undefined;
  if (!r || typeof r.path !== "string") return UNMATCHED_ROUTE;
  // A middleware (it takes `next`) that passed the request on answered
  // nothing itself: Hono's notFound did.
  if (
    r.method === "ALL" && typeof r.handler === "function" && r.handler.length >= 2 &&
    status === 404
  ) {
    return UNMATCHED_ROUTE;
  }
  return _wellFormed(r.path);
}
