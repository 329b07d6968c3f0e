/**
 * The registry's count of updates that a metric's `maxSeries` cap sent to
 * its overflow series: `promedge_series_overflow_total{metric="..."}`, one
 * series per capped metric, registered with the metric's registry when the
 * first capped metric is, each series at 0 from the start (so `increase()`
 * sees the first overflow).
 * @module
 */

import { reservedNames } from "../_names.ts";
import type {
  Collectable,
  CollectOptions,
  CounterFamilySnapshot,
  ValueSeriesSnapshot,
} from "../collector.ts";
import type { Registry } from "../registry.ts";

/** The name of the overflow counter a capped metric's registry holds. */
const OVERFLOW_COUNTER = "promedge_series_overflow_total";

/** @internal One metric's count, shared with the metric that updates it. */
export interface OverflowCell {
  value: number;
}

interface Cell extends OverflowCell {
  created: number;
  /** The metric counting in it (the registry may hold a newer one of that name). */
  owner: Collectable;
}

/** The counter family: reads each cell of a metric still registered. */
class OverflowCounter implements Collectable {
  readonly name: string = OVERFLOW_COUNTER;
  readonly reservedNames: readonly string[] = reservedNames("counter", OVERFLOW_COUNTER);
  #registry: Registry;
  #cells = new Map<string, Cell>();

  constructor(registry: Registry) {
    this.#registry = registry;
  }

  /** The cell of metric `m`; a metric registered again under its name keeps counting in it. */
  cell(m: Collectable): Cell {
    let c = this.#cells.get(m.name);
    if (c === undefined) {
      c = { value: 0, created: Date.now() / 1000, owner: m };
      this.#cells.set(m.name, c);
    }
    c.owner = m;
    return c;
  }

  collect(options?: CollectOptions): CounterFamilySnapshot {
    const series: ValueSeriesSnapshot[] = [];
    for (const [name, c] of this.#cells) {
      if (this.#registry.get(name) !== c.owner) continue;
      const s = { labelText: `metric="${name}"`, value: c.value, created: c.created };
      series.push(options?.labels ? { ...s, labels: { metric: name } } : s);
    }
    return {
      name: OVERFLOW_COUNTER,
      help: "Updates recorded in a metric's overflow series because it held maxSeries series.",
      type: "counter",
      series,
    };
  }
}

const counters = new WeakMap<Registry, OverflowCounter>();

/**
 * @internal The overflow count of metric `m` (already registered with
 * `registry`): registers the overflow counter there if it is not yet.
 */
export function overflowCell(registry: Registry, m: Collectable): OverflowCell {
  let c = counters.get(registry);
  if (c === undefined || registry.get(OVERFLOW_COUNTER) !== c) {
    c = new OverflowCounter(registry);
    registry.register(c);
    counters.set(registry, c);
  }
  return c.cell(m);
}
