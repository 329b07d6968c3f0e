/**
 * Transport on Cloudflare / workerd: a Durable Object holds the aggregator.
 * Edge Workers POST their state to it (at the end of a request, in
 * `ctx.waitUntil`); a GET serves the merged page.
 *
 * Eviction: an idle object is dropped and its constructor runs again later.
 * Every accepted state, every retirement and the retained totals are
 * written to `state.storage` as they change, and the constructor loads them
 * back before the first request, so no total is lost or counted twice.
 * A value larger than the storage takes (128 KiB on Cloudflare) is written
 * as chunks under several keys, in one atomic `put` up to 16 MiB.
 * @module
 */

import { Aggregator, type AggregatorOptions } from "./aggregator.ts";
import { type AggregatorHandlerOptions, createAggregatorHandler } from "./http.ts";
import { chunkedStore } from "./_chunks.ts";

/** The part of `DurableObjectState` the aggregator uses. */
export interface DurableObjectStateLike {
  /** The object's storage. */
  readonly storage: {
    /** Writes several keys at once (atomically, up to 128). */
    put(entries: Record<string, unknown>): Promise<void>;
    /** Deletes several keys (up to 128). */
    delete(keys: string[]): Promise<number>;
    /** Every key and value. */
    list(): Promise<Map<string, unknown>>;
  };
  /** Holds requests until `fn` settles. */
  blockConcurrencyWhile<T>(fn: () => Promise<T>): Promise<T>;
}

/** An aggregator Durable Object. */
export interface AggregatorObject {
  /** The aggregator it holds. */
  readonly aggregator: Aggregator;
  /** POST: a state; GET: the merged page. */
  fetch(req: Request): Promise<Response>;
}

/** The class to export from the Worker for the Durable Object namespace. */
export type AggregatorObjectClass = new (
  state: DurableObjectStateLike,
  env?: unknown,
) => AggregatorObject;

/** Options of {@link aggregatorObject}: the aggregator's (without the store) and the handler's. */
export type AggregatorObjectOptions = Omit<AggregatorOptions, "store"> & AggregatorHandlerOptions;

/**
 * Makes a Durable Object class holding an {@link Aggregator} whose totals
 * live in the object's storage. Export it under the namespace's class name.
 *
 * @example
 * ```ts ignore
 * import { aggregatorObject } from "@promedge/client/aggregate";
 * export const Totals = aggregatorObject({ retireAfterMs: 120_000 });
 * export default {
 *   fetch: (req: Request, env: { TOTALS: any }) =>
 *     env.TOTALS.get(env.TOTALS.idFromName("totals")).fetch(req),
 * };
 * ```
 */
export function aggregatorObject(options: AggregatorObjectOptions = {}): AggregatorObjectClass {
  return class implements AggregatorObject {
    readonly aggregator: Aggregator;
    readonly #handle: (req: Request) => Promise<Response>;
    constructor(state: DurableObjectStateLike) {
      const { store, load } = chunkedStore(state.storage);
      this.aggregator = new Aggregator({ ...options, store });
      this.#handle = createAggregatorHandler(this.aggregator, options);
      state.blockConcurrencyWhile(async () => {
        this.aggregator.restore(await load());
      });
    }
    fetch(req: Request): Promise<Response> {
      return this.#handle(req);
    }
  };
}
