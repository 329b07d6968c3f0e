/**
 * Pushgateway client over `fetch`, for batch jobs and edge functions that
 * live too briefly to be scraped: the package's `./push` entry
 * (`import { Pushgateway } from "jsr:@promedge/client/push"`).
 * @module
 */

import { credentialsToHeader, NoAnswer, request, requestTimeout } from "../_fetch.ts";
import { MAX_TIMER_MS } from "../_timers.ts";
import { checkLabelName, loneSurrogateAt } from "../_names.ts";
import { checkOptions } from "../_options.ts";
import type { Registry } from "../registry.ts";
import { defaultRegistry } from "../collectors/default.ts";
import { TEXT_CONTENT_TYPE } from "../exposition/text.ts";

/** Options of a {@link Pushgateway}. */
export interface PushgatewayOptions {
  /** The registry to push (default: the default registry). */
  registry?: Registry;
  /** Headers for every request, e.g. `{ authorization: "Bearer ..." }`. */
  headers?: HeadersInit;
  /**
   * Milliseconds before a request is given up (default 10,000); `Infinity`
   * waits as long as the gateway takes. Values above 2**31-1 (about 24.8
   * days, the longest timer the runtimes keep) are taken as that.
   */
  timeout?: number;
  /**
   * The fetch to use (default: the global one). A gzip body comes as a Blob,
   * which Node's fetch can send again when it follows a 307/308.
   */
  fetch?: typeof fetch;
  /** gzip the body (default false). */
  compress?: boolean;
}

/** Which group a push, push-add or delete addresses. */
export interface PushTarget {
  /** The job name; any non-empty text. */
  job: string;
  /** More grouping labels, e.g. `{ instance: "host-a" }`; values may be any text. */
  groupingKey?: Readonly<Record<string, string>>;
}

/** The base64url form of UTF-8 text, without padding. */
function base64url(s: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(s)) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * One path segment pair: `name/value`, or `name@base64/...` where a value
 * needs it: empty (`=`), holding a `/`, or a dot segment (`.` `..`) that a
 * URL parser would resolve away (percent-encoding does not stop that).
 */
function segment(name: string, value: string): string {
  if (value === "") return `${name}@base64/=`;
  if (value.includes("/") || value === "." || value === "..") {
    return `${name}@base64/${base64url(value)}`;
  }
  return `${name}/${encodeURIComponent(value)}`;
}

/** Throws unless `value` is well-formed UTF-16 (a lone surrogate has no UTF-8 form). */
function checkText(what: string, value: string): void {
  if (loneSurrogateAt(value) >= 0) {
    throw new TypeError(
      `Pushgateway: ${what} ${JSON.stringify(value)} holds a lone UTF-16 surrogate, ` +
        "which has no UTF-8 form; pass well-formed text",
    );
  }
}

/**
 * A Pushgateway: `push` (PUT, replaces the group), `pushAdd` (POST, replaces
 * only the metrics with the names pushed) and `delete` (DELETE, removes the
 * group). Built on `fetch` alone: it runs on Deno, Bun, Node and workerd.
 *
 * @example
 * ```ts
 * import { Counter, Registry } from "../../mod.ts";
 * import { Pushgateway } from "./pushgateway.ts";
 * const registry = new Registry();
 * new Counter({ name: "rows_total", help: "Rows loaded.", registry }).inc(42);
 * const gw = new Pushgateway("http://127.0.0.1:9", { registry, timeout: 2000 });
 * await gw.push({ job: "nightly/etl", groupingKey: { instance: "a" } })
 *   .catch((e) => console.log(e.message)); // no gateway there: the error says so
 * ```
 */
export class Pushgateway {
  readonly #base: string;
  readonly #opts: PushgatewayOptions & { timeout: number };
  readonly #headers: Headers;

  /** `url` is the gateway's base URL, e.g. `http://pushgateway:9091`. */
  constructor(url: string, options: PushgatewayOptions = {}) {
    checkOptions("Pushgateway", options, ["registry", "headers", "timeout", "fetch", "compress"]);
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TypeError(
        `Pushgateway: ${JSON.stringify(url)} is not a URL; give e.g. "http://127.0.0.1:9091"`,
      );
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new TypeError(`Pushgateway: ${url} must be an http or https URL`);
    }
    if (u.search !== "" || u.hash !== "") {
      throw new TypeError(
        `Pushgateway: ${url} has a query or fragment; give the gateway's base URL, e.g. "http://127.0.0.1:9091"`,
      );
    }
    const timeout = requestTimeout("Pushgateway", options.timeout);
    if (options.fetch !== undefined && typeof options.fetch !== "function") {
      throw new TypeError("Pushgateway: fetch must be a function like the global fetch");
    }
    let headers: Headers;
    try {
      headers = new Headers(options.headers);
    } catch (e) {
      throw new TypeError(`Pushgateway: bad headers option: ${e instanceof Error ? e.message : e}`);
    }
    // fetch refuses a URL with credentials (Node: "Request cannot be constructed
    // from a URL that includes credentials"): send them as Basic auth instead.
    credentialsToHeader(u, headers);
    this.#base = u.href.replace(/\/+$/, "");
    this.#opts = {
      ...options,
      timeout: timeout === Infinity ? Infinity : Math.min(timeout, MAX_TIMER_MS),
    };
    this.#headers = headers;
  }

  /** The URL a target maps to; throws on an empty job or a bad label name. */
  url(target: PushTarget): string {
    const { job, groupingKey = {} } = target ?? {};
    if (typeof job !== "string" || job === "") {
      throw new TypeError(
        'Pushgateway: job must be a non-empty string, e.g. { job: "nightly-etl" }',
      );
    }
    checkText("job", job);
    let path = "/metrics/" + segment("job", job);
    for (const [name, value] of Object.entries(groupingKey)) {
      checkLabelName("pushgateway grouping key", name);
      if (name === "job") {
        throw new TypeError("Pushgateway: give the job as `job`, not in groupingKey");
      }
      if (typeof value !== "string") {
        throw new TypeError(`Pushgateway: grouping label "${name}" must be a string`);
      }
      checkText(`grouping label "${name}"`, value);
      path += "/" + segment(name, value);
    }
    return this.#base + path;
  }

  /** Replaces every metric of the group with the registry's (HTTP PUT). */
  push(target: PushTarget): Promise<void> {
    return this.#send("PUT", target, true);
  }

  /** Replaces only the metrics with the names pushed, keeping the rest (HTTP POST). */
  pushAdd(target: PushTarget): Promise<void> {
    return this.#send("POST", target, true);
  }

  /** Removes the group (HTTP DELETE). */
  delete(target: PushTarget): Promise<void> {
    return this.#send("DELETE", target, false);
  }

  async #send(method: string, target: PushTarget, withBody: boolean): Promise<void> {
    const url = this.url(target); // throws before any request
    const o = this.#opts;
    const headers = new Headers(this.#headers);
    let body: BodyInit | undefined;
    if (withBody) {
      const text = await (o.registry ?? defaultRegistry).metrics();
      headers.set("content-type", TEXT_CONTENT_TYPE);
      if (o.compress) {
        headers.set("content-encoding", "gzip");
        body = await new Response(
          new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")),
        ).arrayBuffer();
      } else body = text;
    }
    let res;
    try {
      res = await request(o.fetch ?? fetch, url, { method, headers, body }, o.timeout);
    } catch (e) {
      if (!(e instanceof NoAnswer)) throw new TypeError(`Pushgateway: ${(e as Error).message}`);
      if (e.timedOut) {
        throw new Error(`Pushgateway ${method} ${url} timed out after ${o.timeout} ms`, {
          cause: e,
        });
      }
      throw new Error(
        `Pushgateway ${method} ${url} failed: ${e.message} (is the gateway running and reachable?)`,
        { cause: e.cause },
      );
    }
    if (!res.ok) {
      throw new Error(
        `Pushgateway answered ${res.status} ${res.statusText} to ${method} ${url}: ${res.reply.trim()}`,
      );
    }
  }
}
