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
 *   `native` are optional and a format that cannot carry them skips them
 *   (one that never reads `native` says `nativeHistograms: false`, and its
 *   pages are spared building it);
 * - series may be live: write them in the call, keep no reference after.
 *
 * ## Adding a format
 * One file exporting a {@link Format}. A handler offers it when a registered
 * metric names it (`Collectable.formats`, as a native histogram names
 * protobuf) or its `formats` option does; a line in `negotiate.ts`'s
 * `FORMATS` makes every handler offer it (and every bundle carry it).
 * @module
 */

import type { FamilySnapshot, Format, FormatWriter, PageOptions } from "../collector.ts";
import { picture } from "../_names.ts";

export type { Format, FormatWriter, PageOptions };

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
