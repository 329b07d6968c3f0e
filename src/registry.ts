/**
 * Registry: holds metrics and collectors and writes them in the exposition
 * formats.
 * @module
 */

import {
  counterFamily,
  infoFamily,
  type ScalarSample,
  writeCounter,
  writeGauge,
  writeInfo,
} from "./exposition/_encode.ts";
import type { Collectable, LabelValue } from "./metrics/_metric.ts";
import { checkLabelName, checkMetricName, escapeLabelValue } from "./metrics/_names.ts";

/** The Content-Type of the Prometheus text format 0.0.4. */
export const TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
/** The Content-Type of OpenMetrics 1.0.0. */
export const OPENMETRICS_CONTENT_TYPE =
  "application/openmetrics-text; version=1.0.0; charset=utf-8";

/**
 * A metric family produced by a custom collector at scrape time.
 *
 * Counter values must be finite and >= 0. For an `info` family each sample's
 * labels are the facts and the value is ignored (always 1).
 */
export interface MetricFamily {
  /** The metric name (a counter's name as its samples should show it, e.g. `x_total`). */
  name: string;
  /** The help text. */
  help: string;
  /** The type. */
  type: "counter" | "gauge" | "untyped" | "info";
  /** The unit (OpenMetrics `# UNIT`); the name must end with it. */
  unit?: string;
  /** The samples: one per label set. */
  samples: readonly { labels?: Readonly<Record<string, LabelValue>>; value: number }[];
}

/** A custom collector: called at every scrape, returns families. */
export type Collector = () =>
  | readonly MetricFamily[]
  | Promise<readonly MetricFamily[]>;

/** Options of {@link Registry.metrics} and {@link Registry.chunks}. */
export interface ExpositionOptions {
  /** Write OpenMetrics 1.0 instead of text 0.0.4. */
  openMetrics?: boolean;
  /** Only the families with these names (the name as registered). */
  names?: readonly string[];
}

/** Thrown by `register` when a name is taken; `existing` is the holder. */
export class AlreadyRegisteredError extends TypeError {
  /** The metric that holds the name. */
  readonly existing: unknown;
  /** @internal */
  constructor(message: string, existing: unknown) {
    super(message);
    this.name = "AlreadyRegisteredError";
    this.existing = existing;
  }
}

/** Thrown by a scrape when collectors failed; holds every failure. */
export class CollectError extends Error {
  /** What each failing metric or collector threw. */
  readonly errors: readonly unknown[];
  /** @internal */
  constructor(errors: unknown[]) {
    super(
      `${errors.length} collector(s) failed: ` +
        errors.map((e) => e instanceof Error ? e.message : String(e)).join("; "),
    );
    this.name = "CollectError";
    this.errors = errors;
  }
}

interface Entry {
  readonly name: string;
  encode(om: boolean): Iterable<string> | Promise<Iterable<string>>;
}

/**
 * A set of metrics and collectors, written together.
 *
 * @example
 * ```ts
 * import { Counter, Registry } from "../mod.ts";
 * const registry = new Registry();
 * const c = new Counter({ name: "jobs_total", help: "Jobs.", registry });
 * c.inc();
 * console.log(await registry.metrics()); // # HELP jobs_total Jobs. ...
 * ```
 */
export class Registry {
  #metrics = new Map<string, Collectable>();
  #reserved = new Map<string, Collectable>();
  #collectors = new Set<Collector>();
  #sorted: Collectable[] | undefined;

  /** The Content-Type of {@link Registry.metrics}' default output. */
  readonly contentType: string = TEXT_CONTENT_TYPE;

  /**
   * Adds a metric. Throws {@link AlreadyRegisteredError} when its name, or a
   * sample name it writes (`_total`, `_bucket`, ...), is taken.
   */
  register(metric: Collectable): void {
    for (const n of metric.reservedNames) {
      const holder = this.#reserved.get(n);
      if (holder !== undefined) {
        throw new AlreadyRegisteredError(
          holder.name === metric.name
            ? `A metric named "${metric.name}" is already registered; reuse it (registry.get("${metric.name}")) or pick another name`
            : `Metric "${metric.name}" would write "${n}", which metric "${holder.name}" already writes; pick another name`,
          holder,
        );
      }
    }
    this.#metrics.set(metric.name, metric);
    for (const n of metric.reservedNames) this.#reserved.set(n, metric);
    this.#sorted = undefined;
  }

  /** Removes a metric, by name or by itself; returns whether it was there. */
  unregister(metric: string | Collectable): boolean {
    const m = this.#metrics.get(typeof metric === "string" ? metric : metric.name);
    if (m === undefined || (typeof metric !== "string" && m !== metric)) return false;
    this.#metrics.delete(m.name);
    for (const n of m.reservedNames) this.#reserved.delete(n);
    this.#sorted = undefined;
    return true;
  }

  /** The metric registered under `name`. */
  get(name: string): Collectable | undefined {
    return this.#metrics.get(name);
  }

  /** Every registered metric, sorted by name. */
  getAll(): Collectable[] {
    return [...this.#sortedMetrics()];
  }

  /** Adds a custom collector, called at every scrape. */
  registerCollector(collector: Collector): void {
    if (typeof collector !== "function") {
      throw new TypeError("registerCollector() takes a function returning metric families");
    }
    this.#collectors.add(collector);
  }

  /** Removes a custom collector; returns whether it was there. */
  unregisterCollector(collector: Collector): boolean {
    return this.#collectors.delete(collector);
  }

  /** Removes every metric and collector. */
  clear(): void {
    this.#metrics.clear();
    this.#reserved.clear();
    this.#collectors.clear();
    this.#sorted = undefined;
  }

  #sortedMetrics(): Collectable[] {
    return this.#sorted ??= [...this.#metrics.values()].sort(byName);
  }

  /** Runs the collectors and returns every family to write, sorted by name. */
  async #entries(names: readonly string[] | undefined, errors: unknown[]): Promise<Entry[]> {
    const want = names && names.length > 0 ? new Set(names) : undefined;
    let entries: Entry[] = this.#sortedMetrics();
    if (want) entries = entries.filter((m) => want.has(m.name));
    if (this.#collectors.size === 0) return entries;
    const extra: Entry[] = [];
    const seen = new Set<string>();
    for (const c of this.#collectors) {
      try {
        for (const fam of await c()) {
          const entry = familyEntry(fam);
          const taken = this.#reserved.get(fam.name) ?? this.#reserved.get(entry.family);
          if (taken !== undefined || seen.has(entry.family)) {
            throw new TypeError(
              `A collector returned family "${fam.name}", which is already written by another metric`,
            );
          }
          seen.add(entry.family);
          if (!want || want.has(fam.name)) extra.push(entry);
        }
      } catch (e) {
        errors.push(e);
      }
    }
    return entries.concat(extra).sort(byName);
  }

  /**
   * Writes every family, in pieces of about `chunkSize` characters, one
   * family at least, and lets the event loop run between pieces, so a large
   * page does not hold up the process for the whole scrape. Throws {@link CollectError} at the end
   * when a metric or collector failed.
   */
  async *chunks(options: ExpositionOptions = {}, chunkSize = 65536): AsyncGenerator<string> {
    const om = options.openMetrics === true;
    const errors: unknown[] = [];
    const entries = await this.#entries(options.names, errors);
    let buf = "";
    for (const e of entries) {
      try {
        const r = e.encode(om);
        for (const piece of r instanceof Promise ? await r : r) {
          buf += piece;
          if (buf.length >= chunkSize) {
            yield buf;
            buf = "";
            await breath();
          }
        }
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new CollectError(errors);
    if (om) buf += "# EOF\n";
    if (buf) yield buf;
  }

  /**
   * The whole exposition as one string: text 0.0.4 by default, OpenMetrics
   * 1.0 with `{ openMetrics: true }`. Rejects with {@link CollectError} when a
   * metric or collector failed.
   */
  async metrics(options: ExpositionOptions = {}): Promise<string> {
    let out = "";
    for await (const c of this.chunks(options)) out += c;
    return out;
  }
}

/** Orders families by name (code-unit order, as Go's sort.Strings). */
function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

const g = globalThis as { setImmediate?: (cb: () => void) => unknown };

/** Lets timers and I/O run: a macrotask turn (setImmediate where there is one). */
function breath(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof g.setImmediate === "function") g.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/** Checks a collector's family and makes it writable. */
function familyEntry(fam: MetricFamily): Entry & { family: string } {
  if (fam === null || typeof fam !== "object") {
    throw new TypeError("A collector must return an array of metric families");
  }
  checkMetricName(fam.name);
  const { name, help, type, unit } = fam;
  if (typeof help !== "string") {
    throw new TypeError(`Collected family "${name}": help must be a string`);
  }
  if (
    unit !== undefined &&
    (type === "info" || !(type === "counter" ? counterFamily(name) : name).endsWith("_" + unit))
  ) {
    throw new TypeError(
      `Collected family "${name}": unit "${unit}" must be the end of the name (and info has none)`,
    );
  }
  if (!Array.isArray(fam.samples)) {
    throw new TypeError(`Collected family "${name}": samples must be an array`);
  }
  const samples: ScalarSample[] = fam.samples.map((s) => {
    let text = "";
    const labels = s.labels ?? {};
    for (const k in labels) {
      checkLabelName(name, k);
      const v = labels[k];
      if (typeof v !== "string" && typeof v !== "number") {
        throw new TypeError(`Collected family "${name}": label "${k}" must be a string or number`);
      }
      text += (text ? "," : "") + k + '="' + escapeLabelValue("" + v) + '"';
    }
    const value = s.value;
    if (typeof value !== "number" && type !== "info") {
      throw new TypeError(`Collected family "${name}": sample values must be numbers`);
    }
    if (type === "counter" && !(value >= 0)) {
      throw new RangeError(
        `Collected counter "${name}" has value ${value}: a counter must be >= 0`,
      );
    }
    return { labelText: text, value };
  });
  switch (type) {
    case "counter":
      return {
        name,
        family: counterFamily(name),
        encode: (om) => [writeCounter(name, help, unit, samples, om)],
      };
    case "gauge":
    case "untyped":
      return {
        name,
        family: name,
        encode: (om) => [writeGauge(name, help, unit, samples, om, type)],
      };
    case "info":
      return {
        name,
        family: infoFamily(name),
        encode: (om) => [writeInfo(name, help, samples, om)],
      };
    default:
      throw new TypeError(
        `Collected family "${name}": type ${
          JSON.stringify(type)
        } is not one of counter, gauge, untyped, info`,
      );
  }
}

/** The registry metrics join when no `registry` option is given. */
export const defaultRegistry: Registry = new Registry();

/** prom-client's name for the default registry. */
export const register: Registry = defaultRegistry;
