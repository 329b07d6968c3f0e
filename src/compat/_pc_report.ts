/**
 * One prom-client registry as a cluster worker reports it to
 * `AggregatorRegistry`'s primary: its metrics and what its collectors write
 * (the default metrics), together in a core registry that one
 * `AggregationSource` reads. The aggregation layer reads registered metrics
 * only (a collector describes one process, not a share of a total), while
 * prom-client's primary adds its workers' default metrics up, each by its
 * `aggregator`; so the collectors' families are held here as metrics.
 * @module
 */

import type { Collectable, Collector, FamilySnapshot } from "../collector.ts";
import { Registry as CoreRegistry } from "../registry.ts";
import { collectorsOf, type Registry } from "./_pc_registry.ts";

/** One collected family as a metric: the snapshot of the last {@link WorkerReport.read}. */
interface Held extends Collectable {
  snapshot: FamilySnapshot;
}

/** A prom-client registry's metrics and collected families, as metrics of {@link registry}. */
export class WorkerReport {
  /** What an `AggregationSource` reads: the metrics themselves, and the families as last read. */
  readonly registry: CoreRegistry = new CoreRegistry();
  /** The collectors, run here without the registry's default labels (sent apart, as for metrics). */
  #collectors = new CoreRegistry();
  #joined = new Set<Collector>();
  #held = new Set<string>();

  /** Takes `from`'s metrics as they are now, and runs its collectors. */
  async read(from: Registry): Promise<void> {
    const collectors = collectorsOf(from);
    for (const c of this.#joined) {
      if (!collectors.has(c)) this.#collectors.unregisterCollector(c);
    }
    for (const [c, options] of collectors) this.#collectors.registerCollector(c, options);
    this.#joined = new Set(collectors.keys());
    const families = new Map((await this.#collectors.collect()).map((f) => [f.name, f]));
    const metrics = new Map(from.getAll().map((m) => [m.name, m]));
    const to = this.registry;
    for (const m of to.getAll()) {
      const keep = this.#held.has(m.name) ? families.has(m.name) : metrics.get(m.name) === m;
      if (!keep) {
        to.unregister(m);
        this.#held.delete(m.name);
      }
    }
    for (const m of metrics.values()) if (to.get(m.name) === undefined) to.register(m);
    for (const [name, snapshot] of families) {
      const held = to.get(name) as Held | undefined;
      if (held !== undefined) held.snapshot = snapshot;
      else {
        to.register({
          name,
          reservedNames: [name],
          snapshot,
          collect(): FamilySnapshot {
            return this.snapshot;
          },
        } as Held);
        this.#held.add(name);
      }
    }
  }
}
