/**
 * The aggregator: keeps the latest cumulative state of every source and
 * serves the merged families through a {@link Registry}.
 * @module
 */

import { Registry } from "../registry.ts";
import { decodeState, encodeState, StateError } from "./_codec.ts";
import { MergedFamily } from "./_expose.ts";
import {
  addParts,
  GAUGE_MODES,
  type GaugeMode,
  mergeGauges,
  type Part,
  uniteInfo,
} from "./_merge.ts";
import type { FamilyState, SeriesState, SourceState } from "./_state.ts";

/**
 * Where an aggregator keeps what must outlive it (a Durable Object's
 * `state.storage`). Writes are fire-and-forget; the keys are the
 * aggregator's own. A call that throws or returns a promise that rejects
 * is counted in `promedge_aggregation_store_failures_total`, never thrown:
 * the totals in memory stay exact.
 */
export interface AggregatorStore {
  /** Stores `value` under `key`. */
  put(key: string, value: Uint8Array): unknown;
  /** Removes `key`. */
  delete(key: string): unknown;
}

/** Options of an {@link Aggregator}. */
export interface AggregatorOptions {
  /** The registry the merged families join (default: a new one). Serve it with the metrics handler. */
  registry?: Registry;
  /**
   * A source silent this long (ms) is retired: its counters, histograms and
   * summaries stay in the totals, its gauges go (default 60000).
   */
  retireAfterMs?: number;
  /**
   * A retired source is folded into the retained totals this long (ms) after
   * it retired; until then it rejoins exactly if it reports again
   * (default 3600000). After, its messages are refused.
   */
  forgetAfterMs?: number;
  /**
   * How each gauge family merges, by name: `sum` (default), `min`, `max`,
   * `average`, `last`, `first`, `source` (see {@link GaugeMode}).
   */
  gauges?: Readonly<Record<string, GaugeMode>>;
  /** Persistence for the totals (the Durable Object passes its storage); memory only when absent. */
  store?: AggregatorStore;
  /** The clock, epoch ms (default `Date.now`). */
  now?: () => number;
}

/** What {@link Aggregator.ingest} made of a message. */
export interface IngestResult {
  /**
   * `accepted`; `stale` (a sequence number not above the one kept, or from
   * an earlier run of the source: changes nothing); `forgotten` (the source
   * was folded into the totals long ago, and this message is from that run
   * or an earlier one).
   */
  status: "accepted" | "stale" | "forgotten";
  /** The families left out because they clash with what the aggregator has, each explained. */
  conflicts: string[];
}

interface Entry {
  state: SourceState;
  fams: Map<string, FamilyState>;
  receivedAt: number;
  retiredAt: number;
}

const SELF = "promedge_aggregation_";
const BASE = "(retained)";

function sameShape(a: FamilyState, b: FamilyState): string | undefined {
  if (a.type !== b.type) return `as a ${b.type}, but the aggregator has it as a ${a.type}`;
  if (a.labelNames.join() !== b.labelNames.join()) {
    return `with labels (${b.labelNames.join(", ")}), but the aggregator has (${
      a.labelNames.join(", ")
    })`;
  }
  if (a.unit !== b.unit) return `with unit ${b.unit}, but the aggregator has ${a.unit}`;
  if (String(a.buckets) !== String(b.buckets)) {
    return `with buckets [${b.buckets}], but the aggregator has [${a.buckets}]`;
  }
  if (String(a.percentiles) !== String(b.percentiles) || (a.maxAgeMs ?? 0) !== (b.maxAgeMs ?? 0)) {
    return `with quantiles [${b.percentiles}] over ${
      b.maxAgeMs || "no"
    } ms window, but the aggregator has [${a.percentiles}] over ${a.maxAgeMs || "no"} ms`;
  }
  return undefined;
}

function stamp(receivedAt: number, retiredAt: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + bytes.length);
  const v = new DataView(out.buffer);
  v.setFloat64(0, receivedAt, true);
  v.setFloat64(8, retiredAt, true);
  out.set(bytes, 16);
  return out;
}

/**
 * Merges the cumulative states that sources ({@link AggregationSource})
 * send into one set of families. A scrape never waits for a source: it
 * merges the latest state of each, and says how old the oldest is.
 *
 * The in-process aggregator keeps its retained totals in memory: they last
 * as long as the process. The Durable Object keeps them in its storage.
 *
 * @example
 * ```ts
 * import { Aggregator } from "./mod.ts";
 * const aggregator = new Aggregator({ gauges: { queue_depth: "max" } });
 * // aggregator.ingest(bytes) for each state a worker sends; then serve:
 * console.log(await aggregator.registry.metrics());
 * ```
 */
export class Aggregator {
  /** The registry holding the merged families and the freshness metrics. */
  readonly registry: Registry;
  readonly #retireAfter: number;
  readonly #forgetAfter: number;
  readonly #gauges = new Map<string, GaugeMode>();
  readonly #store: AggregatorStore | undefined;
  readonly #now: () => number;
  readonly #live = new Map<string, Entry>();
  readonly #retired = new Map<string, Entry>();
  /** Forgotten ids, each with the start of the run folded (sender's clock; 0: none). */
  readonly #forgotten = new Map<string, number>();
  readonly #schema = new Map<string, FamilyState>();
  #base = new Map<string, FamilyState>();
  #order: Entry[] | undefined;
  #messages = { accepted: 0, stale: 0, invalid: 0, forgotten: 0 };
  #storeFailures = 0;
  #restarts = 0;
  readonly #conflicts = new Map<string, number>();

  /** Creates an aggregator with nothing in it. */
  constructor(options: AggregatorOptions = {}) {
    this.registry = options.registry ?? new Registry();
    this.#retireAfter = positive(options.retireAfterMs ?? 60_000, "retireAfterMs");
    this.#forgetAfter = positive(options.forgetAfterMs ?? 3_600_000, "forgetAfterMs");
    for (const [name, mode] of Object.entries(options.gauges ?? {})) {
      this.#gauges.set(name, checkMode("Aggregator", name, mode));
    }
    this.#store = options.store;
    this.#now = options.now ?? Date.now;
    this.registry.registerCollector(() => this.#selfFamilies());
  }

  /**
   * Sets how the gauge family `name` merges from the next scrape on, as the
   * `gauges` option does: for families whose mode is only known once sources
   * report (the prom-client entry's `aggregator`). `source` is refused for a
   * family that has a `source` label of its own.
   */
  setGaugeMode(name: string, mode: GaugeMode): void {
    checkMode("Aggregator.setGaugeMode()", name, mode);
    if (mode === "source" && this.#schema.get(name)?.labelNames.includes("source")) {
      throw new TypeError(
        `Aggregator.setGaugeMode(): gauge "${name}" has a label "source" of its own, which mode "source" adds; pick another mode`,
      );
    }
    this.#gauges.set(name, mode);
  }

  /** The number of sources reporting now. */
  get sources(): number {
    this.sweep();
    return this.#live.size;
  }

  /**
   * Takes one state message. Throws {@link StateError} for a message that
   * cannot be read (nothing is changed); families that clash with the
   * aggregator's (another type, labels or buckets) are left out and named in
   * the result.
   */
  ingest(bytes: Uint8Array): IngestResult {
    const now = this.#now();
    this.sweep(now);
    let state: SourceState;
    try {
      state = decodeState(bytes, now);
    } catch (e) {
      this.#messages.invalid++;
      throw e instanceof StateError ? e : new StateError(String(e));
    }
    const id = state.source;
    const start = state.start ?? 0;
    const folded = this.#forgotten.get(id);
    if (folded !== undefined) {
      // A later run than the one folded is a new source under the id (the old
      // totals are in already); the folded run's messages and older ones are
      // not. Both starts are on the sender's clock: the aggregator's is not
      // compared with it.
      if (!(start > folded)) {
        this.#messages.forgotten++;
        return { status: "forgotten", conflicts: [] };
      }
      this.#forgotten.delete(id);
      this.#persistBase(now);
    }
    const prev = this.#live.get(id) ?? this.#retired.get(id);
    if (prev !== undefined) {
      const was = prev.state.start ?? 0;
      if (start < was || (start === was && state.seq <= prev.state.seq)) {
        this.#messages.stale++;
        return { status: "stale", conflicts: [] };
      }
      if (start > was) {
        // The source restarted under the same id, from zero: what its last run
        // counted stays in the totals, as for a source forgotten. The new state
        // takes its place below.
        this.#fold(prev, now);
        this.#restarts++;
        this.#persistBase(now);
      }
    }
    const conflicts = this.#admit(state);
    this.#retired.delete(id);
    this.#live.set(id, entry(state, now, NaN));
    this.#order = undefined;
    this.#messages.accepted++;
    if (this.#store) {
      if (prev !== undefined && !Number.isNaN(prev.retiredAt)) this.#save("retired:" + id);
      this.#save(
        "live:" + id,
        stamp(now, NaN, conflicts.length > 0 ? encodeState({ ...state, time: now }) : bytes),
      );
    }
    return { status: "accepted", conflicts };
  }

  /** Checks each family against the schema; strips and counts the ones that clash. */
  #admit(state: SourceState): string[] {
    const conflicts: string[] = [];
    state.families = state.families.filter((f) => {
      let why: string | undefined;
      const known = this.#schema.get(f.name);
      if (f.name.startsWith(SELF)) why = "a name the aggregator keeps for its own metrics";
      else if (known !== undefined) why = sameShape(known, f);
      else why = this.#define(f);
      if (why === undefined) return true;
      conflicts.push(`Source "${state.source}" sends "${f.name}" ${why}; rename one of them`);
      this.#conflicts.set(f.name, (this.#conflicts.get(f.name) ?? 0) + 1);
      return false;
    });
    return conflicts;
  }

  /** A new family: fixes its shape and registers its entry; returns why not if it cannot be. */
  #define(f: FamilyState): string | undefined {
    const mode = this.#gauges.get(f.name) ?? "sum";
    if (f.type === "gauge" && mode === "source" && f.labelNames.includes("source")) {
      return `with its own label "source", which gauge mode "source" adds; pick another mode`;
    }
    const schema: FamilyState = { ...f, series: [] };
    try {
      this.registry.register(new MergedFamily(schema, () => this.#merge(schema)));
    } catch (e) {
      return `, which clashes with another family: ${(e as Error).message}`;
    }
    this.#schema.set(f.name, schema);
    return undefined;
  }

  /** Every contributing entry, live and retired, in source-id order (stable sums). */
  #sorted(): Entry[] {
    return this.#order ??= [...this.#live.values(), ...this.#retired.values()]
      .sort((a, b) => (a.state.source < b.state.source ? -1 : 1));
  }

  #merge(schema: FamilyState): SeriesState[] {
    const now = this.#now();
    this.sweep(now);
    const name = schema.name;
    if (schema.type === "gauge" || schema.type === "info") {
      const parts: Part[] = [];
      for (const e of this.#sorted()) {
        const fam = e.fams.get(name);
        if (fam !== undefined && e.retiredAt !== e.retiredAt) {
          parts.push({ fam, source: e.state.source, receivedAt: e.receivedAt });
        }
      }
      return schema.type === "info"
        ? uniteInfo(parts.map((p) => p.fam))
        : mergeGauges(parts, this.#gauges.get(name) ?? "sum");
    }
    const fams: FamilyState[] = [];
    const base = this.#base.get(name);
    if (base !== undefined) fams.push(base);
    for (const e of this.#sorted()) {
      const fam = e.fams.get(name);
      if (fam !== undefined) fams.push(fam);
    }
    return addParts(schema, fams, now);
  }

  /**
   * Retires sources silent for `retireAfterMs` and folds those retired for
   * `forgetAfterMs` into the retained totals. Scrapes and ingests call it;
   * call it yourself only to act on a clock of your own.
   */
  sweep(now: number = this.#now()): void {
    for (const [id, e] of this.#live) {
      if (now - e.receivedAt <= this.#retireAfter) continue;
      this.#live.delete(id);
      e.retiredAt = now;
      this.#retired.set(id, e);
      if (this.#store) {
        this.#save("live:" + id);
        this.#save(
          "retired:" + id,
          stamp(e.receivedAt, now, encodeState({ ...e.state, time: now })),
        );
      }
    }
    let folded = false;
    for (const [id, e] of this.#retired) {
      if (now - e.retiredAt <= this.#forgetAfter) continue;
      this.#retired.delete(id);
      this.#forgotten.set(id, e.state.start ?? 0);
      this.#fold(e, now);
      this.#save("retired:" + id);
      folded = true;
    }
    if (!folded) return;
    this.#order = undefined;
    // Remember at most 10000 forgotten ids (the oldest go first).
    for (const id of this.#forgotten.keys()) {
      if (this.#forgotten.size <= 10000) break;
      this.#forgotten.delete(id);
    }
    this.#persistBase(now);
  }

  #fold(e: Entry, now: number): void {
    for (const fam of e.state.families) {
      if (fam.type === "gauge" || fam.type === "info") continue;
      const schema = this.#schema.get(fam.name)!;
      const base = this.#base.get(fam.name);
      const series = addParts(schema, base ? [base, fam] : [fam], now);
      this.#base.set(fam.name, { ...schema, series });
    }
  }

  #persistBase(now: number): void {
    if (!this.#store) return;
    const state: SourceState = {
      source: BASE,
      seq: 0,
      time: now,
      families: [...this.#base.values()],
    };
    this.#save("base", stamp(now, NaN, encodeState(state)));
    this.#save("forgotten", new TextEncoder().encode(JSON.stringify([...this.#forgotten])));
  }

  /**
   * Puts `value` under `key`, or deletes `key` without a value. A store that
   * throws or rejects is counted, never thrown (a rejection left alone would
   * end a Node process): the state in memory is already right.
   */
  #save(key: string, value?: Uint8Array): void {
    const store = this.#store;
    if (store === undefined) return;
    try {
      const r = value === undefined ? store.delete(key) : store.put(key, value);
      if (typeof (r as PromiseLike<unknown> | undefined)?.then === "function") {
        (r as PromiseLike<unknown>).then(undefined, () => void this.#storeFailures++);
      }
    } catch {
      this.#storeFailures++;
    }
  }

  /**
   * Loads what a store kept (the Durable Object's constructor does this with
   * `storage.list()`); entries that cannot be read are skipped and returned.
   */
  restore(entries: Iterable<readonly [string, Uint8Array]>): string[] {
    const bad: string[] = [];
    const sorted = [...entries].sort((
      [a],
      [b],
    ) => (a === "base" ? -1 : b === "base" ? 1 : a < b ? -1 : 1));
    for (const [key, value] of sorted) {
      try {
        if (key === "forgotten") {
          // Stores of before version 3 hold when each id was forgotten instead: a
          // later bound than the run's start, so that run stays refused.
          for (const [id, t] of JSON.parse(new TextDecoder().decode(value))) {
            this.#forgotten.set(String(id), Number(t));
          }
          continue;
        }
        const v = new DataView(value.buffer, value.byteOffset, value.byteLength);
        const receivedAt = v.getFloat64(0, true);
        const retiredAt = v.getFloat64(8, true);
        // Retired states were written on the retirement clock, the others on receipt.
        const clock = key.startsWith("retired:") ? retiredAt : receivedAt;
        const state = decodeState(value.subarray(16), clock);
        this.#admit(state);
        if (key === "base") {
          for (const f of state.families) this.#base.set(f.name, f);
        } else if (key.startsWith("live:")) {
          this.#live.set(state.source, entry(state, receivedAt, NaN));
        } else if (key.startsWith("retired:")) {
          this.#retired.set(state.source, entry(state, receivedAt, retiredAt));
        } else bad.push(key);
      } catch {
        bad.push(key);
      }
    }
    this.#order = undefined;
    return bad;
  }

  #selfFamilies() {
    const now = this.#now();
    this.sweep(now);
    let oldest = now;
    for (const e of this.#live.values()) if (e.receivedAt < oldest) oldest = e.receivedAt;
    return [
      {
        name: SELF + "sources",
        help:
          "Sources whose latest state is merged into this page (reporting within the retirement timeout).",
        type: "gauge" as const,
        samples: [{ value: this.#live.size }],
      },
      {
        name: SELF + "retired_sources",
        help: "Sources that stopped reporting, kept in the totals and able to rejoin.",
        type: "gauge" as const,
        samples: [{ value: this.#retired.size }],
      },
      {
        name: SELF + "oldest_state_age_seconds",
        help: "Age of the oldest state merged into this page (0 without sources).",
        type: "gauge" as const,
        samples: [{ value: (now - oldest) / 1000 }],
      },
      {
        name: SELF + "messages_total",
        help: "State messages received by this aggregator instance, by what became of them.",
        type: "counter" as const,
        samples: Object.entries(this.#messages).map(([result, value]) => ({
          labels: { result },
          value,
        })),
      },
      ...(this.#store === undefined ? [] : [{
        name: SELF + "store_failures_total",
        help:
          "Writes to the aggregator's store that failed (the totals in memory are exact; a restart may lose what was not kept).",
        type: "counter" as const,
        samples: [{ value: this.#storeFailures }],
      }]),
      {
        name: SELF + "source_restarts_total",
        help:
          "Sources that reported again under their id from a new run (a restarted process): the last run's totals were kept.",
        type: "counter" as const,
        samples: [{ value: this.#restarts }],
      },
      {
        name: SELF + "conflicts_total",
        help:
          "Families left out of a source's state because they clash with the aggregator's shape.",
        type: "counter" as const,
        samples: [...this.#conflicts].map(([family, value]) => ({ labels: { family }, value })),
      },
    ];
  }
}

function entry(state: SourceState, receivedAt: number, retiredAt: number): Entry {
  return { state, fams: new Map(state.families.map((f) => [f.name, f])), receivedAt, retiredAt };
}

function checkMode(where: string, name: unknown, mode: unknown): GaugeMode {
  if (typeof name !== "string") {
    throw new TypeError(`${where}: the gauge's name must be a string, got ${typeof name}`);
  }
  if (!GAUGE_MODES.includes(mode as GaugeMode)) {
    throw new TypeError(
      `${where}: gauge "${name}" has mode ${JSON.stringify(mode)}; use ${
        GAUGE_MODES.map((m) => `"${m}"`).join(", ")
      }`,
    );
  }
  return mode as GaugeMode;
}

function positive(v: number, name: string): number {
  if (!(v > 0)) throw new RangeError(`Aggregator: ${name} must be a number of ms > 0, got ${v}`);
  return v;
}
