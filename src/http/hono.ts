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
import { defaultRegistry, type Registry } from "../registry.ts";
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
  /** Extra labels, each computed from the context; keep their values few. */
  extraLabels?: Readonly<Record<string, (c: Context) => string>>;
  /** A prefix for both metric names. */
  prefix?: string;
}

/** The label `route` takes when no route matched (a 404 from Hono itself). */
export const UNMATCHED_ROUTE = "unmatched";

/**
 * Middleware that counts `http_requests_total{method,route,status}` and
 * observes `http_request_duration_seconds{method,route,status}`, with the
 * route pattern (`/users/:id`), never the raw path, so the series stay few.
 * A thrown error counts as status 500.
 */
export function httpMetrics(options: HttpMetricsOptions = {}): MiddlewareHandler {
  const registry = options.registry ?? defaultRegistry;
  const prefix = options.prefix ?? "";
  const extra = options.extraLabels ?? {};
  const labelNames = ["method", "route", "status", ...Object.keys(extra)];
  const requests = new Counter<string>({
    name: prefix + "http_requests_total",
    help: "HTTP requests handled, by method, route pattern and status.",
    labelNames,
    registry,
  });
  const duration = new Histogram<string>({
    name: prefix + "http_request_duration_seconds",
    help: "HTTP request duration in seconds, by method, route pattern and status.",
    labelNames,
    buckets: options.buckets,
    registry,
  });
  const skip = options.skip;
  const skipped = typeof skip === "function"
    ? skip
    : skip && skip.length > 0
    ? ((set) => (c: Context) => set.has(c.req.path))(new Set(skip))
    : undefined;

  return async (c, next) => {
    if (skipped?.(c)) return next();
    const start = performance.now();
    let status: number | undefined;
    try {
      await next();
    } catch (e) {
      status = 500;
      throw e;
    } finally {
      const labels: Record<string, string> = {
        method: c.req.method,
        route: route(c),
        status: String(status ?? (c.error ? 500 : c.res.status)),
      };
      for (const k in extra) labels[k] = extra[k](c);
      requests.inc(labels);
      duration.observe(labels, (performance.now() - start) / 1000);
    }
  };
}

/** The pattern of the route that answered, or {@link UNMATCHED_ROUTE}. */
function route(c: Context): string {
  const routes = matchedRoutes(c);
  const r = routes[c.req.routeIndex];
  if (r === undefined) return UNMATCHED_ROUTE;
  // A middleware (it takes `next`) that passed the request on answered
  // nothing itself: Hono's notFound did.
  if (r.method === "ALL" && r.handler.length >= 2 && c.res.status === 404) return UNMATCHED_ROUTE;
  return r.path;
}
