/**
 * Transport over Node `cluster` IPC: a worker process sends
 * `{ promedgeState: base64 }` with `process.send`; the primary hands those
 * to an {@link Aggregator}. The IPC channel's JSON serialization cannot carry
 * bytes, hence base64.
 * @module
 */

import type { Aggregator } from "./aggregator.ts";

/** A process with an IPC channel (a cluster worker's `process`). */
export interface IpcProcess {
  /** Sends one message to the primary; calls `callback` once it is written or has failed (Node and Bun do). */
  send?(message: unknown, callback?: (error: Error | null) => void): unknown;
}

/** The primary's `cluster` module, or anything emitting `("message", worker, message)`. */
export interface ClusterLike {
  /** Subscribes to messages from workers. */
  on(event: "message", listener: (worker: unknown, message: unknown) => void): unknown;
  /** Unsubscribes. */
  off?(event: "message", listener: (worker: unknown, message: unknown) => void): unknown;
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * A `send` for {@link AggregationSource} in a cluster worker (default: this
 * process). Its promise settles once the message is written to the channel,
 * so `await source.flush()` before `process.exit()` delivers the last state
 * (a state larger than the pipe's buffer is lost by an exit right after
 * `send`). Rejects when the process has no IPC channel or the write fails.
 */
export function clusterSender(proc?: IpcProcess): (state: Uint8Array) => Promise<void> {
  const p = proc ?? (globalThis as { process?: IpcProcess }).process;
  return (state) =>
    new Promise<void>((resolve, reject) => {
      if (typeof p?.send !== "function") {
        throw new TypeError(
          "clusterSender(): this process has no IPC channel; start it with cluster.fork() or use portSender/httpSender",
        );
      }
      let settled = false;
      const done = (error?: Error | null) => {
        if (settled) return;
        settled = true;
        if (error) reject(new Error(`clusterSender(): the state was not sent: ${error.message}`));
        else resolve();
      };
      p.send({ promedgeState: toBase64(state) }, done);
    });
}

/**
 * Feeds state messages from cluster workers to `aggregator`; bad ones go to
 * `onError`. Returns a function that stops listening.
 */
export function listenCluster(
  aggregator: Aggregator,
  cluster: ClusterLike,
  onError?: (error: unknown) => void,
): () => void {
  const take = (_worker: unknown, m: unknown): void => {
    const data = (m as { promedgeState?: unknown } | null)?.promedgeState;
    if (typeof data !== "string") return;
    try {
      aggregator.ingest(fromBase64(data));
    } catch (e) {
      try {
        onError?.(e);
      } catch {
        // a failing hook must not take the primary down
      }
    }
  };
  cluster.on("message", take);
  return () => cluster.off?.("message", take);
}
