/**
 * Content negotiation for scrapes: which format, and whether to gzip.
 * @module
 */

import type { Format } from "./format.ts";
import { openMetricsFormat } from "./openmetrics.ts";
import { protobufFormat } from "./protobuf.ts";
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
    const q = params.q === undefined ? 1 : Number(params.q);
    out.push({ type: type.trim().toLowerCase(), params, q: Number.isFinite(q) ? q : 0, order });
  });
  return out.filter((c) => c.type !== "" && c.q > 0).sort((a, b) => b.q - a.q || a.order - b.order);
}

/**
 * Whether the Accept header asks for OpenMetrics: the clauses are taken by
 * preference; the first one we can serve decides. `application/openmetrics-text`
 * with version 1.0.0, 0.0.1 or none is OpenMetrics; `text/plain` with version
 * 0.0.4 or none is text; anything else is passed over, and text is the
 * fallback, as client_golang does.
 */
export function wantsOpenMetrics(accept: string | null): boolean {
  if (!accept) return false;
  for (const c of parseList(accept)) {
    const v = c.params.version;
    if (
      c.type === "application/openmetrics-text" &&
      (v === undefined || v === "1.0.0" || v === "0.0.1")
    ) {
      return true;
    }
    if (c.type === "text/plain" && (v === undefined || v === "0.0.4")) return false;
    if (c.type === "*/*" || c.type === "text/*") return false;
  }
  return false;
}

/**
 * The formats served, most specific first. A new format is one line here
 * (and its file).
 */
export const FORMATS: readonly Format[] = [protobufFormat, openMetricsFormat, textFormat];

/**
 * The format for an Accept header: the clauses are taken by preference and
 * the first one an offered format accepts decides; `*\/*`, `text/*` and
 * anything unknown fall back to text 0.0.4, as client_golang does.
 */
export function negotiate(accept: string | null, offered: readonly Format[] = FORMATS): Format {
  if (accept) {
    for (const c of parseList(accept)) {
      for (const f of offered) if (f.accepts(c.type, c.params)) return f;
    }
  }
  return textFormat;
}

/** Whether the Accept-Encoding header allows gzip (by name or `*`, with q > 0). */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  if (!acceptEncoding) return false;
  let star = false;
  for (const c of parseList(acceptEncoding)) {
    if (c.type === "gzip" || c.type === "x-gzip") return true;
    if (c.type === "*") star = true;
  }
  // An explicit "gzip;q=0" was filtered out above; "*" stands for the rest.
  return star && !/(^|,)\s*gzip\s*;\s*q=0(\.0*)?\s*(,|$)/i.test(acceptEncoding);
}
