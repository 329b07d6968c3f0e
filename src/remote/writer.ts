/**
 * Prometheus remote write (1.0 and 2.0) over `fetch`: for edge functions,
 * batch jobs and short-lived workers that no Prometheus can scrape.
 * @module
 */

import { type Answer, credentialsToHeader, NoAnswer, request } from "../_fetch.ts";
import { MAX_TIMER_MS } from "../_timers.ts";
import { isLabelName, loneSurrogateAt, notUnicode } from "../_names.ts";
import { ProtoWriter } from "../_protobuf.ts";
import { Counter } from "../metrics/counter.ts";
import type { Registry } from "../registry.ts";
import { defaultRegistry } from "../collectors/default.ts";
import { describe, type FamilyMeta, type FlatSeries, SeriesTable } from "./_expand.ts";
import { snappyCompress } from "./_snappy.ts";
import { familiesOf } from "./_source.ts";
import { encodeV1 } from "./_v1.ts";
import { encodeV2 } from "./_v2.ts";
import type { RemoteFamily } from "./family.ts";

const USER_AGENT = "promedge/0.4.0";
const FAILURES = "promedge_remote_write_failures_total";
const DROPPED = "promedge_remote_write_exemplars_dropped_total";
const V2_CONTENT_TYPE = "application/x-protobuf;proto=io.prometheus.write.v2.Request";

/** How failed requests are retried. */
export interface RemoteWriteRetry {
  /** Retries after the first try (default 3; 0: never retry). */
  retries?: number;
  /** The first delay in milliseconds, doubled at each retry, with jitter (default 250). */
  minDelay?: number;
  /**
   * The longest delay in milliseconds, and the longest `Retry-After` honoured
   * (default 5,000; at most 2**31-1).
   */
  maxDelay?: number;
}

/** Options of a {@link RemoteWriter}. */
export interface RemoteWriterOptions {
  /** The registry to write, and where the failure counter goes (default: the default registry). */
  registry?: Registry;
  /**
   * Labels added to every series, e.g. `{ job: "api", instance: "edge-1" }`.
   * Empty values are left out; a label the series has too is an error.
   */
  labels?: Readonly<Record<string, string>>;
  /** Headers for every request: `Authorization`, `X-Scope-OrgID`... */
  headers?: HeadersInit;
  /**
   * The fetch to use (default: the global one). It gets the body as a Blob,
   * which Node's fetch can send again when it follows a 307/308.
   */
  fetch?: typeof fetch;
  /**
   * Milliseconds before one request is given up (default 10,000); values
   * above 2**31-1 (about 24.8 days, the longest timer the runtimes keep) are
   * taken as that.
   */
  timeout?: number;
  /**
   * The protocol: 1 (default) or 2. With 2, a receiver that answers 2xx without
   * `X-Prometheus-Remote-Write-Samples-Written` (or 415) did not understand it:
   * the writer resends as 1 and keeps 1 for that receiver.
   */
  version?: 1 | 2;
  /** Most series in one request (default 2,000); a larger write is split. */
  maxSeriesPerRequest?: number;
  /** Retries of 5xx, 429, timeouts and unreachable receivers. */
  retry?: RemoteWriteRetry;
  /** The `User-Agent` header (default `promedge/<version>`). */
  userAgent?: string;
  /**
   * Where the families come from (default: a snapshot of `registry`). For
   * series that live outside a registry.
   */
  source?: () => readonly RemoteFamily[] | Promise<readonly RemoteFamily[]>;
  /** Called with the error of each failed periodic write (after it is counted). */
  onError?: (error: RemoteWriteError) => void;
}

/** A write that did not land: the receiver's status and reply, or why nothing answered. */
export class RemoteWriteError extends Error {
  /** The receiver's HTTP status; undefined when nothing answered. */
  readonly status: number | undefined;
  /** The receiver's reply text (may be empty). */
  readonly reply: string;
  /** @internal */
  constructor(message: string, status?: number, reply = "", options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RemoteWriteError";
    this.status = status;
    this.reply = reply;
  }
}

type Timer = ReturnType<typeof setInterval>;

/** Lets the process exit while `t` is pending (Node, Bun: unref; Deno: unrefTimer). */
function unref(t: Timer): void {
  const d = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof t === "number") d?.unrefTimer?.(t);
  else (t as { unref?: () => void }).unref?.();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `Retry-After` in milliseconds (seconds or an HTTP date); undefined when absent or bad. */
function retryAfter(h: string | null): number | undefined {
  if (h === null) return undefined;
  if (/^\s*\d+\s*$/.test(h)) return Number(h) * 1000;
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function failuresCounter(registry: Registry): Counter<"url"> {
  const existing = registry.get(FAILURES);
  if (existing instanceof Counter) return existing as Counter<"url">;
  return new Counter({
    name: FAILURES,
    help: "Remote writes that did not land (after retries), by receiver URL.",
    labelNames: ["url"],
    registry,
  });
}

function droppedCounter(registry: Registry): Counter<"url" | "reason"> {
  const existing = registry.get(DROPPED);
  if (existing instanceof Counter) return existing as Counter<"url" | "reason">;
  return new Counter({
    name: DROPPED,
    help: "Exemplars left out of remote writes, by receiver URL and reason: too_long " +
      "(label names and values over 128 code points), invalid.",
    labelNames: ["url", "reason"],
    registry,
  });
}

/**
 * Sends a registry to a Prometheus remote-write receiver (Prometheus with
 * `--web.enable-remote-write-receiver`, Mimir, Cortex, Thanos, VictoriaMetrics,
 * Grafana Cloud...). Remote-Write 1.0 by default, 2.0 with `version: 2`.
 * Built on `fetch` alone: it runs on Deno, Bun, Node and workerd.
 *
 * @example
 * ```ts
 * import { Counter, Registry } from "../../mod.ts";
 * import { RemoteWriter } from "./writer.ts";
 * const registry = new Registry();
 * new Counter({ name: "jobs_total", help: "Jobs done.", registry }).inc();
 * const writer = new RemoteWriter("http://127.0.0.1:9/api/v1/write", {
 *   registry,
 *   labels: { job: "etl", instance: "host-a" },
 *   retry: { retries: 0 },
 * });
 * await writer.write().catch((e) => console.log(e.message)); // nothing there: the error says so
 * ```
 */
export class RemoteWriter {
  readonly #url: string;
  /** The URL without credentials, for messages and the failure counter. */
  readonly #shown: string;
  readonly #opts: RemoteWriterOptions;
  readonly #headers: Headers;
  readonly #labels: [string, string][];
  readonly #timeout: number;
  readonly #max: number;
  readonly #retries: number;
  readonly #minDelay: number;
  readonly #maxDelay: number;
  readonly #failures: Counter<"url">;
  readonly #source: () => readonly RemoteFamily[] | Promise<readonly RemoteFamily[]>;
  #version: 1 | 2;
  #w = new ProtoWriter(1 << 16);
  #w2 = new ProtoWriter(1 << 16);
  /** The series of the last writes: those missing next time get a staleness marker. */
  readonly #table: SeriesTable;
  readonly #dropped: Counter<"url" | "reason">;
  #lastTimestamp = 0;
  #chain: Promise<unknown> = Promise.resolve();
  #timer: Timer | undefined;
  #periodic: Promise<void> | undefined;

  /** `url` is the receiver's write endpoint, e.g. `http://prometheus:9090/api/v1/write`. */
  constructor(url: string, options: RemoteWriterOptions = {}) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new TypeError(
        `RemoteWriter: ${
          JSON.stringify(url)
        } is not a URL; give e.g. "http://127.0.0.1:9090/api/v1/write"`,
      );
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new TypeError(`RemoteWriter: ${url} must be an http or https URL`);
    }
    const o = options ?? {};
    const positive = (what: string, v: unknown, dflt: number, min = 1): number => {
      const n = v ?? dflt;
      if (typeof n !== "number" || !(n >= min) || !Number.isFinite(n)) {
        throw new RangeError(`RemoteWriter: ${what} must be a number >= ${min}, got ${v}`);
      }
      return n;
    };
    if (o.retry !== undefined && (o.retry === null || typeof o.retry !== "object")) {
      throw new TypeError(
        `RemoteWriter: retry must be an object { retries?, minDelay?, maxDelay? }, got ${o.retry}`,
      );
    }
    // Longer timers fire at once: a timeout would end every request, a delay retry in a loop.
    this.#timeout = Math.min(MAX_TIMER_MS, positive("timeout (ms)", o.timeout, 10_000));
    this.#max = Math.floor(positive("maxSeriesPerRequest", o.maxSeriesPerRequest, 2000));
    this.#retries = Math.floor(positive("retry.retries", o.retry?.retries, 3, 0));
    this.#minDelay = Math.min(
      MAX_TIMER_MS,
      positive("retry.minDelay (ms)", o.retry?.minDelay, 250, 0),
    );
    this.#maxDelay = Math.min(
      MAX_TIMER_MS,
      positive("retry.maxDelay (ms)", o.retry?.maxDelay, 5000, 0),
    );
    if (o.version !== undefined && o.version !== 1 && o.version !== 2) {
      throw new RangeError(`RemoteWriter: version must be 1 or 2, got ${o.version}`);
    }
    this.#version = o.version ?? 1;
    this.#labels = [];
    for (const [name, value] of Object.entries(o.labels ?? {})) {
      if (!isLabelName(name)) {
        throw new TypeError(
          `RemoteWriter: labels option has label name ${
            JSON.stringify(name)
          }: a label name must match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__"`,
        );
      }
      if (typeof value !== "string") {
        throw new TypeError(`RemoteWriter: label "${name}" must be a string, got ${typeof value}`);
      }
      const at = loneSurrogateAt(value);
      if (at >= 0) throw notUnicode(`RemoteWriter: label "${name}"`, value, at);
      if (value !== "") this.#labels.push([name, value]);
    }
    for (const key of ["source", "fetch", "onError"] as const) {
      if (o[key] !== undefined && typeof o[key] !== "function") {
        throw new TypeError(`RemoteWriter: ${key} must be a function, got ${typeof o[key]}`);
      }
    }
    let headers: Headers;
    try {
      headers = new Headers(o.headers);
      headers.set("user-agent", o.userAgent ?? USER_AGENT);
    } catch (e) {
      throw new TypeError(
        `RemoteWriter: bad headers or userAgent option: ${e instanceof Error ? e.message : e}`,
      );
    }
    headers.set("content-encoding", "snappy");
    // fetch refuses a URL with credentials: they go as Basic auth.
    credentialsToHeader(u, headers);
    this.#headers = headers;
    const registry = o.registry ?? defaultRegistry;
    if (typeof registry?.collect !== "function") {
      throw new TypeError(`RemoteWriter: registry must be a Registry, got ${typeof registry}`);
    }
    this.#source = o.source ?? (() => familiesOf(registry));
    this.#url = u.href;
    u.search = "";
    this.#shown = u.href;
    this.#opts = o;
    this.#failures = failuresCounter(registry);
    this.#dropped = droppedCounter(registry);
    this.#table = new SeriesTable(this.#labels);
  }

  /** The protocol the next write uses (2 falls back to 1 for a receiver that lacks it). */
  get version(): 1 | 2 {
    return this.#version;
  }

  /**
   * Sends one snapshot now, with one timestamp. Resolves after the receiver's
   * 2xx for every request; rejects with a {@link RemoteWriteError} otherwise
   * (or a TypeError for series no receiver would take, before anything is sent).
   * Writes run one after another, never interleaved.
   */
  write(): Promise<void> {
    const run = this.#chain.then(() => this.#write());
    this.#chain = run.catch(() => {});
    return run.catch((e) => {
      this.#failures.labels({ url: this.#shown }).inc();
      throw e;
    });
  }

  /**
   * Writes every `intervalSeconds` (default 15) until {@link stop}. A failed
   * write is counted in `promedge_remote_write_failures_total` and passed to
   * `onError`, never thrown; the next write carries the newest values. The
   * timer does not keep the process alive: call `await stop()` before exit
   * to send the last values.
   */
  start(intervalSeconds = 15): void {
    if (
      typeof intervalSeconds !== "number" || !(intervalSeconds > 0) ||
      intervalSeconds * 1000 > MAX_TIMER_MS
    ) {
      throw new RangeError(
        `RemoteWriter.start(): the interval must be a number of seconds > 0 and at most ` +
          `${
            Math.floor(MAX_TIMER_MS / 1000)
          } (about 24.8 days, the longest timer), got ${intervalSeconds}`,
      );
    }
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = setInterval(() => {
      if (this.#periodic) return; // the last one is still running: skip this turn
      this.#periodic = this.write().catch((e) => {
        try {
          this.#opts.onError?.(e);
        } catch {
          // a failing handler must not become an unhandled rejection either
        }
      }).finally(() => this.#periodic = undefined);
    }, intervalSeconds * 1000);
    unref(this.#timer);
  }

  /** Stops the periodic writes and sends once more; rejects when that last write fails. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#periodic;
    await this.write();
  }

  async #write(): Promise<void> {
    const families = await this.#source();
    const { series, stale, metas, dropped } = this.#table.expand(families);
    if (dropped.too_long > 0) {
      this.#dropped.labels({ url: this.#shown, reason: "too_long" }).inc(dropped.too_long);
    }
    if (dropped.invalid > 0) {
      this.#dropped.labels({ url: this.#shown, reason: "invalid" }).inc(dropped.invalid);
    }
    const all = stale.length > 0 ? series.concat(stale) : series;
    // One timestamp per write, always later than the last (a receiver refuses a
    // second, different value at the same millisecond).
    const ts = this.#lastTimestamp = Math.max(Date.now(), this.#lastTimestamp + 1);
    for (let i = 0; i < all.length; i += this.#max) {
      await this.#send(all.length <= this.#max ? all : all.slice(i, i + this.#max), metas, ts);
    }
    // Markers that did not land stay in the table: they go again with the next write.
    this.#table.forget(stale);
  }

  async #send(
    batch: readonly FlatSeries[],
    metas: readonly FamilyMeta[],
    ts: number,
  ): Promise<void> {
    for (let attempt = 0;; attempt++) {
      const version = this.#version;
      const raw = version === 2
        ? encodeV2(batch, metas, ts, this.#w, this.#w2)
        : encodeV1(batch, metas, ts, this.#w);
      const body = snappyCompress(raw);
      let res: Answer | RemoteWriteError;
      try {
        res = await this.#post(body, version);
      } catch (e) {
        if (!(e instanceof RemoteWriteError)) throw e;
        res = e;
      }
      if (!(res instanceof RemoteWriteError)) {
        if (
          version === 2 &&
          (res.status === 415 ||
            (res.ok && !res.headers.has("x-prometheus-remote-write-samples-written")))
        ) {
          this.#version = 1; // the receiver does not speak 2.0: resend as 1.0, and stay there
          attempt--;
          continue;
        }
        if (res.ok) return;
      }
      const status = res instanceof RemoteWriteError ? res.status : res.status;
      const retryable = status === undefined || status === 429 || status >= 500;
      const error = res instanceof RemoteWriteError ? res : new RemoteWriteError(
        `Remote write to ${this.#shown} answered ${res.status}: ${
          res.reply.trim().slice(0, 1000) || "(no reply text)"
        }` + (batch.length ? ` (first series ${describe(batch[0].labels)})` : ""),
        res.status,
        res.reply,
      );
      if (!retryable || attempt >= this.#retries) {
        if (attempt > 0) error.message += ` (after ${attempt + 1} tries)`;
        throw error;
      }
      let delay = Math.min(this.#maxDelay, this.#minDelay * 2 ** attempt);
      delay = delay / 2 + Math.random() * delay / 2;
      const asked = res instanceof RemoteWriteError ? undefined : retryAfter(
        res.headers.get("retry-after"),
      );
      if (asked !== undefined) {
        if (asked > this.#maxDelay) {
          error.message += ` (it asks to retry after ${
            Math.round(asked / 1000)
          } s, longer than retry.maxDelay ${this.#maxDelay} ms)`;
          throw error;
        }
        delay = Math.max(delay, asked);
      }
      await sleep(delay);
    }
  }

  async #post(body: Uint8Array<ArrayBuffer>, version: 1 | 2): Promise<Answer> {
    const headers = new Headers(this.#headers);
    headers.set("content-type", version === 2 ? V2_CONTENT_TYPE : "application/x-protobuf");
    headers.set("x-prometheus-remote-write-version", version === 2 ? "2.0.0" : "0.1.0");
    try {
      return await request(this.#opts.fetch ?? fetch, this.#url, {
        method: "POST",
        headers,
        body,
      }, this.#timeout);
    } catch (e) {
      // A fetch option that returns no Response: a mistake no retry mends.
      if (!(e instanceof NoAnswer)) throw new TypeError(`RemoteWriter: ${(e as Error).message}`);
      if (e.timedOut) {
        throw new RemoteWriteError(
          `Remote write to ${this.#shown}: nothing answered within ${this.#timeout} ms (timeout)`,
          undefined,
          "",
          { cause: e.cause },
        );
      }
      throw new RemoteWriteError(
        `Remote write to ${this.#shown}: nothing answered (${e.message}); ` +
          "is the receiver running and reachable?",
        undefined,
        "",
        { cause: e.cause },
      );
    }
  }
}
