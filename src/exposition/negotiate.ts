/**
 * Content negotiation for scrapes: which format, and whether to gzip.
 * @module
 */

import type { Format } from "./format.ts";
import { openMetricsFormat } from "./openmetrics.ts";
import { textFormat } from "./text.ts";

interface Clause {
  type: string;
  params: Record<string, string>;
  q: number;
  order: number;
}

function parseList(header: string): Clause[] {
  const out: Clause[] = [];
  header.split(",").forEach((part, order) => {
    const [type, ...rest] = part.split(";");
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0) {
        params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, "");
      }
    }
    out.push({ type: type.trim().toLowerCase(), params, q: _qvalue(params.q), order });
  });
  return out.filter((c) => c.type !== "" && c.q > 0).sort((a, b) => b.q - a.q || a.order - b.order);
}

/**
 * The formats every handler serves, most specific first. A registry adds
 * those its metrics need (protobuf, for a native histogram) ahead of them;
 * a handler's `formats` option adds others.
 */
export const FORMATS: readonly Format[] = [openMetricsFormat, textFormat];

/**
 * The format for an Accept header: the clauses are taken by preference and
 * the first one an offered format accepts decides; `*\/*`, `text/*` and
 * anything unknown fall back to text 0.0.4, as client_golang does. `offered`
 * is {@link FORMATS} by default, which has no protobuf: a handler of your
 * own offers `[...registry.formats, ...FORMATS]`, so that a registry holding
 * a native histogram is served in protobuf when the scraper asks for it.
 *
 * @example
 * ```ts
 * import { FORMATS, Histogram, negotiate, Registry } from "../../mod.ts";
 * import { nativeHistogram } from "../metrics/native_histogram.ts";
 * const registry = new Registry();
 * new Histogram({ name: "rpc_seconds", help: "RPC.", native: nativeHistogram(), registry });
 * const accept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;" +
 *   "encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8";
 * const format = negotiate(accept, [...registry.formats, ...FORMATS]);
 * const page = await registry.stream({ format });
 * console.log(format.name, negotiate(accept).name); // protobuf openmetrics
 * await page.cancel();
 * ```
 */
export function negotiate(accept: string | null, offered: readonly Format[] = FORMATS): Format {
  if (accept) {
    for (const c of parseList(accept)) {
      for (const f of offered) if (f.accepts(c.type, c.params)) return f;
    }
  }
  return textFormat;
}

/**
 * A weight: absent is 1; a decimal is clamped to 1; anything else (`1e3`,
 * `0x1`, `-1`, `NaN`, empty) is 0, so the clause is passed over.
 */
function _qvalue(q: string | undefined): number {
  if (q === undefined) return 1;
  return /^(\d+(\.\d*)?|\.\d+)$/.test(q) ? Math.min(Number(q), 1) : 0;
}

/**
 * Whether to gzip for this Accept-Encoding header. gzip's weight is that of
 * its own clause (`gzip` or `x-gzip`; the highest if repeated), else that of
 * `*`; `q=0` refuses it, whatever other parameters the clause carries
 * (`gzip;q=0;foo=1, *` is a refusal). gzip is chosen when its weight is
 * above 0 and not below the weight the client gives plain `identity`.
 */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  if (!acceptEncoding) return false;
  let gzip: number | undefined;
  let identity: number | undefined;
  let star: number | undefined;
  for (const part of acceptEncoding.split(",")) {
    const [coding, ...rest] = part.split(";");
    let q: string | undefined;
    for (const p of rest) {
      const eq = p.indexOf("=");
      if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === "q") q = p.slice(eq + 1).trim();
    }
    const w = _qvalue(q);
    const name = coding.trim().toLowerCase();
    if (name === "gzip" || name === "x-gzip") gzip = Math.max(gzip ?? 0, w);
    else if (name === "identity") identity = Math.max(identity ?? 0, w);
    else if (name === "*") star = Math.max(star ?? 0, w);
  }
  const g = gzip ?? star ?? 0;
  return g > 0 && g >= (identity ?? star ?? 0);
}
