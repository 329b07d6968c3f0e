/**
 * One HTTP request over a caller's `fetch`, bounded in time and memory: the
 * deadline holds even when that fetch (or its body) ignores the abort
 * signal, at most {@link MAX_REPLY_BYTES} of the reply are read, and a
 * fetch that throws synchronously or returns something other than a
 * Response is an error rather than a crash. Shared by the Pushgateway and
 * remote-write clients.
 * @module
 */

import { show } from "./_names.ts";
import { MAX_TIMER_MS } from "./_timers.ts";

/** The most reply bytes read: enough for any receiver's error text; the rest is cancelled. */
const MAX_REPLY_BYTES: number = 64 * 1024;

/** What came back: status, headers and the start of the reply text. */
export interface Answer {
  /** The HTTP status. */
  status: number;
  /** Whether the status is 2xx. */
  ok: boolean;
  /** The status text (may be empty). */
  statusText: string;
  /** The reply's headers. */
  headers: Headers;
  /** The reply text, at most {@link MAX_REPLY_BYTES} bytes of it. */
  reply: string;
}

/** Why no {@link Answer}: `timedOut`, or the fetch's own error as `cause`. */
export class NoAnswer extends Error {
  /** True when the deadline passed first. */
  readonly timedOut: boolean;
  /** @internal */
  constructor(timedOut: boolean, cause: unknown) {
    super(_reason(cause), { cause });
    this.name = "NoAnswer";
    this.timedOut = timedOut;
  }
}

/** An error's message with its cause's (Node and Deno say only "fetch failed" on top). */
function _reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const c = e.cause;
  return c instanceof Error && c.message && !e.message.includes(c.message)
    ? `${e.message}: ${c.message}`
    : e.message;
}

/** Whether `r` can be read as a Response (a global one, or another fetch's). */
function _isResponse(r: unknown): r is Response {
  return typeof r === "object" && r !== null && typeof (r as Response).status === "number" &&
    typeof (r as Response).headers?.get === "function";
}

/** The first {@link MAX_REPLY_BYTES} of a body as text; cancels the rest, and all on `signal`. */
async function _readReply(res: Response, signal: AbortSignal): Promise<string> {
  const body = res.body;
  if (body === null || typeof body?.getReader !== "function") {
    return typeof res.text === "function" ? (await res.text()).slice(0, MAX_REPLY_BYTES) : "";
  }
  const reader = body.getReader();
  const stop = () => reader.cancel().catch(() => {});
  signal.addEventListener("abort", stop, { once: true });
  const chunks: Uint8Array[] = [];
  let n = 0;
  try {
    while (n < MAX_REPLY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      n += value.length;
    }
    if (n >= MAX_REPLY_BYTES) stop();
  } finally {
    signal.removeEventListener("abort", stop);
  }
  const all = new Uint8Array(Math.min(n, MAX_REPLY_BYTES));
  let at = 0;
  for (const c of chunks) {
    if (at >= all.length) break;
    all.set(c.subarray(0, all.length - at), at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}

/**
 * A request `timeout` option in ms: 10,000 when absent, `Infinity` for none;
 * else a RangeError that starts with `who` (`"Pushgateway"`, `"httpSender()"`).
 */
export function requestTimeout(who: string, timeout: unknown): number {
  const t = timeout ?? 10_000;
  if (typeof t !== "number" || !(t > 0)) {
    throw new RangeError(
      `${who}: timeout must be a number of milliseconds > 0 (Infinity for none), got ${
        typeof t === "number" ? t : JSON.stringify(t)
      }`,
    );
  }
  return t;
}

/**
 * A body the runtime's fetch can send again when it follows a 307/308: Node's
 * fetch detaches a Uint8Array or ArrayBuffer body on the way and then fails
 * with "detached ArrayBuffer"; a Blob it can resend. Other bodies as they are.
 */
export function resendable(body: RequestInit["body"]): RequestInit["body"] {
  return body instanceof Uint8Array || body instanceof ArrayBuffer
    ? new Blob([body as Uint8Array<ArrayBuffer>])
    : body;
}

/**
 * Sends `init` to `url` with `doFetch` and reads the reply, all within `ms`
 * milliseconds (Infinity: no limit; capped at {@link MAX_TIMER_MS}). Rejects
 * with {@link NoAnswer} when nothing answered in time or the fetch failed,
 * and with a TypeError when `doFetch` returned no Response. A body that
 * breaks off after the status line leaves the reply short, not an error.
 * A bytes body goes as a {@link resendable} Blob, to the global fetch and to
 * one of the caller's alike (which may hand it to Node's).
 */
export async function request(
  doFetch: typeof fetch,
  url: string,
  init: RequestInit,
  ms: number,
): Promise<Answer> {
  const ctrl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    if (ms !== Infinity) {
      timer = setTimeout(() => {
        ctrl.abort();
        reject(ctrl.signal.reason);
      }, Math.min(ms, MAX_TIMER_MS));
    }
  });
  deadline.catch(() => {}); // raced below; never unhandled on its own
  try {
    let res: unknown;
    try {
      const body = resendable(init.body);
      const sent = Promise.resolve().then(() =>
        doFetch(url, { ...init, body, signal: ctrl.signal })
      );
      sent.catch(() => {}); // it may settle after the deadline
      res = await Promise.race([sent, deadline]);
    } catch (e) {
      throw new NoAnswer(ctrl.signal.aborted, e);
    }
    if (!_isResponse(res)) {
      throw new TypeError(`the fetch option returned ${show(res)}, not a Response`);
    }
    let reply = "";
    try {
      const read = _readReply(res, ctrl.signal);
      read.catch(() => {});
      reply = await Promise.race([read, deadline]);
    } catch (e) {
      if (ctrl.signal.aborted) throw new NoAnswer(true, e);
      // the body broke off after the status: the status stands
    }
    return {
      status: res.status,
      ok: res.ok ?? (res.status >= 200 && res.status < 300),
      statusText: res.statusText ?? "",
      headers: res.headers,
      reply,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Percent-decoded text; as it is when it is not valid percent-encoding. */
function _decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Moves a URL's credentials into a Basic `authorization` header (fetch
 * refuses a URL that holds them), unless `headers` already has one; the
 * URL is left without them either way.
 */
export function credentialsToHeader(u: URL, headers: Headers): void {
  if (u.username === "" && u.password === "") return;
  if (!headers.has("authorization")) {
    const pair = _decode(u.username) + ":" + _decode(u.password);
    let bin = "";
    for (const b of new TextEncoder().encode(pair)) bin += String.fromCharCode(b);
    headers.set("authorization", "Basic " + btoa(bin));
  }
  u.username = u.password = "";
}
