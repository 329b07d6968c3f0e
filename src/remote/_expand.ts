/**
 * Families to remote-write series: histograms and summaries become their
 * `_bucket{le}`, `_sum`, `_count` and `{quantile}` series, the writer's
 * labels are added, empty label values dropped, labels sorted by name
 * (byte order, as Prometheus sorts them), and everything a receiver would
 * refuse (bad names, a label twice, a series twice) is an error here, before
 * anything is sent.
 * @module
 */

import { formatBound, show } from "../metrics/_names.ts";
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
  histogram?: RemoteNativeHistogram;
  exemplars?: FlatExemplar[];
  /** Milliseconds, 0 when unknown. */
  created: number;
  /** Index of the family's metadata; -1 for none (a staleness marker). */
  meta: number;
  /** A staleness marker: the series is gone; its sample is the special NaN. */
  stale?: boolean;
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

/** Checks and sorts a label record; empty values are dropped. Returns flattened pairs. */
function labelPairs(
  labels: Readonly<Record<string, string>>,
  what: () => string,
  checked: Set<string>,
): [string, string][] {
  const out: [string, string][] = [];
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
    if (value !== "") out.push([name, value]);
  }
  return out;
}

function byName(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Flattens sorted pairs. */
function flat(pairs: [string, string][]): string[] {
  const out = new Array<string>(pairs.length * 2);
  for (let i = 0; i < pairs.length; i++) {
    out[2 * i] = pairs[i][0];
    out[2 * i + 1] = pairs[i][1];
  }
  return out;
}

/** `sorted` (flattened, by name) with one more pair put in its place. */
function withLabel(sorted: readonly string[], name: string, value: string): string[] {
  let at = 0;
  while (at < sorted.length && sorted[at] < name) at += 2;
  const out = sorted.slice(0, at);
  out.push(name, value);
  for (let i = at; i < sorted.length; i++) out.push(sorted[i]);
  return out;
}

/** An unambiguous identity of flattened labels. */
export function seriesKey(labels: readonly string[]): string {
  let key = "";
  for (let i = 0; i < labels.length; i += 2) {
    key += labels[i] + "=" + labels[i + 1].length + ":" + labels[i + 1] + ";";
  }
  return key;
}

function exemplar(e: RemoteExemplar, what: () => string, checked: Set<string>): FlatExemplar {
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
  const pairs = labelPairs(e.labels ?? {}, () => `an exemplar of ${what()}`, checked);
  pairs.sort(byName);
  return { labels: flat(pairs), value: e.value, timestamp: ts };
}

/**
 * Expands families into series. `extra` (the writer's labels, already
 * checked, empty values removed) is added to every series.
 */
export function expandFamilies(
  families: readonly RemoteFamily[],
  extra: readonly [string, string][],
): Expanded {
  const series: FlatSeries[] = [];
  const metas: FamilyMeta[] = [];
  const seen = new Map<string, string>();
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
      const what = () => describe(["__name__", name, ...flat(Object.entries(s.labels ?? {}))]);
      const pairs = labelPairs(s.labels ?? {}, what, checked);
      for (const p of extra) {
        if (p[0] in (s.labels ?? {}) && s.labels[p[0]] !== "") {
          throw new TypeError(
            `RemoteWriter: series ${what()} has label "${p[0]}" and the writer's labels ` +
              `option sets it too: a series may not have a label twice; rename one`,
          );
        }
        pairs.push(p);
      }
      if (reserved && pairs.some((p) => p[0] === reserved)) {
        throw new TypeError(
          `RemoteWriter: ${fam.type} series ${what()} has label "${reserved}", which its ` +
            `${reserved === "le" ? "buckets" : "quantiles"} set too; rename it`,
        );
      }
      pairs.sort(byName);
      const base = flat(pairs);
      const created = s.created ?? 0;
      const add = (
        value: number | undefined,
        labels: string[],
        more?: Partial<FlatSeries>,
      ): void => {
        if (typeof value !== "number" && !more?.histogram) {
          throw new TypeError(
            `RemoteWriter: series ${describe(labels)} of ${fam.type} "${name}" has value ${
              show(value)
            }; give a number`,
          );
        }
        const key = seriesKey(labels);
        const before = seen.get(key);
        if (before !== undefined) {
          throw new TypeError(
            `RemoteWriter: series ${describe(labels)} appears twice in one write ` +
              `(families "${before}" and "${name}"); a series must be unique`,
          );
        }
        seen.set(key, name);
        series.push({ labels, key, value: value ?? 0, created, meta, ...more });
      };
      const named = (sample: string) => withLabel(base, "__name__", sample);
      if (reserved === "le" || reserved === "quantile") {
        const g = fam.type === "gaugehistogram" ? "_g" : "_";
        if (s.native) {
          const ex = s.exemplars?.map((e) => exemplar(e, what, checked));
          add(0, named(name), { histogram: s.native, exemplars: ex });
        }
        const nameBucket = named(name + "_bucket");
        let inf = false;
        for (const b of s.buckets ?? []) {
          if (b.le === Infinity) inf = true;
          add(
            b.count,
            withLabel(nameBucket, "le", formatBound(b.le)),
            b.exemplar ? { exemplars: [exemplar(b.exemplar, what, checked)] } : undefined,
          );
        }
        if (s.buckets && s.buckets.length > 0 && !inf) {
          add(s.count, withLabel(nameBucket, "le", "+Inf"));
        }
        for (const q of s.quantiles ?? []) {
          add(q.value, withLabel(named(name), "quantile", formatBound(q.quantile)));
        }
        if (!s.native || s.buckets) {
          if (s.sum !== undefined) add(s.sum, named(name + g + "sum"));
          if (s.count !== undefined) add(s.count, named(name + g + "count"));
        }
      } else {
        add(
          s.value,
          named(name),
          s.exemplar ? { exemplars: [exemplar(s.exemplar, what, checked)] } : undefined,
        );
      }
    }
  }
  return { series, metas };
}
