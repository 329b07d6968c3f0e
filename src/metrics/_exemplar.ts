/**
 * Exemplars: the checks made when one is recorded (label names, the
 * OpenMetrics limit of 128 code points, well-formed text), the record kept
 * (value and the time of the call), and the small bounded set a native
 * histogram series keeps.
 * @module
 */

import { EXEMPLAR_MAX_CODE_POINTS, isLabelName, loneSurrogateAt, notUnicode } from "../_names.ts";
import type { Exemplar, LabelValue } from "../collector.ts";

/** The labels of an exemplar, e.g. `{ trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" }`. */
export type ExemplarLabels = Readonly<Record<string, LabelValue>>;

/** The second argument of the labelled `incWithExemplar` and `observeWithExemplar`. */
export interface ExemplarOptions {
  /** The amount added (a counter) or the value observed (a histogram). */
  value: number;
  /** The exemplar's labels, e.g. `{ trace_id: "..." }`. */
  exemplarLabels: ExemplarLabels;
}

export { EXEMPLAR_MAX_CODE_POINTS };

/** What an exemplar error names: the metric. */
interface Named {
  readonly name: string;
  readonly type: string;
}

function who(m: Named): string {
  return (m.type === "counter" ? "Counter" : "Histogram") + ` "${m.name}"`;
}

/** The code points of `text`, which has no lone surrogate (an astral character counts once). */
function codePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--; // the first half of a pair
  }
  return n;
}

/** Label names already found valid (the few a program uses), so a call checks each once. */
const goodNames = new Set<string>();

function checkName(m: Named, name: string): void {
  if (goodNames.has(name)) return;
  if (!isLabelName(name)) {
    throw new TypeError(
      `${who(m)}: invalid exemplar label name ${JSON.stringify(name)}: a label name must ` +
        'match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__", e.g. "trace_id"',
    );
  }
  if (goodNames.size < 256) goodNames.add(name);
}

/**
 * @internal A new exemplar of `value` timestamped now (epoch seconds, ms
 * resolution), with a checked copy of `labels`. Throws a TypeError (a label
 * name or value) or a RangeError (over {@link EXEMPLAR_MAX_CODE_POINTS})
 * naming the metric; the caller has changed nothing yet.
 */
export function newExemplar(m: Named, labels: unknown, value: number): Exemplar {
  if (labels === null || typeof labels !== "object" || Array.isArray(labels)) {
    throw new TypeError(
      `${who(m)}: exemplar labels must be an object such as { trace_id: "4bf92f35..." }, got ${
        labels === null ? "null" : Array.isArray(labels) ? "an array" : typeof labels
      }`,
    );
  }
  // One read of each label: the copy is what is checked and kept.
  const own: Record<string, unknown> = { ...labels };
  let units = 0; // UTF-16 units: at least the code points
  for (const name in own) {
    checkName(m, name);
    const v = own[name];
    let text: string;
    if (typeof v === "string") text = v;
    else if (typeof v === "number") own[name] = text = "" + v;
    else {
      throw new TypeError(
        `${who(m)}: exemplar label "${name}" must be a string or a number, got ${
          v === null ? "null" : typeof v
        }`,
      );
    }
    const at = loneSurrogateAt(text);
    if (at >= 0) throw notUnicode(`${who(m)}: exemplar label "${name}"`, text, at);
    units += name.length + text.length;
  }
  if (units > EXEMPLAR_MAX_CODE_POINTS) tooLong(m, own);
  return { labels: own as Record<string, string>, value, timestamp: Date.now() / 1000 };
}

/** Throws when the labels' names and values take more code points than OpenMetrics allows. */
function tooLong(m: Named, labels: Record<string, unknown>): void {
  let points = 0;
  for (const name in labels) points += name.length + codePoints(labels[name] as string);
  if (points > EXEMPLAR_MAX_CODE_POINTS) {
    throw new RangeError(
      `${who(m)}: the exemplar's label names and values take ${points} code points; ` +
        `OpenMetrics allows at most ${EXEMPLAR_MAX_CODE_POINTS} (Prometheus drops longer ` +
        "exemplars): shorten them",
    );
  }
}

/**
 * @internal The second argument of a labelled `incWithExemplar` or
 * `observeWithExemplar`, checked: an object with `exemplarLabels`.
 */
export function exemplarOptions(m: Named, method: string, o: unknown): ExemplarOptions {
  if (o !== null && typeof o === "object" && "exemplarLabels" in o) return o as ExemplarOptions;
  throw new TypeError(
    `${who(m)}: ${method}(labels, options) takes { value, exemplarLabels } as its second ` +
      `argument, got ${
        o === null ? "null" : typeof o === "object" ? "an object without exemplarLabels" : typeof o
      }`,
  );
}

/** client_golang's bound on a native histogram series' exemplars. */
const NATIVE_EXEMPLARS_MAX = 10;
/** client_golang's age, in seconds, past which a native exemplar is replaced first. */
const NATIVE_EXEMPLARS_TTL = 300;

/**
 * @internal The exemplars of one native histogram series: at most `max`.
 * When full, a new one replaces the oldest if that is more than `ttl`
 * seconds old, otherwise the one closest in value, so the set keeps spanning
 * the values seen while staying fresh.
 */
export class NativeExemplars {
  /** The exemplars kept, in no particular order. */
  readonly list: Exemplar[] = [];
  constructor(readonly max: number = NATIVE_EXEMPLARS_MAX, readonly ttl = NATIVE_EXEMPLARS_TTL) {}

  /** Keeps `e` (recorded by {@link newExemplar}, so it has a timestamp). */
  add(e: Exemplar): void {
    const l = this.list;
    if (l.length < this.max) {
      l.push(e);
      return;
    }
    if (l.length === 0) return;
    let oldest = 0, nearest = 0;
    for (let i = 1; i < l.length; i++) {
      if (l[i].timestamp! < l[oldest].timestamp!) oldest = i;
      if (Math.abs(l[i].value - e.value) < Math.abs(l[nearest].value - e.value)) nearest = i;
    }
    l[e.timestamp! - l[oldest].timestamp! > this.ttl ? oldest : nearest] = e;
  }
}
