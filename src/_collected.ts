/**
 * Checks what a custom collector returned and turns each family into a
 * snapshot; every message names the collector and what was wrong.
 * @module
 */

import type {
  FamilySnapshot,
  MetricFamily,
  SeriesSnapshot,
  ValueSeriesSnapshot,
} from "./collector.ts";
import {
  checkLabelName,
  checkMetricName,
  checkUnit,
  counterFamily,
  labelValueText,
  loneSurrogateAt,
  notUnicode,
  picture,
  show,
} from "./_names.ts";
import { labelText } from "./exposition/_escape.ts";

const TYPES = ["counter", "gauge", "untyped", "info"];

/** The families out of a collector's return value, or a TypeError naming `source`. */
export function familiesOf(source: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) {
    const iterable = value !== null && typeof value === "object" &&
      typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function";
    if (!iterable) {
      throw new TypeError(
        `${source} returned ${
          picture(value)
        }; a collector must return (or resolve to) an array of metric families`,
      );
    }
    return [...(value as Iterable<unknown>)];
  }
  return value;
}

/** Checks one family a collector returned and makes its snapshot. */
export function collectedFamily(source: string, fam: unknown): FamilySnapshot {
  if (fam === null || typeof fam !== "object" || Array.isArray(fam)) {
    throw new TypeError(
      `${source} returned ${
        picture(fam)
      } in its array; each item must be a metric family { name, help, type, samples }`,
    );
  }
  const { name, help, type, unit, samples } = fam as MetricFamily;
  const where = () => `${source}, family ${JSON.stringify(name)}`;
  try {
    checkMetricName(name);
  } catch (e) {
    throw new TypeError(`${source}: ${(e as Error).message}`);
  }
  if (!TYPES.includes(type)) {
    throw new TypeError(
      `${where()}: type ${show(type)} is not one of counter, gauge, untyped, info`,
    );
  }
  if (typeof help !== "string") {
    throw new TypeError(`${where()}: help must be a string, got ${show(help)}`);
  }
  const badHelp = loneSurrogateAt(help);
  if (badHelp >= 0) throw notUnicode(`${where()}: help`, help, badHelp);
  if (unit !== undefined) {
    if (type === "info") throw new TypeError(`${where()}: an info family has no unit`);
    try {
      checkUnit(name, unit, type === "counter" ? counterFamily(name) : name);
    } catch (e) {
      throw new TypeError(`${source}: ${(e as Error).message}`);
    }
  }
  if (!Array.isArray(samples)) {
    throw new TypeError(
      `${where()}: samples must be an array of { labels?, value }, got ${picture(samples)}`,
    );
  }
  const series: ValueSeriesSnapshot[] = new Array(samples.length);
  const seen = new Set<string>();
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    if (s === null || typeof s !== "object") {
      throw new TypeError(`${where()}: sample ${i} is ${picture(s)}, not { labels?, value }`);
    }
    const given = s.labels ?? {};
    if (given === null || typeof given !== "object" || Array.isArray(given)) {
      throw new TypeError(`${where()}: sample ${i} has labels ${picture(given)}, not an object`);
    }
    const names: string[] = [];
    const values: string[] = [];
    const labels: Record<string, string> = {};
    for (const k in given) {
      try {
        checkLabelName(name, k);
      } catch (e) {
        throw new TypeError(`${source}: ${(e as Error).message}`);
      }
      const text = labelValueText(`${where()}: label "${k}"`, given[k]);
      names.push(k);
      values.push(text);
      labels[k] = text;
    }
    const key = JSON.stringify(names.map((n, j) => [n, values[j]]).sort());
    if (seen.has(key)) {
      throw new TypeError(
        `${where()}: the label set {${
          names.map((n, j) => `${n}=${JSON.stringify(values[j])}`).join(",")
        }} appears twice; each series must appear once`,
      );
    }
    seen.add(key);
    const value = type === "info" ? 1 : s.value;
    if (typeof value !== "number") {
      throw new TypeError(`${where()}: sample ${i} has value ${show(value)}, not a number`);
    }
    if (type === "counter" && !(value >= 0)) {
      throw new RangeError(
        `${where()}: counter "${name}" has value ${value}: a counter must be >= 0`,
      );
    }
    series[i] = { labelText: labelText(names, values), labels, value };
  }
  if (type === "info") {
    return { name, help, type, series: series as SeriesSnapshot[] };
  }
  return { name, help, type, unit, series };
}
