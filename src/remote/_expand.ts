/**
 * Families to remote-write series: histograms and summaries become their
 * `_bucket{le}`, `_sum`, `_count` and `{quantile}` series, the writer's
 * labels are added, empty label values dropped, labels sorted by name
 * (byte order, as Prometheus sorts them), and everything a receiver would
 * refuse (bad names, a label twice, a series twice) is an error here, before
 * anything is sent.
 *
 * A {@link SeriesTable} lives as long as its writer: it keeps each series
 * from one write to the next (what staleness markers need) and the label
 * shapes of each family, so a series seen before costs a key and a lookup.
 * @module
 */

import { isLabelName, isMetricName, loneSurrogateAt, notUnicode, show } from "../_names.ts";
import { formatBound } from "../exposition/_escape.ts";
import type {
  RemoteFamily,
  RemoteFamilySeries,
  RemoteMetricType,
  RemoteNativeHistogram,
} from "./family.ts";
import { type DroppedExemplars, type FlatExemplar, flatExemplar } from "./_exemplar.ts";
import {
  fill,
  KIND,
  makeShape,
  makeTemplate,
  sameNames,
  type Shape,
  type Template,
} from "./_shape.ts";

/** One series ready to encode; the same object from one write to the next while it lives. */
export interface FlatSeries {
  /** Sorted labels, `__name__` included, flattened: name, value, name, value... */
  readonly labels: string[];
  /** Its label set's template (where the table keeps it). */
  readonly template: Template;
  /** The float sample (ignored when `histogram` is set). */
  value: number;
  /** The native histogram sample; kept while stale (its marker is a histogram too). */
  histogram: RemoteNativeHistogram | undefined;
  /** Exemplars of this write. */
  exemplars: FlatExemplar[] | undefined;
  /** Milliseconds, 0 when unknown. */
  created: number;
  /** Index of the family's metadata in this write; -1 for none (a staleness marker). */
  meta: number;
  /** A staleness marker: the series is gone; its sample is the special NaN. */
  stale: boolean;
  /** The family's name (for messages). */
  family: string;
  /** The number of the write that last had it. */
  seen: number;
}

/** A family's metadata. */
export interface FamilyMeta {
  /** The family name. */
  name: string;
  /** Its type. */
  type: RemoteMetricType;
  /** Its help ("" for none). */
  help: string;
  /** Its unit ("" for none). */
  unit: string;
}

/** The series and metadata of one write. */
export interface Expanded {
  /** This write's series. */
  series: FlatSeries[];
  /** Series of earlier writes that this one lacks: each gets a staleness marker. */
  stale: FlatSeries[];
  /** The families' metadata. */
  metas: FamilyMeta[];
  /** Exemplars left out, by reason. */
  dropped: DroppedExemplars;
}

const TYPES = new Set<string>([
  "counter",
  "gauge",
  "untyped",
  "info",
  "stateset",
  "histogram",
  "gaugehistogram",
  "summary",
]);
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** The label text of flattened pairs, for messages: `name{a="b"}`. */
export function describe(labels: readonly string[]): string {
  let name = "";
  const parts: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    if (labels[i] === "__name__") name = labels[i + 1];
    else parts.push(`${labels[i]}=${JSON.stringify(labels[i + 1])}`);
  }
  return parts.length ? `${name}{${parts.join(",")}}` : name;
}

/** The label text of a family series, for messages. */
function seriesText(name: string, labels: Readonly<Record<string, unknown>>): string {
  const flat = ["__name__", name];
  for (const k in labels) flat.push(k, String(labels[k]));
  return describe(flat);
}

/** A node of a label-set tree: child nodes by value, series at the last level. */
type Node = Map<string, unknown>;

/** The shapes of one family, and its formatted `le` / `quantile` values. */
interface FamilyCache {
  type: RemoteMetricType;
  last: Shape | undefined;
  bySignature: Map<string, Shape>;
  bounds: number[];
  boundText: string[];
}

/** The series of a writer from one write to the next, and the label shapes of its families. */
export class SeriesTable {
  readonly #extra: readonly [string, string][];
  /** Every series, for the staleness scan. */
  readonly #all = new Set<FlatSeries>();
  /** The series trees of each label set (see {@link Template.root}). */
  readonly #roots = new Map<string, Node>();
  readonly #rootOf = (signature: string): Node => {
    let root = this.#roots.get(signature);
    if (root === undefined) this.#roots.set(signature, root = new Map());
    return root;
  };
  readonly #families = new Map<string, FamilyCache>();
  readonly #checked = new Set<string>();
  #write = 0;
  // Scratch for one series: its label names and values.
  #names: string[] = [];
  #values: string[] = [];
  /** Where {@link #find} stopped: the leaf node and the key in it. */
  #leaf: Node = new Map();
  #leafKey = "";

  /** `extra`: the writer's labels, already checked, empty values removed. */
  constructor(extra: readonly [string, string][]) {
    this.#extra = extra;
  }

  /**
   * Expands families into this write's series. Throws a TypeError, and
   * changes nothing, for series no receiver would take.
   */
  expand(families: readonly RemoteFamily[]): Expanded {
    const write = ++this.#write;
    const series: FlatSeries[] = [];
    const metas: FamilyMeta[] = [];
    const dropped: DroppedExemplars = { too_long: 0, invalid: 0 };
    const added: FlatSeries[] = [];
    try {
      for (const fam of families) this.#family(fam, write, series, metas, dropped, added);
    } catch (e) {
      for (const s of added) this.#remove(s);
      throw e;
    }
    const stale: FlatSeries[] = [];
    if (this.#all.size > series.length) {
      for (const s of this.#all) {
        if (s.seen !== write) {
          s.stale = true;
          s.meta = -1;
          s.exemplars = undefined;
          stale.push(s);
        }
      }
    }
    return { series, stale, metas, dropped };
  }

  /** Forgets series whose staleness markers landed. */
  forget(stale: readonly FlatSeries[]): void {
    for (const s of stale) if (s.stale) this.#remove(s);
  }

  /** Takes a series out of its tree (and empty nodes with it) and out of the table. */
  #remove(s: FlatSeries): void {
    this.#all.delete(s);
    const t = s.template, positions = t.positions;
    const path: Node[] = [t.root];
    for (let i = 0; i < positions.length - 1; i++) {
      const next = path[i].get(s.labels[positions[i]]) as Node | undefined;
      if (next === undefined) return;
      path.push(next);
    }
    const last = positions.length ? s.labels[positions[positions.length - 1]] : "";
    if (path[path.length - 1].get(last) !== s) return;
    path[path.length - 1].delete(last);
    for (let i = path.length - 1; i > 0 && path[i].size === 0; i--) {
      path[i - 1].delete(s.labels[positions[i - 1]]);
    }
  }

  /** The series of `values` (and `r`, the `le` / `quantile` value) in `t`'s tree. */
  #find(t: Template, values: readonly string[], r: string): FlatSeries | undefined {
    const vars = t.vars, last = vars.length - 1;
    let node = t.root;
    for (let i = 0; i < last; i++) {
      const j = vars[i];
      const v = j < 0 ? r : values[j];
      let next = node.get(v) as Node | undefined;
      if (next === undefined) node.set(v, next = new Map());
      node = next;
    }
    this.#leaf = node;
    const j = last < 0 ? 0 : vars[last];
    return node.get(this.#leafKey = last < 0 ? "" : j < 0 ? r : values[j]) as
      | FlatSeries
      | undefined;
  }

  #cache(fam: RemoteFamily): FamilyCache {
    let c = this.#families.get(fam.name);
    if (c === undefined || c.type !== fam.type) {
      c = { type: fam.type, last: undefined, bySignature: new Map(), bounds: [], boundText: [] };
      this.#families.set(fam.name, c);
    }
    return c;
  }

  /** The text of the i-th `le` / `quantile` of a family (formatted once while it stays). */
  #bound(c: FamilyCache, i: number, v: number): string {
    if (c.bounds[i] === v) return c.boundText[i];
    c.bounds[i] = v;
    return c.boundText[i] = formatBound(v);
  }

  #family(
    fam: RemoteFamily,
    write: number,
    series: FlatSeries[],
    metas: FamilyMeta[],
    dropped: DroppedExemplars,
    added: FlatSeries[],
  ): void {
    const name = fam?.name;
    if (!isMetricName(name)) {
      throw new TypeError(
        `RemoteWriter: invalid metric name ${
          JSON.stringify(name)
        }: it must match [a-zA-Z_:][a-zA-Z0-9_:]*`,
      );
    }
    if (!TYPES.has(fam.type)) {
      throw new TypeError(
        `RemoteWriter: family "${name}" has type ${JSON.stringify(fam.type)}; use one of ${
          [...TYPES].join(", ")
        }`,
      );
    }
    const meta = metas.length;
    metas.push({ name, type: fam.type, help: fam.help ?? "", unit: fam.unit ?? "" });
    const hist = fam.type === "histogram" || fam.type === "gaugehistogram";
    const reserved = fam.type === "summary" ? "quantile" : hist ? "le" : "";
    const c = this.#cache(fam);
    const g = fam.type === "gaugehistogram" ? "_g" : "_";
    const names = this.#names, values = this.#values;

    /** Adds one sample of `s` as the series of `kind`. */
    const add = (
      s: RemoteFamilySeries,
      shape: Shape,
      kind: number,
      r: string,
      value: number | undefined,
      histogram?: RemoteNativeHistogram,
      exemplars?: FlatExemplar[],
    ): void => {
      const t = shape.templates[kind] ??= makeTemplate(
        shape,
        this.#extra,
        kind === KIND.plain || kind === KIND.quantile
          ? name
          : name + (kind === KIND.bucket ? "_bucket" : kind === KIND.sum ? g + "sum" : g + "count"),
        kind === KIND.bucket || kind === KIND.quantile ? reserved : "",
        this.#rootOf,
      );
      if (typeof value !== "number") {
        throw new TypeError(
          `RemoteWriter: series ${describe(fill(t, values, r))} of ${fam.type} "${name}" ` +
            `has value ${show(value)}; give a number`,
        );
      }
      let f = this.#find(t, values, r);
      if (f === undefined) {
        const labels = fill(t, values, r);
        // A new series: a value with no UTF-8 form would reach the receiver
        // as U+FFFD, merged with another series (a registry never has one;
        // a source may).
        for (let i = 1; i < labels.length; i += 2) {
          const at = loneSurrogateAt(labels[i]);
          if (at >= 0) {
            throw notUnicode(
              `RemoteWriter: series ${describe(labels)} label "${labels[i - 1]}"`,
              labels[i],
              at,
            );
          }
        }
        f = {
          labels,
          template: t,
          value,
          histogram,
          exemplars,
          created: s.created ?? 0,
          meta,
          stale: false,
          family: name,
          seen: write,
        };
        this.#leaf.set(this.#leafKey, f);
        this.#all.add(f);
        added.push(f);
      } else {
        if (f.seen === write) {
          throw new TypeError(
            `RemoteWriter: series ${describe(f.labels)} appears twice in one write ` +
              `(families "${f.family}" and "${name}"); a series must be unique`,
          );
        }
        f.value = value;
        f.histogram = histogram;
        f.exemplars = exemplars;
        f.created = s.created ?? 0;
        f.meta = meta;
        f.stale = false;
        f.family = name;
        f.seen = write;
      }
      series.push(f);
    };

    for (const s of fam.series) {
      const shape = this.#shape(c, s.labels ?? NO_LABELS, name, reserved, names, values);
      if (!reserved) {
        const e = s.exemplar === undefined ? undefined : flatExemplar(s.exemplar, dropped);
        add(s, shape, KIND.plain, "", s.value, undefined, e && [e]);
        continue;
      }
      if (s.native) {
        let ex: FlatExemplar[] | undefined;
        for (const e of s.exemplars ?? []) {
          const flat = flatExemplar(e, dropped);
          if (flat) (ex ??= []).push(flat);
        }
        add(s, shape, KIND.plain, "", 0, s.native, ex);
      }
      const buckets = s.buckets;
      if (buckets && buckets.length > 0) {
        let inf = false;
        for (let i = 0; i < buckets.length; i++) {
          const b = buckets[i];
          if (b.le === Infinity) inf = true;
          const e = b.exemplar === undefined ? undefined : flatExemplar(b.exemplar, dropped);
          add(s, shape, KIND.bucket, this.#bound(c, i, b.le), b.count, undefined, e && [e]);
        }
        if (!inf) add(s, shape, KIND.bucket, "+Inf", s.count);
      }
      const quantiles = s.quantiles;
      if (quantiles && quantiles.length > 0) {
        for (let i = 0; i < quantiles.length; i++) {
          const q = quantiles[i];
          add(s, shape, KIND.quantile, this.#bound(c, i, q.quantile), q.value);
        }
      }
      if (!s.native || buckets) {
        if (s.sum !== undefined) add(s, shape, KIND.sum, "", s.sum);
        if (s.count !== undefined) add(s, shape, KIND.count, "", s.count);
      }
    }
  }

  /**
   * Reads a series' labels into `names` / `values` (empty values left out)
   * and returns their shape; throws for what no receiver would take.
   */
  #shape(
    c: FamilyCache,
    own: Readonly<Record<string, string>>,
    name: string,
    reserved: string,
    names: string[],
    values: string[],
  ): Shape {
    let n = 0;
    for (const k in own) {
      const v = own[k];
      if (typeof v !== "string") {
        throw new TypeError(
          `RemoteWriter: ${seriesText(name, own)} has label "${k}" = ${
            show(v)
          }: values must be strings`,
        );
      }
      if (v === "") {
        this.#checkName(k, name, own); // a bad name is an error even without a value
        continue;
      }
      names[n] = k;
      values[n] = v;
      n++;
    }
    let shape = c.last;
    if (shape === undefined || !sameNames(shape, names, n)) {
      const signature = names.slice(0, n).join(",");
      shape = c.bySignature.get(signature);
      if (shape === undefined) {
        for (let j = 0; j < n; j++) this.#checkName(names[j], name, own);
        shape = makeShape(names.slice(0, n), this.#extra, reserved);
        c.bySignature.set(signature, shape);
      }
      c.last = shape;
    }
    if (shape.clash) {
      throw new TypeError(
        `RemoteWriter: series ${seriesText(name, own)} has label "${shape.clash}" and the ` +
          `writer's labels option sets it too: a series may not have a label twice; rename one`,
      );
    }
    if (shape.reservedClash) {
      throw new TypeError(
        `RemoteWriter: ${c.type} series ${seriesText(name, own)} has label "${reserved}", ` +
          `which its ${reserved === "le" ? "buckets" : "quantiles"} set too; rename it`,
      );
    }
    return shape;
  }

  #checkName(label: string, name: string, own: Readonly<Record<string, string>>): void {
    if (this.#checked.has(label)) return;
    if (!isLabelName(label)) {
      throw new TypeError(
        `RemoteWriter: ${seriesText(name, own)} has label name ${
          JSON.stringify(label)
        }: a label name must match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__"; rename it`,
      );
    }
    this.#checked.add(label);
  }
}
