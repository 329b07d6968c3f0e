/**
 * The base every metric type builds on: name and label checks, the series
 * store, and registration.
 *
 * Series are kept in a tree of Maps, one level per label name in
 * `labelNames` order, keyed by the label value as a string. A labelled call
 * walks at most `labelNames.length` Map lookups: no key sorting, no
 * serialisation of the label object, and two different label sets can never
 * share a key. A level that holds one key only is no Map: an inner one is a
 * `One`, the last one the series itself (a series keeps its last label
 * value). A series keeps no label text: a read builds it from the tree's keys
 * as it walks (a prefix per level, shared by siblings, then one concatenation
 * per series), so a series costs its values and its place in the tree.
 * @module
 */

import {
  checkLabelNames,
  checkMetricName,
  checkUnit,
  loneSurrogateAt,
  notUnicode,
} from "../_names.ts";
import { checkOptions } from "../_options.ts";
import { escapeLabelValue } from "../exposition/_escape.ts";
import type {
  Collectable,
  CollectOptions,
  FamilySnapshot,
  LabelValue,
  MetricType,
  SeriesSnapshot,
} from "../collector.ts";
import { lazyFamily } from "../collector.ts";
import { defaultRegistry, type Registry } from "../registry.ts";
import { type OverflowCell, overflowCell } from "./_overflow.ts";

export type { Collectable, LabelValue, MetricType };

/** The label set of a metric whose label names are `L`. */
export type Labels<L extends string> = { readonly [K in L]: LabelValue };

/** Options every metric takes. */
export interface MetricOptions<L extends string> {
  /** The metric name, e.g. `http_requests_total`. */
  name: string;
  /** What the metric measures, shown as `# HELP`. */
  help: string;
  /** The label names; every observation then names a value for each. */
  labelNames?: readonly L[];
  /**
   * The registry to register with: the default registry when absent, none
   * when `null`.
   */
  registry?: Registry | null;
  /**
   * The unit (OpenMetrics `# UNIT`), e.g. `seconds`; the name must end with
   * `_<unit>` (before `_total` for a counter).
   */
  unit?: string;
  /**
   * The most label sets this metric keeps. An update for a new label set
   * past the cap goes to one overflow series whose every label is
   * {@link OVERFLOW_VALUE} (`sum()` over the family stays exact), counted in
   * the registry's `promedge_series_overflow_total{metric="<name>"}`; series
   * that exist keep counting, nothing throws. A whole number >= 1; default:
   * no cap.
   */
  maxSeries?: number;
  /**
   * Drop a series not updated for this many seconds from the next scrape
   * (checked at each scrape or `collect()`: a series counts as updated when
   * a scrape finds it changed since the one before, or, for a gauge, when
   * it was set, increased or decreased). Updating it again, also through a
   * bound child, brings it back with its new value. Needs `labelNames`.
   */
  ttlSeconds?: number;
  /** The clock for `ttlSeconds`, in epoch milliseconds (default `Date.now`); for tests. */
  now?: () => number;
}

/** The value of every label of a metric's overflow series (see {@link MetricOptions.maxSeries}). */
export const OVERFLOW_VALUE = "__overflow__";

/** What a capped metric keeps. */
interface Cap<S> {
  /** maxSeries. */
  max: number;
  /** The overflow series while it is in the tree. */
  overflow: S | undefined;
  /** Where overflowed updates are counted (the registry's overflow counter, or a local cell). */
  counted: OverflowCell;
}

/** What a TTL metric keeps. */
interface Ttl<S extends object> {
  /** ttlSeconds in ms. */
  ms: number;
  clock: () => number;
  /** Each series as the last scrape found it. */
  seen: WeakMap<S, Seen>;
  /** For a gauge: the series updated since the last scrape. */
  touched: Set<S> | undefined;
}

/** What a TTL metric remembers of a series between scrapes. */
interface Seen {
  /** What the last scrape read (a value or a count). */
  v: number;
  /** When a scrape first found it as it is now, epoch ms. */
  at: number;
}

/** @internal The options every metric type takes. */
const METRIC_OPTIONS: readonly string[] = [
  "name",
  "help",
  "labelNames",
  "registry",
  "unit",
  "maxSeries",
  "ttlSeconds",
  "now",
  "collect",
];

/**
 * @internal Throws a TypeError naming an option `kind` does not take (one
 * of `METRIC_OPTIONS` or `extra`).
 */
export function checkMetricOptions(
  kind: string,
  opts: unknown,
  extra: readonly string[] = [],
): void {
  const name = (opts as { name?: unknown } | null)?.name;
  checkOptions(`${kind} ${JSON.stringify(name)}`, opts, [...METRIC_OPTIONS, ...extra]);
}

/**
 * One series' common part: its last label value (`""` without labels), what
 * the tree needs when the series sits alone on its level.
 * @ignore
 */
export interface SeriesBase {
  readonly k: string;
}

/** @internal Epoch seconds (a gauge's `setToCurrentTime`). */
export function nowSeconds(): number {
  return Date.now() / 1000;
}

/** When this module was loaded, epoch ms: the origin of {@link createdNow}. */
const EPOCH_MS = Date.now();

/**
 * @internal A series' creation time as kept: whole milliseconds since this
 * module was loaded, a small integer for the first 12 days of a process
 * (V8 then keeps it in the object, unboxed; later ones are still exact, in
 * a boxed number). {@link createdSeconds} turns it into epoch seconds.
 */
export function createdNow(): number {
  const ms = Date.now() - EPOCH_MS;
  // `| 0` tells V8 it is a small integer; from day 12 on, the plain number.
  return ms >= 0 && ms < 0x40000000 ? ms | 0 : ms;
}

/** @internal Epoch seconds of a creation time kept by {@link createdNow}. */
export function createdSeconds(c: number): number {
  return (EPOCH_MS + c) / 1000;
}

/**
 * A tree level: a Map, or while it holds one key only, a `One` (an inner
 * level) or the series itself (the last level): a Map costs some 200 bytes,
 * and most levels below the first of a high-cardinality metric hold one key.
 * On JavaScriptCore (Bun) a level past {@link DICT_AT} keys becomes a
 * {@link Dict}.
 */
type Node = Level | One | SeriesBase;
/** A level of two keys or more. */
type Level = Map<string, unknown> | Dict;

/**
 * A big level on JavaScriptCore: a null-prototype object in dictionary mode,
 * its key count under {@link SIZE}. There a Map entry costs ~70 bytes and a
 * dictionary property ~45 (by RSS); on V8 it is the other way round, so V8
 * keeps Maps. Integer-like keys ("200") enumerate first, in numeric order.
 */
interface Dict {
  [key: string]: unknown;
  [SIZE]: number;
}
const SIZE: unique symbol = Symbol("size");
/** Keys past which a level becomes a Dict: 64 (JavaScriptCore's own dictionary point) on Bun. */
let DICT_AT = typeof (globalThis as { Bun?: unknown }).Bun === "object" ? 64 : Infinity;

/**
 * @internal Sets the keys past which a level becomes a Dict (tests run the
 * Dict levels on every runtime with it); returns the previous value.
 */
export function _dictLevelsPast(keys: number): number {
  const was = DICT_AT;
  DICT_AT = keys;
  return was;
}

function isDict(node: unknown): node is Dict {
  return (node as Dict)[SIZE] !== undefined;
}

/** The Dict holding what Map `m` holds. */
function toDict(m: Map<string, unknown>): Dict {
  const d = Object.create(null) as Dict;
  m.forEach((v, k) => {
    d[k] = v;
  });
  d[SIZE] = m.size;
  return d;
}

/**
 * The label values of a series being created, reused from call to call: a
 * new series then makes no garbage but itself (#place keeps none of it).
 */
const SCRATCH: string[] = [];

class One {
  constructor(public k: string, public v: unknown) {}
}

/** The child at `key` of `node`, a level of the tree; `last`: the last level, of series. */
function childOf(node: Node, key: string, last: boolean): unknown {
  if (node instanceof Map) return node.get(key);
  if (isDict(node)) return node[key];
  if (node.k !== key) return undefined;
  return last ? node : (node as One).v;
}

/** Calls `fn` with each key and child of `node` (see childOf). */
function eachChild(node: Node, last: boolean, fn: (k: string, child: unknown) => void): void {
  if (node instanceof Map) node.forEach((v, k: string) => fn(k, v));
  else if (isDict(node)) { for (const k in node) fn(k, node[k]); }
  else fn(node.k, last ? node : (node as One).v);
}

/** Puts `child` at `key` of `level`; a Map past DICT_AT keys comes back as a Dict, else `level`. */
function setChild(level: Level, key: string, child: unknown): Level {
  if (level instanceof Map) {
    level.set(key, child);
    return level.size > DICT_AT ? toDict(level) : level;
  }
  if (level[key] === undefined) level[SIZE]++;
  level[key] = child;
  return level;
}

/**
 * Base class of Counter, Gauge, Histogram, Summary and Info.
 * @typeParam L the label names
 * @typeParam S the series type
 */
export abstract class Metric<L extends string, S extends SeriesBase> implements Collectable {
  /** The metric name as given. */
  readonly name: string;
  /** The help text as given. */
  readonly help: string;
  /** The label names, in order. */
  readonly labelNames: readonly L[];
  /** The unit, if one was given. */
  readonly unit: string | undefined;
  /** The type written in `# TYPE`. */
  abstract readonly type: MetricType;
  /** @internal */
  abstract readonly reservedNames: readonly string[];

  #root: Level = new Map();
  #count = 0;
  #collect: (() => void | Promise<void>) | undefined;
  /** With maxSeries: what the cap needs (kept apart: metrics without it carry one field). */
  #cap: Cap<S> | undefined;
  /** With ttlSeconds: what expiry needs. */
  #ttl: Ttl<S> | undefined;
  /** @internal The one series of a metric without labels (set by `_ready`). */
  protected _single: S | undefined;
  /**
   * The label values of every series a bound child holds, so that the child
   * finds its series again after reset() or remove() (a series keeps only
   * its last label value). Made on the first child.
   */
  #bound: WeakMap<S, readonly string[]> | undefined;
  /** `name="` for each label name, the start of its label text. */
  #heads: readonly string[];

  /** Checks the options; a subclass finishes with `_ready()`. */
  constructor(opts: MetricOptions<L>, reservedLabel?: string) {
    if (opts === null || typeof opts !== "object") {
      throw new TypeError(
        "A metric takes an options object: { name, help, labelNames? }",
      );
    }
    checkMetricName(opts.name);
    if (typeof opts.help !== "string") {
      throw new TypeError(
        `Metric "${opts.name}": help must be a string describing the metric`,
      );
    }
    const at = loneSurrogateAt(opts.help);
    if (at >= 0) throw notUnicode(`Metric "${opts.name}" help`, opts.help, at);
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = checkLabelNames(
      opts.name,
      opts.labelNames,
      reservedLabel,
    ) as readonly L[];
    this.unit = opts.unit;
    this.#heads = this.labelNames.map((n) => n + '="');
    const collect = (opts as { collect?: unknown }).collect;
    if (collect !== undefined && typeof collect !== "function") {
      throw new TypeError(`Metric "${opts.name}": collect must be a function`);
    }
    this.#collect = collect as (() => void | Promise<void>) | undefined;
    if (opts.maxSeries !== undefined) {
      const max = checkMaxSeries(opts.name, opts.maxSeries);
      this.#cap = { max, overflow: undefined, counted: { value: 0 } };
    }
    if (opts.now !== undefined && typeof opts.now !== "function") {
      throw new TypeError(`Metric "${opts.name}": now must be a function returning epoch ms`);
    }
    if (opts.ttlSeconds !== undefined) {
      this.#ttl = {
        ms: checkTtl(opts.name, opts.ttlSeconds, this.labelNames.length) * 1000,
        clock: opts.now ?? Date.now,
        seen: new WeakMap(),
        touched: undefined,
      };
    }
  }

  /**
   * @internal Creates the series of a metric without labels, then registers
   * with the registry named in the options. Subclasses call it last.
   */
  protected _ready(opts: MetricOptions<L>): void {
    if (this.labelNames.length === 0) this._single = this._newSeries("");
    const reg = opts.registry === undefined ? defaultRegistry : opts.registry;
    reg?.register(this);
    if (reg && this.#cap) {
      try {
        this.#cap.counted = overflowCell(reg, this);
      } catch (e) {
        reg.unregister(this);
        throw e;
      }
    }
  }

  /** @internal Checks the unit against the name (without `suffix`). */
  protected _checkUnit(base: string): void {
    checkUnit(this.name, this.unit, base);
  }

  /** @internal Creates an empty series whose last label value is `k` (`""` without labels). */
  protected abstract _newSeries(k: string): S;

  /** @internal Finds or creates the series for `labels`; throws on bad labels. */
  protected _series(labels: Labels<L>): S {
    return this._find(labels) ?? this._create(labels);
  }

  /**
   * @internal Finds the series for `labels` without creating it. Returns
   * undefined when it does not exist or the labels need checking.
   */
  protected _find(labels: Labels<L>): S | undefined {
    const names = this.labelNames;
    const k = names.length;
    if (labels === null || typeof labels !== "object") {
      return this._badLabelsArgument(labels);
    }
    if (k === 0) {
      for (const key in labels) {
        throw this._labelError(`has no labels, but got label "${key}"`);
      }
      return this._single;
    }
    let n = 0;
    for (const _ in labels) n++;
    if (n !== k) return undefined;
    let node: unknown = this.#root;
    for (let i = 0; i < k; i++) {
      const v: unknown = labels[names[i]];
      const key = typeof v === "string" ? v : typeof v === "number" ? "" + v : undefined;
      if (key === undefined) return undefined;
      node = childOf(node as Node, key, i === k - 1);
      if (node === undefined) return undefined;
    }
    return node as S;
  }

  /** @internal The existing series for `labels` (checked), or undefined. */
  protected _existing(labels: Labels<L>): S | undefined {
    const s = this._find(labels);
    if (s === undefined) this._keys(labels);
    return s;
  }

  /**
   * @internal The series a bound child will hold, for `labels(...)`
   * arguments: one label object, or values in order.
   */
  protected _seriesOf(args: readonly unknown[]): S {
    const labels = this._labelsOf(args);
    // An existing series already bound once: no checks, nothing to record.
    const found = this._find(labels);
    if (found !== undefined && (this.#bound?.has(found) || found === this._single)) return found;
    const keys = this._keys(labels);
    let s = found ?? this.#place(keys, true);
    if (s === undefined) {
      // Past maxSeries: a series outside the tree, poisoned, so that each update
      // of the child takes its slow path (`_reattach`), lands in the overflow
      // series and is counted, until there is room for a series of its own.
      s = this._newSeries(keys[keys.length - 1] ?? "");
      this._poison(s);
    }
    if (keys.length > 0) (this.#bound ??= new WeakMap()).set(s, keys);
    return s;
  }

  /** @internal One label object, or values in order, as a label object. */
  private _labelsOf(args: readonly unknown[]): Labels<L> {
    return args.length === 1 && typeof args[0] === "object"
      ? args[0] as Labels<L>
      : this._valuesToLabels(args);
  }

  /** @internal */
  private _badLabelsArgument(labels: unknown): never {
    throw this._labelError(
      `expects a label object such as { ${
        this.labelNames.map((n) => n + ": ...").join(", ")
      } }, got ${labels === null ? "null" : typeof labels}`,
    );
  }

  /** @internal Makes an error that names this metric. */
  protected _labelError(what: string): TypeError {
    return new TypeError(`Metric "${this.name}" ${what}`);
  }

  /**
   * Validates every label, then finds or creates the path and the series;
   * past maxSeries, the overflow series.
   */
  protected _create(labels: Labels<L>): S {
    const s = this.#place(this._keys(labels, SCRATCH), true);
    if (s !== undefined) return s;
    const cap = this.#cap!;
    cap.counted.value++;
    return cap.overflow ??= this.#place(this.labelNames.map(() => OVERFLOW_VALUE), false)!;
  }

  /** Finds or creates the series at `keys`; with `capped`, undefined instead past maxSeries. */
  #place(keys: readonly string[], capped: boolean): S | undefined {
    const k = keys.length;
    if (k === 0) return this._single;
    let parent: Node | undefined;
    let node: Node = this.#root;
    let i = 0;
    for (; i < k; i++) {
      const next = childOf(node, keys[i], i === k - 1);
      if (next === undefined) break;
      if (i === k - 1) return next as S;
      parent = node;
      node = next as Node;
    }
    const cap = this.#cap;
    if (capped && cap && this.#count >= cap.max + (cap.overflow === undefined ? 0 : 1)) {
      return undefined;
    }
    const s = this._newSeries(keys[k - 1]);
    // What goes under keys[i]: the level below, holding one key each down to the series.
    let holder: unknown = s;
    for (let j = k - 2; j > i; j--) holder = new One(keys[j], holder);
    let grown: Level;
    if (node instanceof Map || isDict(node)) grown = setChild(node, keys[i], holder);
    else {
      // A one-key level (never the root) grows into a Map, in its parent's place.
      const first = i === k - 1 ? node : (node as One).v;
      grown = new Map<string, unknown>([[node.k, first], [keys[i], holder]]);
    }
    if (grown !== node) {
      // The level takes its own place under the same key: no new key above it.
      if (i === 0) this.#root = grown;
      else if (parent instanceof Map) parent.set(keys[i - 1], grown);
      else if (isDict(parent)) parent[keys[i - 1]] = grown;
      else (parent as One).v = grown;
    }
    this.#count++;
    return s;
  }

  /** Checks `labels` against labelNames and returns the values as strings, in order. */
  protected _keys(labels: Labels<L>, into?: string[]): string[] {
    const names = this.labelNames;
    const given = labels as Record<string, unknown>;
    this._checkNames(given);
    const keys: string[] = into ?? [];
    keys.length = 0;
    for (const name of names) {
      const v = given[name];
      if (v === undefined) {
        throw this._labelError(
          `is missing label "${name}"; every call must give all of: ${names.join(", ")}`,
        );
      }
      keys.push(this._key(name, v));
    }
    return keys;
  }

  /** Throws unless every key of `given` is one of labelNames. */
  private _checkNames(given: Record<string, unknown>): void {
    const names = this.labelNames;
    for (const key in given) {
      if (!names.includes(key as L)) {
        throw this._labelError(
          `has no label "${key}"; its labels are: ${names.join(", ")}`,
        );
      }
    }
  }

  /**
   * The value of label `name` as a string; throws on a value that cannot be
   * one. Runs only where a series may be created or a lookup missed, so a
   * series holding a lone surrogate never exists, and the lookup of an
   * existing one needs no check.
   */
  private _key(name: string, v: unknown): string {
    if (typeof v === "string") {
      const at = loneSurrogateAt(v);
      if (at >= 0) throw notUnicode(`Metric "${this.name}" label "${name}"`, v, at);
      return v;
    }
    if (typeof v === "number") return "" + v;
    throw this._labelError(
      `label "${name}" must be a string or a number, got ${v === null ? "null" : typeof v}`,
    );
  }

  /**
   * @internal Checks the labels a timer starts with (some may come at its
   * end): each one known and a valid value. Nothing is created.
   */
  protected _checkSome(labels: Partial<Labels<L>> | undefined): void {
    if (labels === undefined) return;
    if (labels === null || typeof labels !== "object") this._badLabelsArgument(labels);
    const given = labels as Record<string, unknown>;
    this._checkNames(given);
    for (const key in given) if (given[key] !== undefined) this._key(key, given[key]);
  }

  /**
   * Removes the series with these labels, if it exists. A bound child of it
   * brings it back, from zero, at its next update.
   */
  remove(labels: Labels<L>): void;
  /** Removes the series with these label values, given in `labelNames` order. */
  remove(...values: LabelValue[]): void;
  remove(...args: unknown[]): void {
    if (this.labelNames.length === 0) {
      throw this._labelError("has no labels; use reset() to zero it");
    }
    this.#removeKeys(this._keys(this._labelsOf(args)));
  }

  /**
   * Removes every series whose labels include `labels` (a subset of the
   * label names, each with a value); returns how many it removed. `{}`
   * removes every series. A bound child of a removed series brings it back,
   * from zero, at its next update.
   *
   * @example
   * ```ts
   * import { Counter, Registry } from "../../mod.ts";
   * const c = new Counter({
   *   name: "jobs_total",
   *   help: "Jobs.",
   *   labelNames: ["tenant", "kind"],
   *   registry: new Registry(),
   * });
   * c.inc({ tenant: "a", kind: "x" });
   * c.inc({ tenant: "a", kind: "y" });
   * c.inc({ tenant: "b", kind: "x" });
   * console.log(c.removeMatching({ tenant: "a" })); // 2
   * ```
   */
  removeMatching(labels: Partial<Labels<L>>): number {
    const names = this.labelNames;
    if (names.length === 0) throw this._labelError("has no labels; use reset() to zero it");
    if (labels === undefined) this._badLabelsArgument(labels);
    this._checkSome(labels);
    const given = labels as Record<string, unknown>;
    const want = names.map((name) => {
      const v = given[name];
      return v === undefined ? v : typeof v === "number" ? "" + v : v as string;
    });
    const found: string[][] = [];
    this.#each(want, (_s, keys) => found.push(keys.slice()));
    for (const keys of found) this.#removeKeys(keys);
    return found.length;
  }

  /**
   * Calls `fn` with every series and its label values (a reused array),
   * where the value at each level equals `want`'s, if given.
   */
  #each(want: readonly (string | undefined)[], fn: (s: S, keys: string[]) => void): void {
    const depth = this.labelNames.length;
    const keys: string[] = new Array(depth);
    const walk = (node: Node, d: number) => {
      const last = d === depth - 1;
      const visit = (k: string, child: unknown) => {
        keys[d] = k;
        if (last) fn(child as S, keys);
        else walk(child as Node, d + 1);
      };
      const w = want[d];
      if (w === undefined) eachChild(node, last, visit);
      else {
        const child = childOf(node, w, last);
        if (child !== undefined) visit(w, child);
      }
    };
    walk(this.#root, 0);
  }

  /** Removes the series at `keys` and every level it leaves empty (never the root). */
  #removeKeys(keys: readonly string[]): void {
    const k = keys.length;
    const path: Node[] = [this.#root];
    for (let i = 0; i < k - 1; i++) {
      const next = childOf(path[i], keys[i], false);
      if (next === undefined) return;
      path.push(next as Node);
    }
    const s = childOf(path[k - 1], keys[k - 1], true) as S | undefined;
    if (s === undefined) return;
    if (s === this.#cap?.overflow) this.#cap.overflow = undefined;
    this._poison(s);
    this.#count--;
    // Drop the entry, then every level it leaves empty (never the root): a
    // one-key level (a One, or the series itself) is empty once its key goes.
    for (let i = k - 1; i >= 0; i--) {
      const node = path[i];
      if (node instanceof Map) {
        node.delete(keys[i]);
        if (node.size > 0 || i === 0) return;
      } else if (isDict(node)) {
        delete node[keys[i]];
        if (--node[SIZE] > 0 || i === 0) return;
      }
    }
  }

  /** @internal */
  private _valuesToLabels(values: readonly unknown[]): Labels<L> {
    const names = this.labelNames;
    if (values.length !== names.length) {
      throw this._labelError(
        `takes ${names.length} label value(s) (${names.join(", ")}), got ${values.length}`,
      );
    }
    const labels: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) labels[names[i]] = values[i];
    return labels as Labels<L>;
  }

  /**
   * Removes every labelled series (a bound child brings its series back,
   * from zero, at its next update); a metric without labels goes back to zero.
   */
  reset(): void {
    if (this._single) this._resetSeries(this._single);
    else this.#each([], (s) => this._poison(s));
    this.#root = new Map();
    this.#count = 0;
    if (this.#cap) this.#cap.overflow = undefined;
  }

  /**
   * @internal Makes a series that reset() or remove() took out of the tree
   * fail the fast path of its bound children, at no cost to them and no
   * memory: a NaN in the figure their update computes anyway (a counter's
   * or gauge's value, a histogram's or summary's count). Only a gauge can
   * hold NaN while in the tree; the slow path, `_reattach`, tells them apart.
   */
  protected _poison(_s: S): void {}

  /**
   * @internal Puts `v`, what `_version()` read of a series before it was
   * poisoned (taken out of the tree), into the series' page snapshot `view`
   * (made by `_fill`), where the poison is.
   */
  protected _unpoison(view: SeriesSnapshot, v: number, _s: S): void {
    (view as unknown as { value: number }).value = v;
  }

  /**
   * @internal The series a bound child holding `s` should use: the one in
   * the tree for the labels of `s` (`s` itself unless reset() or remove()
   * took it out), else, with `create`, a new one, or past maxSeries the
   * overflow series; {@link _own} tells the child whether to keep it.
   */
  _reattach(s: S, create: boolean): S | undefined {
    const keys = this.#bound?.get(s);
    if (keys === undefined) return this._single; // no labels: never taken out
    const labels = this._valuesToLabels(keys);
    const found = this._find(labels) ?? (create ? this._create(labels) : undefined);
    if (found !== undefined && this._own(s, found)) this.#bound!.set(found, keys);
    return found;
  }

  /**
   * @internal Whether `found`, what `_reattach` gave a child holding `s`, is
   * the child's own series (not the overflow series past maxSeries, which it
   * uses until there is room for its own, keeping `s` to try again).
   */
  _own(s: S, found: S): boolean {
    if (found !== this.#cap?.overflow) return true;
    const keys = this.#bound?.get(s);
    return keys !== undefined && keys.every((v) => v === OVERFLOW_VALUE);
  }

  /** @internal Zeroes a series in place. */
  protected abstract _resetSeries(s: S): void;

  /** The number of series this metric holds. */
  get seriesCount(): number {
    return this._single ? 1 : this.#count;
  }

  /**
   * @internal Every series as its snapshot (see `_view`), in creation order
   * within each label value, each with its label text built from the tree's
   * keys; with `withLabels`, its raw labels too.
   */
  protected _views(withLabels: boolean, options?: CollectOptions): SeriesSnapshot[] {
    const single = this._single;
    if (single) return [this._view(single, "", withLabels ? {} : undefined, options)];
    const labels: Record<string, string>[] | undefined = withLabels ? [] : undefined;
    const [leaves, parents] = this.#leaves(labels);
    const out: SeriesSnapshot[] = new Array(leaves.length);
    for (let i = 0; i < leaves.length; i++) {
      const s = leaves[i];
      out[i] = this._view(s, parents[i] + escapeLabelValue(s.k) + '"', labels?.[i], options);
    }
    return out;
  }

  /**
   * Every series in tree order (creation order within each label value), and
   * for each the escaped label text above its last label value, ending in
   * `lastName="` (made once per level, shared by siblings); with `labels`,
   * each series' raw labels are pushed there.
   */
  #leaves(labels: Record<string, string>[] | undefined): [S[], string[]] {
    const leaves: S[] = [];
    const parents: string[] = [];
    const names = this.labelNames;
    const heads = this.#heads;
    const depth = heads.length;
    const keys: string[] = new Array(depth);
    const leaf = (s: S, head: string) => {
      leaves.push(s);
      parents.push(head);
      if (labels !== undefined) {
        keys[depth - 1] = s.k;
        const l: Record<string, string> = {};
        for (let j = 0; j < depth; j++) l[names[j]] = keys[j];
        labels.push(l);
      }
    };
    const walk = (node: Node, d: number, head: string) => {
      if (d === depth - 1) {
        if (node instanceof Map) node.forEach((s) => leaf(s as S, head));
        else if (isDict(node)) { for (const k in node) leaf(node[k] as S, head); }
        else leaf(node as S, head);
        return;
      }
      const next = '",' + heads[d + 1];
      const down = (child: unknown, k: string) => {
        keys[d] = k;
        walk(child as Node, d + 1, head + escapeLabelValue(k) + next);
      };
      if (node instanceof Map) node.forEach(down);
      else if (isDict(node)) { for (const k in node) down(node[k], k); }
      else down((node as One).v, node.k);
    };
    walk(this.#root, 0, heads[0]);
    return [leaves, parents];
  }

  /**
   * The family for a page, read lazily: the walk keeps each series and the
   * escaped label text above its last label; each slice's snapshots and label
   * texts are made just before the slice is written, and die young.
   */
  #lazy(options: CollectOptions): FamilySnapshot {
    const [leaves, parents] = this.#leaves(undefined);
    // What `_version()` read at the walk: a series taken out of the tree
    // before its slice is written has NaN there since (see `_poison`).
    const versions = leaves.map((s) => this._version(s));
    const series: SeriesSnapshot[] = new Array(leaves.length);
    const family = this._family(series, options);
    // A page writer is done with a slice before it asks for the next one: the
    // snapshot objects of one slice serve the next (see `_fill`).
    const pool: SeriesSnapshot[] = [];
    return lazyFamily(family, (from, to) => {
      for (let i = from; i < to; i++) {
        const s = leaves[i];
        const text = parents[i] + escapeLabelValue(s.k) + '"';
        const j = i - from;
        const view = series[i] = pool[j] = this._fill(pool[j], s, text, options);
        // Taken out of the tree since the walk (reset(), remove(), another
        // scrape's TTL expiry): poisoned, so written as the walk found it.
        const v = this._version(s);
        if (v !== v && versions[i] === versions[i]) this._unpoison(view, versions[i], s);
      }
    });
  }

  /**
   * @internal The snapshot of `s` for a page: `into` (an object this method
   * made for an earlier slice of the same read) filled anew, or a new one.
   * Types with small snapshots (counter, gauge) fill in place; by default, a
   * new snapshot.
   */
  protected _fill(
    _into: SeriesSnapshot | undefined,
    s: S,
    labelText: string,
    options: CollectOptions | undefined,
  ): SeriesSnapshot {
    return this._view(s, labelText, undefined, options);
  }

  /**
   * @internal A series as its snapshot shows it, with this label text and,
   * if given, these raw labels: a fresh object, read now.
   */
  protected abstract _view(
    s: S,
    labelText: string,
    labels: Record<string, string> | undefined,
    options: CollectOptions | undefined,
  ): SeriesSnapshot;

  /**
   * The metric's series now, as data: the family snapshot that
   * `registry.collect()` gives for it (each series with its raw `labels`),
   * without running the collect hook and without a registry's default
   * labels. Detached from the live metric. Meant for tests and debugging.
   */
  snapshot(): FamilySnapshot {
    return this._family(this._views(true));
  }

  /**
   * Reads the family after the collect hook (see {@link Collectable.collect}).
   */
  collect(options?: CollectOptions): FamilySnapshot | Promise<FamilySnapshot> {
    const hook = this.#collect;
    const labels = options?.labels === true;
    if (hook !== undefined) {
      const r = hook.call(this);
      if (r instanceof Promise) return r.then(() => this.#read(labels, options));
    }
    return this.#read(labels, options);
  }

  #read(labels: boolean, options: CollectOptions | undefined): FamilySnapshot {
    if (this.#ttl !== undefined) this.#expire(this.#ttl);
    if (!labels && options?.lazy === true && this._single === undefined) return this.#lazy(options);
    return this._family(this._views(labels, options), options);
  }

  /** Removes the series that no scrape has found changed (or touched) for ttlSeconds. */
  #expire(t: Ttl<S>): void {
    const { seen, touched } = t;
    const now = t.clock();
    const ttl = t.ms;
    const stale: string[][] = [];
    this.#each([], (s, keys) => {
      const v = this._version(s);
      const e = seen.get(s);
      if (e === undefined) seen.set(s, { v, at: now });
      else if (!Object.is(e.v, v) || touched?.has(s)) {
        e.v = v;
        e.at = now;
      } else if (now - e.at >= ttl) stale.push(keys.slice());
    });
    touched?.clear();
    for (const keys of stale) this.#removeKeys(keys);
  }

  /**
   * @internal What tells a TTL metric that a series was updated between two
   * scrapes: its value (a histogram's or summary's count).
   */
  protected _version(s: S): number {
    return (s as unknown as { value: number }).value;
  }

  /**
   * @internal Makes a TTL metric see `s` as updated at the next scrape even
   * if its value did not change (a gauge set to its value, or increased and
   * decreased back); subclasses call it only when `_touches`.
   */
  _touch(s: S): void {
    (this.#ttl!.touched ??= new Set()).add(s);
  }

  /** @internal Whether updates that may leave the value as it was call `_touch` (TTL metrics). */
  get _touches(): boolean {
    return this.#ttl !== undefined;
  }

  /** @internal The family snapshot around these series snapshots (made by `_view`). */
  protected abstract _family(series: SeriesSnapshot[], options?: CollectOptions): FamilySnapshot;
}

function checkMaxSeries(name: string, v: unknown): number {
  if (typeof v === "number" && Number.isInteger(v) && v >= 1) return v;
  throw new RangeError(
    `Metric "${name}": maxSeries must be a whole number >= 1 (the most label sets kept), got ${
      typeof v === "number" ? v : typeof v
    }`,
  );
}

function checkTtl(name: string, v: unknown, labels: number): number {
  if (!(typeof v === "number" && v > 0 && v < Infinity)) {
    throw new RangeError(
      `Metric "${name}": ttlSeconds must be a finite number of seconds > 0, got ${
        typeof v === "number" ? v : typeof v
      }`,
    );
  }
  if (labels === 0) {
    throw new TypeError(
      `Metric "${name}": ttlSeconds needs labelNames; a metric without labels keeps its one series`,
    );
  }
  return v;
}
