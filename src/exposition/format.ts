/**
 * What a wire format implements. A registry gathers every family first (a
 * failing collector fails the scrape before a byte is written), then hands
 * the families to a {@link FormatWriter}, one family or one slice of a large
 * family at a time, and streams what it returns.
 *
 * ## The snapshot contract
 * A format reads {@link FamilySnapshot}s (see `collector.ts`), the same
 * objects `registry.collect()` returns:
 * - families come sorted by name, each once; a family's series in a stable
 *   order; no two series of a family have the same label set;
 * - `name` is the name as registered: a counter keeps its `_total` (text
 *   0.0.4 and protobuf write it as is, OpenMetrics derives the family name);
 *   an info family's samples are `<family>_info`;
 * - every series has `labelText`, its labels already escaped for the text
 *   formats; raw `labels` only when the format asked for them
 *   ({@link Format.needsLabels});
 * - histogram `counts` are per bucket (not cumulative) with `+Inf` last;
 *   summary `quantiles` follow the family's `quantiles`;
 * - `created` is epoch seconds (0 or absent: unknown); `exemplar(s)` and
 *   `native` are optional and a format that cannot carry them skips them;
 * - series may be live: write them in the call, keep no reference after.
 *
 * ## Adding a format
 * One file exporting a {@link Format}. A handler offers it when a registered
 * metric names it (`Collectable.formats`, as a native histogram names
 * protobuf) or its `formats` option does; a line in `negotiate.ts`'s
 * `FORMATS` makes every handler offer it (and every bundle carry it).
 * @module
 */

import type {
  CounterFamilySnapshot,
  FamilySnapshot,
  GaugeFamilySnapshot,
  HistogramFamilySnapshot,
  InfoFamilySnapshot,
  SummaryFamilySnapshot,
} from "../collector.ts";
import { picture } from "../_names.ts";

/** Options of one page, chosen by the caller (the handler, `registry.metrics()`). */
export interface PageOptions {
  /**
   * Write OpenMetrics `_created` samples (default false). Prometheus 2.x keeps
   * each as a series of its own; protobuf carries the time for free in
   * `created_timestamp` whatever this says.
   */
  createdTimestamps?: boolean;
}

/**
 * Writes one page. Each method gets a family and the slice `[from, to)` of
 * its series to write: `from === 0` is the family's first slice (write its
 * header there), `to === series.length` its last. A method returns text or
 * bytes for the page, or `""` to hold its output back until a later call
 * (protobuf writes a family only once it has all of it).
 */
export interface FormatWriter {
  /** A counter family. */
  counter(family: CounterFamilySnapshot, from: number, to: number): string | Uint8Array;
  /** A gauge or untyped family. */
  gauge(family: GaugeFamilySnapshot, from: number, to: number): string | Uint8Array;
  /** A histogram family. */
  histogram(family: HistogramFamilySnapshot, from: number, to: number): string | Uint8Array;
  /** A summary family. */
  summary(family: SummaryFamilySnapshot, from: number, to: number): string | Uint8Array;
  /** An info family. */
  info(family: InfoFamilySnapshot, from: number, to: number): string | Uint8Array;
  /** The end of the page (`# EOF\n` in OpenMetrics, nothing elsewhere). */
  end(): string | Uint8Array;
}

/** A wire format: its Content-Type, which Accept clauses it answers, and its writer. */
export interface Format {
  /** A short name: `"text"`, `"openmetrics"`, `"protobuf"`. */
  readonly name: string;
  /** The Content-Type of its pages. */
  readonly contentType: string;
  /** Whether its writer reads raw labels (`SeriesSnapshot.labels`) rather than `labelText`. */
  readonly needsLabels: boolean;
  /** Whether it serves an Accept clause: the media type (lower case) and its parameters. */
  accepts(mediaType: string, params: Readonly<Record<string, string>>): boolean;
  /** A writer for one page. */
  writer(options?: PageOptions): FormatWriter;
}

/**
 * Whether `f` has what serving a Format takes (a name, a Content-Type,
 * `accepts()` and `writer()`): checked where formats are given, so that a
 * bad one fails there and not at every scrape.
 */
export function isFormat(f: unknown): f is Format {
  const o = f as Partial<Format> | null;
  return o !== null && typeof o === "object" && typeof o.name === "string" &&
    typeof o.contentType === "string" && typeof o.accepts === "function" &&
    typeof o.writer === "function";
}

/**
 * `formats` (undefined: none) as an array of Formats, or a TypeError that
 * starts with `who` and names the first bad item.
 */
export function checkFormats(who: string, formats: unknown): readonly Format[] {
  if (formats === undefined) return [];
  const list = Array.isArray(formats) ? formats as unknown[] : undefined;
  const bad = list ? [...list.keys()].find((i) => !isFormat(list[i])) : -1;
  if (bad === undefined) return list as Format[];
  throw new TypeError(
    `${who}formats must be an array of Formats such as [protobufFormat]; ${
      list ? `formats[${bad}] is ${picture(list[bad])}` : "got " + picture(formats)
    }`,
  );
}

/** Hands a family slice to the writer's method for its type. */
export function writeFamily(
  w: FormatWriter,
  f: FamilySnapshot,
  from: number,
  to: number,
): string | Uint8Array {
  switch (f.type) {
    case "counter":
      return w.counter(f, from, to);
    case "gauge":
    case "untyped":
      return w.gauge(f, from, to);
    case "histogram":
      return w.histogram(f, from, to);
    case "summary":
      return w.summary(f, from, to);
    case "info":
      return w.info(f, from, to);
  }
}
