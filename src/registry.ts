/**
 * Registry: holds metrics and collectors, keeps their names apart, gathers
 * their families at a scrape (concurrently, within a deadline) and hands
 * them to a format.
 * @module
 */

import type {
  Collectable,
  CollectOptions,
  Collector,
  FamilyDescription,
  FamilySnapshot,
  LabelValue,
  MetricFamily,
} from "./collector.ts";
import { checkLabelName, labelValueText, reservedNames, show } from "./_names.ts";
import { checkOptions } from "./_options.ts";
import { MAX_TIMER_MS } from "./_timers.ts";
import { type DefaultLabels, withDefaultLabels } from "./_default_labels.ts";
import { collectedFamily, familiesOf } from "./_collected.ts";
import { checkFormats, type Format, type PageOptions } from "./exposition/format.ts";
import { breath, pagePieces, pageStream, PIECE_SERIES } from "./exposition/_page.ts";
import { TEXT_CONTENT_TYPE, textFormat } from "./exposition/text.ts";

export type { Collector, MetricFamily };

/** Options of {@link Registry}. */
export interface RegistryOptions {
  /**
   * How long a scrape waits for metrics' collect hooks and custom collectors
   * before it fails naming the ones still running (default 10 s). A
   * scraper's `X-Prometheus-Scrape-Timeout-Seconds` takes its place in the
   * handler.
   */
  collectTimeoutSeconds?: number;
  /**
   * Labels added to every series this registry writes, in every format and
   * in `collect()` snapshots, e.g. `{ service: "api" }`. A series whose
   * metric has a label of the same name keeps its own. See
   * {@link Registry.setDefaultLabels}.
   */
  defaultLabels?: Readonly<Record<string, LabelValue>>;
}

/** Which families a registry read gathers, and its deadline. */
export interface GatherOptions {
  /** Only the families with these names (the name as registered). */
  names?: readonly string[];
  /** The deadline for this scrape's collectors, in seconds (default: the registry's). */
  timeoutSeconds?: number;
}

/** Options of {@link Registry.collect}. */
export interface CollectionOptions extends GatherOptions {
  /**
   * `false`: summaries leave their quantile values out (empty `quantiles`
   * per series), for readers that merge the sketches instead (aggregation).
   * Default true.
   * @internal
   */
  quantiles?: boolean;
}

/** Options of {@link Registry.metrics}, {@link Registry.chunks} and {@link Registry.stream}. */
export interface ExpositionOptions extends GatherOptions, PageOptions {
  /**
   * The format (default text 0.0.4): `openMetricsFormat` for OpenMetrics 1.0,
   * `protobufFormat` from `@promedge/client/protobuf` (bytes: `stream()` only),
   * or the one `negotiate()` picks for an Accept header (offer it
   * `[...registry.formats, ...FORMATS]`: protobuf is in `registry.formats`
   * once a native histogram is). Only the formats a program names are in its
   * bundle.
   */
  format?: Format;
}

/** Options of {@link Registry.stream}: those of {@link Registry.metrics}. */
export type StreamOptions = ExpositionOptions;

/** Options of {@link Registry.registerCollector}. */
export interface CollectorOptions {
  /** A name for messages (default: the function's name). */
  name?: string;
  /**
   * The families it returns. Declared names are reserved at once (a metric
   * that would clash is refused at creation), a `name[]` scrape runs the
   * collector only when it asks for one of them, and returning anything
   * else fails the scrape.
   */
  families?: readonly FamilyDescription[];
}

/** Thrown by `register` when a name is taken; `existing` is the holder. */
export class AlreadyRegisteredError extends TypeError {
  /** The metric (or collector function) that holds the name. */
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
  constructor(errors: unknown[], sources: string[] = []) {
    super(
      `${errors.length} collector(s) failed: ` +
        errors.map((e, i) => {
          const msg = e instanceof Error ? e.message : String(e);
          const src = sources[i];
          return src && !msg.startsWith(src) ? `${src}: ${msg}` : msg;
        }).join("; "),
    );
    this.name = "CollectError";
    this.errors = errors;
  }
}

/** A registered collector and what it declared. */
interface CollectorEntry {
  readonly fn: Collector;
  readonly label: string;
  readonly families: ReadonlyMap<string, MetricFamily["type"]> | undefined;
}

type Holder = Collectable | CollectorEntry;

function describe(h: Holder): string {
  return "fn" in h ? h.label : `metric "${h.name}"`;
}

const DEFAULT_TIMEOUT_SECONDS = 10;
/** Series read between two macrotask turns while gathering. */
const BREATH_SERIES = 5 * PIECE_SERIES;

function checkTimeout(what: string, s: unknown): number {
  if (typeof s !== "number" || !(s > 0)) {
    throw new RangeError(`${what} must be a number of seconds > 0, got ${show(s)}`);
  }
  return s;
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
  #reserved = new Map<string, Holder>();
  #collectors = new Map<Collector, CollectorEntry>();
  #sorted: Collectable[] | undefined;
  /** Each metric's `formats`, as read when it was registered (only those that name some). */
  #formatsOf = new Map<string, readonly Format[]>();
  #formats: readonly Format[] | undefined;
  #timeout: number;
  #defaults: DefaultLabels | undefined;

  /** The Content-Type of {@link Registry.metrics}' default output. */
  readonly contentType: string = TEXT_CONTENT_TYPE;

  /** Makes an empty registry. */
  constructor(options: RegistryOptions = {}) {
    checkOptions("Registry", options, ["collectTimeoutSeconds", "defaultLabels"]);
    if (options.defaultLabels !== undefined) this.setDefaultLabels(options.defaultLabels);
    this.#timeout = options.collectTimeoutSeconds === undefined
      ? DEFAULT_TIMEOUT_SECONDS
      : checkTimeout("Registry: collectTimeoutSeconds", options.collectTimeoutSeconds);
  }

  /**
   * Sets the labels added to every series this registry writes (replacing
   * any set before; `{}` removes them): in every format and in `collect()`
   * snapshots. A series whose metric has a label of the same name keeps its
   * own value. Numbers are written as strings.
   *
   * @example
   * ```ts
   * import { Counter, Registry } from "../mod.ts";
   * const registry = new Registry();
   * registry.setDefaultLabels({ service: "api" });
   * new Counter({ name: "jobs_total", help: "Jobs.", registry }).inc();
   * console.log(await registry.metrics()); // jobs_total{service="api"} 1
   * ```
   */
  setDefaultLabels(labels: Readonly<Record<string, LabelValue>>): void {
    if (labels === null || typeof labels !== "object" || Array.isArray(labels)) {
      throw new TypeError(
        `setDefaultLabels() takes an object of label names and values, e.g. { service: "api" }; got ${
          show(labels)
        }`,
      );
    }
    const names: string[] = [];
    const values: string[] = [];
    for (const name in labels) {
      checkLabelName("default labels", name);
      if (name === "le" || name === "quantile") {
        throw new TypeError(
          `Registry: default label "${name}" would clash with the histogram bucket or summary quantile label; rename it`,
        );
      }
      names.push(name);
      values.push(labelValueText(`Registry: default label "${name}"`, labels[name]));
    }
    this.#defaults = names.length === 0 ? undefined : { names, values };
  }

  /** The labels set by {@link Registry.setDefaultLabels}, as strings (`{}` when none). */
  get defaultLabels(): Record<string, string> {
    const out: Record<string, string> = {};
    const d = this.#defaults;
    if (d) { for (let i = 0; i < d.names.length; i++) out[d.names[i]] = d.values[i]; }
    return out;
  }

  /**
   * Adds a metric. Throws {@link AlreadyRegisteredError} when its name, or a
   * sample name it writes (`_total`, `_bucket`, ...), is taken by a metric or
   * by a collector's declared family.
   */
  register(metric: Collectable): void {
    const m = metric as Partial<Collectable> | null;
    if (
      m === null || typeof m !== "object" || typeof m.name !== "string" ||
      !Array.isArray(m.reservedNames) || typeof m.collect !== "function"
    ) {
      throw new TypeError(
        `register() takes a metric (Counter, Gauge, Histogram, Summary, Info) or an object with name, reservedNames and collect(); got ${
          show(metric)
        }`,
      );
    }
    const formats = checkFormats(`register(): metric "${metric.name}": `, m.formats);
    this.#check(metric.name, metric.reservedNames, metric);
    for (const n of metric.reservedNames) this.#reserved.set(n, metric);
    this.#metrics.set(metric.name, metric);
    if (formats.length > 0) this.#formatsOf.set(metric.name, formats.slice());
    else this.#formatsOf.delete(metric.name);
    this.#sorted = this.#formats = undefined;
  }

  /** Throws unless every name that family `name` writes is free (or already `holder`'s). */
  #check(name: string, names: readonly string[], holder: Holder): void {
    for (const n of names) {
      const h = this.#reserved.get(n);
      if (h === undefined || h === holder) continue;
      const what = "fn" in holder ? `${holder.label}'s family "${name}"` : `Metric "${name}"`;
      throw new AlreadyRegisteredError(
        !("fn" in h) && h.name === name && !("fn" in holder)
          ? `A metric named "${name}" is already registered; reuse it (registry.get("${name}")) or pick another name`
          : `${what} would write "${n}", which ${describe(h)} already writes; pick another name`,
        "fn" in h ? h.fn : h,
      );
    }
  }

  /** Removes a metric, by name or by itself; returns whether it was there. */
  unregister(metric: string | Collectable): boolean {
    const m = this.#metrics.get(typeof metric === "string" ? metric : metric.name);
    if (m === undefined || (typeof metric !== "string" && m !== metric)) return false;
    this.#metrics.delete(m.name);
    this.#formatsOf.delete(m.name);
    for (const n of m.reservedNames) this.#reserved.delete(n);
    this.#sorted = this.#formats = undefined;
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

  /**
   * Adds a custom collector, called at every scrape. Declaring its
   * `families` reserves their names now and lets a `name[]` scrape skip it.
   */
  registerCollector(collector: Collector, options: CollectorOptions = {}): void {
    if (typeof collector !== "function") {
      throw new TypeError(
        `registerCollector() takes a function returning metric families, got ${show(collector)}`,
      );
    }
    if (this.#collectors.has(collector)) return;
    const label = `collector "${options.name ?? (collector.name || "anonymous")}"`;
    let families: Map<string, MetricFamily["type"]> | undefined;
    if (options.families !== undefined) {
      families = new Map();
      for (const f of options.families) families.set(f.name, f.type);
    }
    const entry: CollectorEntry = { fn: collector, label, families };
    if (families) {
      for (const [n, t] of families) this.#check(n, reservedNames(t, n), entry);
      for (const [n, t] of families) {
        for (const r of reservedNames(t, n)) this.#reserved.set(r, entry);
      }
    }
    this.#collectors.set(collector, entry);
  }

  /** Removes a custom collector; returns whether it was there. */
  unregisterCollector(collector: Collector): boolean {
    const entry = this.#collectors.get(collector);
    if (entry === undefined) return false;
    this.#collectors.delete(collector);
    for (const [n, h] of [...this.#reserved]) if (h === entry) this.#reserved.delete(n);
    return true;
  }

  /** Removes every metric and collector. */
  clear(): void {
    this.#metrics.clear();
    this.#formatsOf.clear();
    this.#reserved.clear();
    this.#collectors.clear();
    this.#sorted = this.#formats = undefined;
  }

  /**
   * The formats its metrics need beyond text and OpenMetrics (protobuf, once
   * it holds a native histogram), each once, in the order registered: a
   * metrics handler serving the registry offers them. A metric's `formats`
   * are read when it is registered. The same array until a metric comes or
   * goes.
   */
  get formats(): readonly Format[] {
    return this.#formats ??= Object.freeze([...new Set([...this.#formatsOf.values()].flat())]);
  }

  #sortedMetrics(): Collectable[] {
    return this.#sorted ??= [...this.#metrics.values()].sort(byName);
  }

  /**
   * Runs the collect hooks and collectors, concurrently, within the
   * deadline; checks the collectors' families; returns every family to
   * write, sorted by name. Throws {@link CollectError} naming every failure.
   */
  async #gather(
    options: GatherOptions,
    labels: boolean,
    format?: Format,
  ): Promise<FamilySnapshot[]> {
    const defaults = this.#defaults;
    const native = format?.nativeHistograms !== false;
    const families = await this.#gatherAll(options, labels || defaults !== undefined, native);
    return defaults === undefined ? families : families.map((f) => withDefaultLabels(f, defaults));
  }

  async #gatherAll(
    options: GatherOptions,
    labels: boolean,
    native: boolean,
  ): Promise<FamilySnapshot[]> {
    const names = options.names;
    const want = names && names.length > 0 ? new Set(names) : undefined;
    let metrics = this.#sortedMetrics();
    if (want) metrics = metrics.filter((m) => want.has(m.name));
    let collectors = [...this.#collectors.values()];
    if (want) {
      collectors = collectors.filter((c) =>
        c.families === undefined || [...c.families.keys()].some((n) => want.has(n))
      );
    }
    const errors: unknown[] = [];
    const sources: string[] = [];
    const fail = (source: string, e: unknown) => {
      errors.push(e);
      sources.push(source);
    };
    const running = new Map<string, Promise<void>>();
    // A page (no labels) is written a slice at a time: metrics may make their
    // series snapshots slice by slice (see CollectOptions.lazy).
    // A format that writes no native histograms (text, OpenMetrics) spares their building.
    const opts: CollectOptions = labels
      ? { labels: true, quantiles: (options as CollectionOptions).quantiles }
      : { lazy: true };
    if (!native) opts.native = false;

    const out: FamilySnapshot[] = new Array(metrics.length);
    let walked = 0;
    for (let i = 0; i < metrics.length; i++) {
      const m = metrics[i];
      if (walked > BREATH_SERIES) {
        // A large registry: let timers and I/O run between families here too.
        walked = 0;
        await breath();
      }
      try {
        const r = m.collect(opts);
        if (r instanceof Promise) {
          const source = `metric "${m.name}"`;
          running.set(
            source,
            r.then((f) => {
              out[i] = f;
            }, (e) => fail(source, e)).finally(() => running.delete(source)),
          );
        } else {
          out[i] = r;
          walked += r.series.length;
        }
      } catch (e) {
        fail(`metric "${m.name}"`, e);
      }
    }
    const returned = new Map<CollectorEntry, unknown>();
    for (const c of collectors) {
      try {
        const r = c.fn();
        if (r instanceof Promise) {
          running.set(
            c.label,
            r.then((v) => {
              returned.set(c, v);
            }, (e) => fail(c.label, e)).finally(() => running.delete(c.label)),
          );
        } else returned.set(c, r);
      } catch (e) {
        fail(c.label, e);
      }
    }
    if (running.size > 0) {
      const seconds = options.timeoutSeconds === undefined
        ? this.#timeout
        : checkTimeout("timeoutSeconds", options.timeoutSeconds);
      await within([...running.values()], seconds * 1000);
      for (const source of running.keys()) {
        fail(
          source,
          new Error(`${source} did not finish within ${seconds} s (the scrape's deadline)`),
        );
      }
    }
    if (errors.length === 0 && returned.size === 0) return out;

    // The collectors' families: checked, kept apart from every other name.
    const seen = new Map<string, string>();
    const extra: FamilySnapshot[] = [];
    for (const c of collectors) {
      if (!returned.has(c)) continue;
      try {
        for (const item of familiesOf(c.label, returned.get(c))) {
          const fam = collectedFamily(c.label, item);
          const what = `${fam.type} "${fam.name}" of ${c.label}`;
          if (c.families && c.families.get(fam.name) !== fam.type) {
            throw new TypeError(
              `${c.label} returned ${fam.type} "${fam.name}", which it did not declare (declared: ${
                [...c.families].map(([n, t]) => `${t} "${n}"`).join(", ")
              })`,
            );
          }
          for (const n of reservedNames(fam.type, fam.name)) {
            const holder = this.#reserved.get(n);
            const other = holder === undefined || holder === c ? seen.get(n) : describe(holder);
            if (other !== undefined) {
              throw new TypeError(
                `${c.label} returned ${fam.type} "${fam.name}", which would write "${n}" as ${other} does; rename one of them`,
              );
            }
          }
          for (const n of reservedNames(fam.type, fam.name)) seen.set(n, what);
          if (!want || want.has(fam.name)) extra.push(fam);
        }
      } catch (e) {
        fail(c.label, e);
      }
    }
    if (errors.length > 0) throw new CollectError(errors, sources);
    return extra.length === 0 ? out : out.concat(extra).sort(byName);
  }

  /**
   * Reads every family now: a typed snapshot with each series' raw labels
   * and values, detached from the live metrics, sorted by name. For
   * exporters and aggregation; the formats read the same objects. Rejects
   * with {@link CollectError} when a metric or collector failed.
   *
   * @example
   * ```ts
   * import { Counter, Registry } from "../mod.ts";
   * const registry = new Registry();
   * new Counter({ name: "jobs_total", help: "Jobs.", labelNames: ["q"], registry })
   *   .inc({ q: "mail" }, 2);
   * const [jobs] = await registry.collect();
   * console.log(jobs.type, jobs.series[0].labels, jobs.series[0]); // counter { q: "mail" } ...
   * ```
   */
  collect(options: CollectionOptions = {}): Promise<FamilySnapshot[]> {
    return this.#gather(options, true);
  }

  /**
   * Writes every family in text 0.0.4 (or the text format in `format`), in
   * pieces of about `chunkSize` characters, one family slice at least, and
   * lets the event loop run between pieces. Everything is collected first:
   * a failing collector throws {@link CollectError} before the first piece.
   */
  chunks(options: ExpositionOptions = {}, chunkSize = 65536): AsyncGenerator<string> {
    return this.#chunks("registry.chunks()", options, chunkSize);
  }

  async *#chunks(call: string, options: ExpositionOptions, size?: number): AsyncGenerator<string> {
    const format = pageFormat(call, options);
    const families = await this.#gather(options, false, format);
    for await (const piece of pagePieces(families, format.writer(options), size)) {
      if (typeof piece !== "string") {
        throw new TypeError(
          `${call}: the ${format.name} format writes bytes, not text; use registry.stream({ format })`,
        );
      }
      yield piece;
    }
  }

  /**
   * The whole exposition as one string: text 0.0.4 by default, OpenMetrics
   * 1.0 with `{ format: openMetricsFormat }` (`_created` samples only with
   * `createdTimestamps: true`). Rejects with {@link CollectError} when a
   * metric or collector failed.
   *
   * @example
   * ```ts
   * import { Counter, openMetricsFormat, Registry } from "../mod.ts";
   * const registry = new Registry();
   * new Counter({ name: "jobs_total", help: "Jobs.", registry }).inc();
   * console.log(await registry.metrics({ format: openMetricsFormat })); // ... # EOF
   * ```
   */
  async metrics(options: ExpositionOptions = {}): Promise<string> {
    let out = "";
    for await (const c of this.#chunks("registry.metrics()", options)) out += c;
    return out;
  }

  /**
   * Collects every family, then returns the page in `format` (default text
   * 0.0.4) as a byte stream written piece by piece. Rejects with
   * {@link CollectError} (before any byte) when a metric or collector failed.
   */
  async stream(options: StreamOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const format = pageFormat("registry.stream()", options);
    const families = await this.#gather(options, format.needsLabels, format);
    return pageStream(pagePieces(families, format.writer(options)));
  }
}

const PAGE_OPTIONS = ["names", "timeoutSeconds", "createdTimestamps", "format"];

/** The format of a page call, its options checked. */
function pageFormat(call: string, options: ExpositionOptions): Format {
  checkOptions(call, options, PAGE_OPTIONS);
  const format = options.format ?? textFormat;
  if (typeof format?.writer !== "function") {
    throw new TypeError(
      `${call}: format must be a Format such as textFormat or openMetricsFormat, got ${
        show(format)
      }`,
    );
  }
  return format;
}

/** Waits for every promise, or `ms`, whichever comes first. */
function within(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.min(ms, MAX_TIMER_MS));
  });
  return Promise.race([Promise.all(promises).then(() => {}), deadline]).finally(() =>
    clearTimeout(timer)
  );
}

/** Orders families by name (code-unit order, as Go's sort.Strings). */
function byName(a: { readonly name: string }, b: { readonly name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The registry metrics join when no `registry` option is given, bare: the
 * public `defaultRegistry` (src/collectors/default.ts) is this one with the
 * default metrics added, so that only a program that reads it carries them.
 * @internal
 */
export const defaultRegistry: Registry = /* @__PURE__ */ new Registry();
