/**
 * The metrics endpoint as a fetch handler: `Request -> Response`, for
 * Deno.serve, Bun.serve, Workers and anything else that speaks fetch.
 * @module
 */

import { checkFormats, type Format, isFormat } from "../exposition/format.ts";
import type { Registry } from "../registry.ts";
import { defaultRegistry } from "../collectors/default.ts";
import { acceptsGzip, FORMATS, negotiate } from "../exposition/negotiate.ts";
import { coalesce, idOf } from "./_coalesce.ts";
import { _pickGzip, type Gzip } from "./_gzip.ts";

/** Options of {@link createMetricsHandler}. */
export interface MetricsHandlerOptions {
  /** The registry to serve (default: the default registry). */
  registry?: Registry;
  /**
   * Serve OpenMetrics 1.0 to scrapers that ask for it (default true). `false`
   * with `formats` listing OpenMetrics throws a TypeError.
   */
  openMetrics?: boolean;
  /**
   * Serve the protobuf exposition to scrapers that rank it first (default
   * true) when it is offered: by a native histogram in the registry, or by
   * `formats`. `false` with `formats` listing protobuf throws a TypeError.
   */
  protobuf?: boolean;
  /**
   * More formats to offer, ahead of OpenMetrics and text: e.g.
   * `[protobufFormat]` from `@promedge/client/protobuf` to serve protobuf
   * without a native histogram. The registry's own (`registry.formats`) are
   * always offered. Anything but an array of Formats throws a TypeError here.
   */
  formats?: readonly Format[];
  /**
   * Write OpenMetrics `_created` samples (default false: Prometheus 2.x keeps
   * each as a series of its own). Protobuf always carries the created time.
   */
  createdTimestamps?: boolean;
  /** gzip the body when the client accepts it (default true). */
  compress?: boolean;
  /** Called with the error when a scrape fails (the response is a 500 either way). */
  onError?: (error: unknown) => void;
}

/** A fetch handler serving metrics. */
export type MetricsHandler = (req: Request) => Promise<Response>;

/**
 * Makes a fetch handler that serves a registry: content negotiation (text
 * 0.0.4, OpenMetrics 1.0, or protobuf when the registry holds a native
 * histogram or `formats` names it), gzip, `name[]` selection, `HEAD`, 405
 * for other methods, and a readable 500 when a collector fails or outlasts
 * the scrape's deadline (`X-Prometheus-Scrape-Timeout-Seconds`, else the
 * registry's `collectTimeoutSeconds`). The body streams once every family
 * has been collected. Scrapes of the same registry asking for the same page
 * (format, `name[]`, gzip or not) while it is being made share it: one
 * collection (collect hooks and collectors run once), one encoding, one
 * compression; a scrape arriving after its last byte was made, or more than
 * a second after it started, gets a new one.
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
  return _metricsHandlerFor(options.registry ?? defaultRegistry, options);
}

/**
 * {@link createMetricsHandler} for a registry the caller always has (the
 * aggregator's): a bundle of it holds neither the default registry nor the
 * default metrics. `options.registry` is ignored. Errors start with `who`,
 * the function and the path of these options in its own (e.g.
 * `"createAggregatorHandler(): metrics."`).
 * @internal
 */
export function _metricsHandlerFor(
  registry: Registry,
  options: MetricsHandlerOptions,
  who = "createMetricsHandler(): ",
): MetricsHandler {
  const { openMetrics = true, protobuf = true, compress = true, onError } = options;
  const served = (f: Format) =>
    (openMetrics || f.name !== "openmetrics") && (protobuf || f.name !== "protobuf");
  const extra = checkFormats(who, options.formats).slice();
  const off = extra.find((f) => !served(f));
  if (off !== undefined) {
    // `who` ends with the options' path: "createAggregatorHandler(): metrics."
    const path = who.slice(who.indexOf(": ") + 2);
    throw new TypeError(
      `${who}formats lists the ${off.name} format, which ${path}${
        off.name === "protobuf" ? "protobuf" : "openMetrics"
      }: false turns off; drop one of the two`,
    );
  }
  let own: unknown = {};
  let offered: readonly Format[] = [];
  const createdTimestamps = options.createdTimestamps === true;
  return async (req: Request): Promise<Response> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("Method Not Allowed\n", {
        status: 405,
        headers: { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" },
      });
    }
    // The registry's formats are one array until a metric comes or goes.
    const now: unknown = registry.formats;
    if (now !== own) {
      own = now;
      // A registry-like object from another copy may have none, or anything.
      const listed = Array.isArray(now) ? now : [];
      offered = [...new Set([...listed, ...extra, ...FORMATS])].filter((f) =>
        isFormat(f) && served(f)
      );
    }
    const format = negotiate(req.headers.get("accept"), offered);
    let names: string[];
    try {
      names = new URL(req.url, "http://localhost").searchParams.getAll("name[]");
    } catch {
      // Deno and Bun build req.url from the Host header: a malformed one
      // (`a b`, `[`, `a:99999`) gives a URL no parser takes.
      return new Response("Bad Request: malformed URL or Host header\n", {
        status: 400,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    const timeoutSeconds = scrapeTimeout(req.headers.get("x-prometheus-scrape-timeout-seconds"));
    const gzip = compress && acceptsGzip(req.headers.get("accept-encoding")) &&
      (gzipper ??= _pickGzip() ?? null) !== null;
    const key = JSON.stringify([idOf(format), createdTimestamps, gzip, [...new Set(names)].sort()]);
    let body: ReadableStream<Uint8Array>;
    try {
      body = await coalesce(registry, key, async () => {
        const page = await registry.stream({ format, names, createdTimestamps, timeoutSeconds });
        return gzip ? gzipper!(page) : page;
      });
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
      "content-type": format.contentType,
      vary: "Accept, Accept-Encoding",
    });
    if (gzip) headers.set("content-encoding", "gzip");
    if (req.method === "HEAD") {
      await body.cancel();
      return new Response(null, { status: 200, headers });
    }
    // workerd compresses a body itself when Content-Encoding is set, unless
    // told it is already encoded; other runtimes ignore the field.
    return new Response(
      body,
      (gzip
        ? { status: 200, headers, encodeBody: "manual" }
        : { status: 200, headers }) as ResponseInit,
    );
  };
}

/** The gzip of this runtime, picked at the first compressed scrape (null: none). */
let gzipper: Gzip | null | undefined;

/** The scraper's timeout from its header, in seconds, or undefined (the registry's default). */
function scrapeTimeout(header: string | null): number | undefined {
  const s = header === null ? NaN : Number(header);
  return s > 0 && s < Infinity ? s : undefined;
}

/**
 * Serves the default registry: `Deno.serve(metricsHandler)`,
 * `Bun.serve({ fetch: metricsHandler })`, `export default { fetch: metricsHandler }`.
 */
export const metricsHandler: MetricsHandler = /* @__PURE__ */ createMetricsHandler();
