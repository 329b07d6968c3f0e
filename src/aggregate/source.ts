/**
 * The sending side: a registry's cumulative state, sent now and then.
 * @module
 */

import type { Registry } from "../registry.ts";
import { defaultRegistry } from "../collectors/default.ts";
import { ProtoWriter } from "../_protobuf.ts";
import { MAX_TIMER_MS } from "../_timers.ts";
import { badSourceId, encodeState } from "./_codec.ts";
import { collectState } from "./_extract.ts";

/**
 * The run of each registry reported: when its first state was made (epoch
 * ms, never 0) and the last sequence number. Every source over a registry
 * shares them: its counts are the registry's, so a source made again in the
 * same process continues the run (a new start would have the aggregator
 * keep the earlier totals and add the same counts again).
 */
const runs = new WeakMap<Registry, { start: number; seq: number }>();

/** Options of an {@link AggregationSource}. */
export interface AggregationSourceOptions {
  /** Delivers one state message to the aggregator (a transport's sender). */
  send: (state: Uint8Array) => unknown;
  /** The registry to report (default: the default registry). */
  registry?: Registry;
  /**
   * This source's id (default: a random UUID made at the first flush, so
   * never at a Worker's global scope). Every process or isolate running at
   * once needs its own; a restarted process may keep its id (each state
   * carries when this run began, and the aggregator keeps the last run's
   * totals). A source made again over the same registry continues its run.
   */
  id?: string;
  /** Called with what went wrong when a flush fails (the next flush sends everything again). */
  onError?: (error: unknown) => void;
}

/**
 * Sends a registry's cumulative state to an aggregator: on an interval
 * ({@link AggregationSource.start}) or when asked ({@link AggregationSource.flush},
 * e.g. in `ctx.waitUntil` at the end of a request on the edge). Every
 * message carries the whole state and a rising sequence number, so a lost,
 * repeated or late message changes nothing. The metrics' hot path is untouched.
 *
 * @example
 * ```ts
 * import { AggregationSource } from "./mod.ts";
 * const source = new AggregationSource({ send: (bytes) => console.log(bytes.length) });
 * await source.flush();
 * ```
 */
export class AggregationSource {
  readonly #send: (state: Uint8Array) => unknown;
  readonly #registry: Registry;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #writer: ProtoWriter = new ProtoWriter(4096);
  #id: string | undefined;
  #seq = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #busy: Promise<boolean> | undefined;

  /** Creates a source; nothing is sent until {@link flush} or {@link start}. */
  constructor(options: AggregationSourceOptions) {
    if (options === null || typeof options !== "object" || typeof options.send !== "function") {
      throw new TypeError("AggregationSource takes { send: (state: Uint8Array) => ... }");
    }
    const badId = options.id === undefined ? undefined : badSourceId(options.id);
    if (badId !== undefined) {
      throw new TypeError(
        `AggregationSource: id ${
          JSON.stringify(String(options.id).slice(0, 40))
        } cannot be used: ${badId}; give each source a short printable id, or none for a random UUID`,
      );
    }
    this.#send = options.send;
    this.#registry = options.registry ?? defaultRegistry;
    this.#onError = options.onError;
    this.#id = options.id;
  }

  /** The source id (made on first use). */
  get id(): string {
    return this.#id ??= crypto.randomUUID();
  }

  /**
   * The sequence number of the last message this source made (0 before the
   * first). Sources over one registry share the sequence: it rises across them.
   */
  get seq(): number {
    return this.#seq;
  }

  /** The current state as one message, with the next sequence number. */
  async encode(): Promise<Uint8Array> {
    let run = runs.get(this.#registry);
    // Never 0 (none): a clock at the epoch still gives this run a start.
    if (run === undefined) {
      runs.set(this.#registry, run = { start: Math.max(Date.now(), 1), seq: 0 });
    }
    const seq = this.#seq = ++run.seq;
    const start = run.start;
    const read = await collectState(this.#registry);
    return encodeState(read({ source: this.id, seq, now: Date.now(), start }), this.#writer);
  }

  /**
   * Sends the current state; resolves to whether it was delivered. Never
   * rejects: a failure goes to `onError`, and the next flush carries it all.
   */
  flush(): Promise<boolean> {
    // One flush at a time; a flush asked for meanwhile runs after it, with the newer state.
    const run = async (): Promise<boolean> => {
      try {
        await this.#send(await this.encode());
        return true;
      } catch (e) {
        try {
          this.#onError?.(e);
        } catch {
          // the hook must not break the flush loop
        }
        return false;
      }
    };
    const next: Promise<boolean> = (this.#busy ?? Promise.resolve(true)).then(run);
    this.#busy = next;
    return next;
  }

  /** Flushes every `intervalMs` (default 5000) until {@link stop}; the timer does not keep a process alive. */
  start(intervalMs = 5000): void {
    // A longer interval than MAX_TIMER_MS fires every millisecond.
    if (!(intervalMs > 0 && intervalMs <= MAX_TIMER_MS)) {
      throw new RangeError(
        `AggregationSource.start(): intervalMs must be > 0 and at most 2**31-1 (about 24.8 days), got ${intervalMs}`,
      );
    }
    this.stop();
    const t = setInterval(() => void this.flush(), intervalMs);
    (t as { unref?: () => void }).unref?.();
    this.#timer = t;
  }

  /** Stops the interval; `flush()` still works (send a last state before a worker exits). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
