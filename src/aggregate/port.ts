/**
 * Transport over a `MessagePort` or `Worker` (Node `worker_threads`, Bun and
 * Deno Workers): the worker posts `{ promedgeState: bytes }`; the main
 * thread hands those to an {@link Aggregator}. Other messages pass by.
 * @module
 */

import type { Aggregator } from "./aggregator.ts";

/** Anything with `postMessage`: a worker's `parentPort`, `self`, a `MessagePort`. */
export interface PostTarget {
  /** Posts one message. */
  postMessage(message: unknown): void;
}

/** A port or worker the main thread listens on: Node's `on("message")` or the Web's `addEventListener`. */
export type ListenTarget =
  | { on(event: "message", listener: (message: unknown) => void): unknown }
  | { addEventListener(type: "message", listener: (event: { data: unknown }) => void): unknown };

/** The message shape on a port. */
export interface StateMessage {
  /** One encoded state. */
  promedgeState: Uint8Array;
}

/** Whether `m` is a state message (so an app can tell it from its own). */
export function isStateMessage(m: unknown): m is StateMessage {
  return typeof m === "object" && m !== null &&
    (m as StateMessage).promedgeState instanceof Uint8Array;
}

/**
 * A `send` for {@link AggregationSource} that posts to `target`.
 *
 * @example
 * ```ts
 * import { AggregationSource, portSender } from "./mod.ts";
 * const { port1 } = new MessageChannel();
 * const source = new AggregationSource({ send: portSender(port1) });
 * port1.close();
 * ```
 */
export function portSender(target: PostTarget): (state: Uint8Array) => void {
  return (state) => target.postMessage({ promedgeState: state } satisfies StateMessage);
}

/**
 * Feeds the state messages arriving on `target` to `aggregator`; bad ones go
 * to `onError` (never thrown into the event loop). Returns a function that
 * stops listening.
 */
export function listenPort(
  aggregator: Aggregator,
  target: ListenTarget,
  onError?: (error: unknown) => void,
): () => void {
  const take = (m: unknown): void => {
    if (!isStateMessage(m)) return;
    try {
      aggregator.ingest(m.promedgeState);
    } catch (e) {
      try {
        onError?.(e);
      } catch {
        // a failing hook must not take the thread down
      }
    }
  };
  if ("on" in target && typeof target.on === "function") {
    target.on("message", take);
    const t = target as { off?: (e: string, l: (m: unknown) => void) => void };
    return () => t.off?.("message", take);
  }
  const web = target as {
    addEventListener(type: "message", l: (e: { data: unknown }) => void): unknown;
    removeEventListener?(type: "message", l: (e: { data: unknown }) => void): unknown;
  };
  const listener = (e: { data: unknown }) => take(e.data);
  web.addEventListener("message", listener);
  return () => web.removeEventListener?.("message", listener);
}
