/**
 * Families to remote-write series: histograms and summaries become their
 * `_bucket{le}`, `_sum`, `_count` and `{quantile}` series, the writer's
 * labels are added, empty label values dropped, labels sorted by name
 * (byte order, as Prometheus sorts them), and everything a receiver would
 * refuse (bad names, a label twice, a series twice) is an error here, before
 * anything is sent.
 * @module
 */

import { show } from "../_names.ts";
import { formatBound } from "../exposition/_escape.ts";
import type {
  RemoteExemplar,
  RemoteFamily,
  RemoteMetricType,
  RemoteNativeHistogram,
} from "./family.ts";

/** An exemplar ready to encode: labels as sorted name, value pairs, flattened. */
export interface FlatExemplar {
  labels: string[];
  value: number;
  /** Milliseconds; 0 means "the write's timestamp". */
  timestamp: number;
}

/** One series ready to encode. */
export interface FlatSeries {
  /** Sorted labels, `__name__` included, flattened: name, value, name, value... */
  labels: string[];
  /** The identity of the series (unambiguous). */
  key: string;
  /** The float sample (ignored when `histogram` is set). */
  value: number;
  histogram: RemoteNativeHistogram | undefined;
  exemplars: FlatExemplar[] | undefined;
  /** Milliseconds, 0 when unknown. */
  created: number;
  /** Index of the family's metadata; -1 for none (a staleness marker). */
  meta: number;
  /** A staleness marker: the series is gone; its sample is the special NaN. */
  stale: boolean;
  /** The family's name (for messages). */
  family: string;
}

/** A family's metadata. */
export interface FamilyMeta {
  name: string;
  type: RemoteMetricType;
  help: string;
  unit: string;
}

/** The series and metadata of one write. */
export interface Expanded {
  series: FlatSeries[];
  metas: FamilyMeta[];
  /** The series by key. */
  byKey: Map<string, FlatSeries>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
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
function seriesText(name: string, labels: Readonly<Record<string, string>> | undefined): string {
  const flatLabels = ["__name__", name];
  for (const k in labels ?? {}) flatLabels.push(k, String(labels![k]));
  return describe(flatLabels);
}

/**
 * Appends a label record's pairs to `out` (flattened), checking each name
 * once per write; empty values are dropped. Returns whether a value holds
 * `\xff` (the key separator).
 */
function addPairs(
  out: string[],
  labels: Readonly<Record<string, string>>,
  checked: Set<string>,
  name: string,
  own: Readonly<Record<string, string>>,
  exemplarOf = false,
): boolean {
  const what = () => (exemplarOf ? "an exemplar of " : "") + seriesText(name, own);
  let odd = false;
  for (const name in labels) {
    const value = labels[name];
    if (!checked.has(name)) {
      if (!LABEL_NAME.test(name) || name.startsWith("__")) {
        throw new TypeError(
          `RemoteWriter: ${what()} has label name ${JSON.stringify(name)}: a label name must ` +
            `match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__"; rename it`,
        );
      }
      checked.add(name);
    }
    if (typeof value !== "string") {
      throw new TypeError(
        `RemoteWriter: ${what()} has label "${name}" = ${show(value)}: values must be strings`,
      );
    }
    if (value !== "") {
      out.push(name, value);
      if (value.indexOf("\xff") >= 0) odd = true;
    }
  }
  return odd;
}

/** Sorts flattened pairs by name in place (insertion sort: label sets are short). */
function sortPairs(a: string[]): void {
  for (let i = 2; i < a.length; i += 2) {
    const n = a[i], v = a[i + 1];
    let j = i - 2;
    while (j >= 0 && a[j] > n) {
      a[j + 2] = a[j];
      a[j + 3] = a[j + 1];
      j -= 2;
    }
    a[j + 2] = n;
    a[j + 3] = v;
  }
}

/** `sorted` (flattened, by name) with one more pair put in its place. */
function withLabel(sorted: readonly string[], name: string, value: string): string[] {
  const out = new Array<string>(sorted.length + 2);
  let i = 0, o = 0;
  while (i < sorted.length && sorted[i] < name) {
    out[o++] = sorted[i++];
    out[o++] = sorted[i++];
  }
  out[o++] = name;
  out[o++] = value;
  while (i < sorted.length) out[o++] = sorted[i++];
  return out;
}

/** An unambiguous identity of flattened labels (length-prefixed values). */
export function seriesKey(labels: readonly string[]): string {
  let key = "";
  for (let i = 0; i < labels.length; i += 2) {
    key += labels[i] + "=" + labels[i + 1].length + ":" + labels[i + 1] + ";";
  }
  return key;
}

function exemplar(
  e: RemoteExemplar,
  checked: Set<string>,
  name: string,
  own: Readonly<Record<string, string>>,
): FlatExemplar {
  const what = () => seriesText(name, own);
  if (typeof e.value !== "number") {
    throw new TypeError(`RemoteWriter: an exemplar of ${what()} has no numeric value`);
  }
  const ts = e.timestamp ?? 0;
  if (!Number.isSafeInteger(ts) || ts < 0) {
    throw new TypeError(
      `RemoteWriter: an exemplar of ${what()} has timestamp ${
        show(e.timestamp)
      }: give whole milliseconds since the epoch`,
    );
  }
  const labels: string[] = [];
  addPairs(labels, e.labels ?? {}, checked, name, own, true);
  sortPairs(labels);
  return { labels, value: e.value, timestamp: ts };
}

/** Collects the series of one write, refusing a series twice. */
class Collector {
  series: FlatSeries[] = [];
  /** The series by key. */
  seen: Map<string, FlatSeries> = new Map();

  add(
    fam: RemoteFamily,
    meta: number,
    labels: string[],
    odd: boolean,
    value: number | undefined,
    created: number,
    histogram?: RemoteNativeHistogram,
    exemplars?: FlatExemplar[],
  ): void {
    if (typeof value !== "number") {
      throw new TypeError(
        `RemoteWriter: series ${describe(labels)} of ${fam.type} "${fam.name}" has value ${
          show(value)
        }; give a number`,
      );
    }
    // Names cannot hold \xff: joined with it, the key is unambiguous unless a value holds it.
    const key = odd ? seriesKey(labels) : labels.join("\xff");
    const before = this.seen.get(key);
    if (before !== undefined) {
      throw new TypeError(
        `RemoteWriter: series ${describe(labels)} appears twice in one write ` +
          `(families "${before.family}" and "${fam.name}"); a series must be unique`,
      );
    }
    const s: FlatSeries = {
      labels,
      key,
      value,
      histogram,
      exemplars,
      created,
      meta,
      stale: false,
      family: fam.name,
    };
    this.seen.set(key, s);
    this.series.push(s);
  }
}

/**
 * Expands families into series. `extra` (the writer's labels, already
 * checked, empty values removed) is added to every series.
 */
export function expandFamilies(
  families: readonly RemoteFamily[],
  extra: readonly [string, string][],
): Expanded {
  const out = new Collector();
  const metas: FamilyMeta[] = [];
  const checked = new Set<string>();
  for (const fam of families) {
    const name = fam?.name;
    if (typeof name !== "string" || !METRIC_NAME.test(name)) {
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
    const reserved = fam.type === "summary"
      ? "quantile"
      : fam.type === "histogram" || fam.type === "gaugehistogram"
      ? "le"
      : "";
    for (const s of fam.series) {
      const own = s.labels ?? {};
      const what = (): string => seriesText(name, own);
      const base: string[] = [];
      const odd = addPairs(base, own, checked, name, own);
      for (const p of extra) {
        if (own[p[0]]) {
          throw new TypeError(
            `RemoteWriter: series ${what()} has label "${p[0]}" and the writer's labels ` +
              `option sets it too: a series may not have a label twice; rename one`,
          );
        }
        base.push(p[0], p[1]);
      }
      if (reserved && own[reserved]) {
        throw new TypeError(
          `RemoteWriter: ${fam.type} series ${what()} has label "${reserved}", which its ` +
            `${reserved === "le" ? "buckets" : "quantiles"} set too; rename it`,
        );
      }
      const created = s.created ?? 0;
      if (!reserved) {
        base.push("__name__", name);
        sortPairs(base);
        const ex = s.exemplar ? [exemplar(s.exemplar, checked, name, own)] : undefined;
        out.add(fam, meta, base, odd, s.value, created, undefined, ex);
        continue;
      }
      sortPairs(base);
      if (s.native) {
        const ex = s.exemplars?.map((e) => exemplar(e, checked, name, own));
        out.add(fam, meta, withLabel(base, "__name__", name), odd, 0, created, s.native, ex);
      }
      if (s.buckets && s.buckets.length > 0) {
        const bucket = withLabel(base, "__name__", name + "_bucket");
        let inf = false;
        for (const b of s.buckets) {
          if (b.le === Infinity) inf = true;
          const ex = b.exemplar ? [exemplar(b.exemplar, checked, name, own)] : undefined;
          const labels = withLabel(bucket, "le", formatBound(b.le));
          out.add(fam, meta, labels, odd, b.count, created, undefined, ex);
        }
        if (!inf) out.add(fam, meta, withLabel(bucket, "le", "+Inf"), odd, s.count, created);
      }
      if (s.quantiles && s.quantiles.length > 0) {
        const named = withLabel(base, "__name__", name);
        for (const q of s.quantiles) {
          const labels = withLabel(named, "quantile", formatBound(q.quantile));
          out.add(fam, meta, labels, odd, q.value, created);
        }
      }
      if (!s.native || s.buckets) {
        const g = fam.type === "gaugehistogram" ? "_g" : "_";
        if (s.sum !== undefined) {
          out.add(fam, meta, withLabel(base, "__name__", name + g + "sum"), odd, s.sum, created);
        }
        if (s.count !== undefined) {
          const labels = withLabel(base, "__name__", name + g + "count");
          out.add(fam, meta, labels, odd, s.count, created);
        }
      }
    }
  }
  return { series: out.series, metas, byKey: out.seen };
}
