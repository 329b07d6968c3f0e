/**
 * The one adapter from a {@link Registry} to the families remote write sends.
 *
 * Today it reads the registry's OpenMetrics page (the only complete read the
 * registry offers) and regroups its samples; when the registry has a typed
 * snapshot, this file alone changes: map each snapshot family to a
 * {@link RemoteFamily} (counter `name` = the sample name with `_total`,
 * classic buckets as cumulative `{ le, count }`, quantiles, native histograms,
 * exemplars, created times in ms).
 * @module
 */

import type { Registry } from "../registry.ts";
import type { RemoteBucket, RemoteExemplar, RemoteFamily, RemoteFamilySeries } from "./family.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };

/** Reads the families of `registry` now. */
export async function familiesOf(registry: Registry): Promise<RemoteFamily[]> {
  return parseOpenMetrics(await registry.metrics({ openMetrics: true }));
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => c === "n" ? "\n" : c);
}

function num(s: string): number {
  return s === "+Inf" ? Infinity : s === "-Inf" ? -Infinity : Number(s);
}

/** Parses `{a="b",...}` at `s[i]`; returns the labels and the index after `}`. */
function labelsAt(s: string, i: number): [Record<string, string>, number] {
  const out: Record<string, string> = {};
  i++; // {
  while (s[i] !== "}") {
    const eq = s.indexOf("=", i);
    const name = s.slice(i, eq);
    let j = eq + 2; // past ="
    let v = "";
    while (s[j] !== '"') {
      if (s[j] === "\\") {
        v += s[j + 1] === "n" ? "\n" : s[j + 1];
        j += 2;
      } else v += s[j++];
    }
    out[name] = v;
    i = s[j + 1] === "," ? j + 2 : j + 1;
  }
  return [out, i + 1];
}

/** Parses an OpenMetrics 1.0 page as this library writes it. */
export function parseOpenMetrics(text: string): RemoteFamily[] {
  const families: Mutable<RemoteFamily>[] = [];
  let fam: Mutable<RemoteFamily> | undefined;
  let omName = "";
  let bySeries = new Map<string, Mutable<RemoteFamilySeries>>();
  for (const line of text.split("\n")) {
    if (line === "" || line === "# EOF") continue;
    if (line.startsWith("# ")) {
      const sp = line.indexOf(" ", 7);
      const kind = line.slice(2, 6), name = line.slice(7, sp), rest = line.slice(sp + 1);
      if (kind === "TYPE") {
        omName = name;
        const type = rest === "unknown" ? "untyped" : rest as RemoteFamily["type"];
        const full = type === "counter" ? name + "_total" : type === "info" ? name + "_info" : name;
        fam = { name: full, type, help: "", series: [] };
        families.push(fam);
        bySeries = new Map();
      } else if (fam && kind === "HELP") fam.help = unescape(rest);
      else if (fam && kind === "UNIT") fam.unit = rest;
      continue;
    }
    if (!fam) continue;
    const brace = line.indexOf("{");
    const firstSpace = line.indexOf(" ");
    let labels: Record<string, string> = {};
    let at: number;
    let sample: string;
    if (brace >= 0 && brace < firstSpace) {
      sample = line.slice(0, brace);
      [labels, at] = labelsAt(line, brace);
    } else {
      sample = line.slice(0, firstSpace);
      at = firstSpace;
    }
    const tail = line.slice(at + 1);
    const hash = tail.indexOf(" # ");
    const value = num((hash >= 0 ? tail.slice(0, hash) : tail).split(" ")[0]);
    let exemplar: RemoteExemplar | undefined;
    if (hash >= 0) {
      const [el, after] = labelsAt(tail, hash + 3);
      const [v, ts] = tail.slice(after + 1).split(" ");
      exemplar = { labels: el, value: num(v) };
      if (ts !== undefined) exemplar.timestamp = Math.round(Number(ts) * 1000);
    }
    const hist = fam.type === "histogram" || fam.type === "gaugehistogram";
    const le = labels.le, quantile = labels.quantile;
    const own = { ...labels };
    if (hist) delete own.le;
    if (fam.type === "summary") delete own.quantile;
    const key = JSON.stringify(own);
    let s = bySeries.get(key);
    if (!s) {
      s = { labels: own };
      bySeries.set(key, s);
      fam.series.push(s);
    }
    const suffix = sample.slice(omName.length);
    if (suffix === "_created") s.created = Math.round(value * 1000);
    else if (suffix === "_bucket") {
      s.buckets ??= [];
      (s.buckets as RemoteBucket[]).push({ le: num(le), count: value, exemplar });
    } else if (suffix === "_count" || suffix === "_gcount") s.count = value;
    else if (suffix === "_sum" || suffix === "_gsum") s.sum = value;
    else if (fam.type === "summary") {
      s.quantiles ??= [];
      (s.quantiles as { quantile: number; value: number }[]).push({
        quantile: num(quantile),
        value,
      });
    } else {
      s.value = value;
      if (exemplar) s.exemplar = exemplar;
    }
  }
  return families;
}
