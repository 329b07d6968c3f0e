/**
 * Info: a constant 1 whose labels carry facts, such as a build's version.
 * @module
 */

import { reservedNames } from "../_names.ts";
import type { InfoFamilySnapshot, SeriesSnapshot } from "../collector.ts";
import { checkMetricOptions, type Labels, Metric, type MetricOptions } from "./_metric.ts";

/** Options of an {@link Info}. */
export interface InfoOptions<L extends string>
  extends Omit<MetricOptions<L>, "unit" | "maxSeries" | "ttlSeconds" | "now"> {
  /** Called at every scrape before the metric is written, with it as `this`. */
  collect?: (this: Info<L>) => void | Promise<void>;
}

/**
 * The live state of one Info series, what its snapshot reads.
 * @ignore
 */
export class InfoSeries {
  constructor(readonly k: string) {}
}

/**
 * An info metric: `name_info{...} 1` (OpenMetrics type `info`, a gauge in
 * text 0.0.4). A name given with `_info` is not doubled.
 *
 * @example
 * ```ts
 * import { Info, Registry } from "../../mod.ts";
 * const registry = new Registry();
 * const build = new Info({
 *   name: "build",
 *   help: "Build information.",
 *   labelNames: ["version", "commit"],
 *   registry,
 * });
 * build.set({ version: "1.2.3", commit: "abc123" });
 * console.log(await registry.metrics());
 * ```
 */
export class Info<L extends string = never> extends Metric<L, InfoSeries> {
  /** Always `"info"`. */
  readonly type = "info" as const;
  /** @internal */
  readonly reservedNames: readonly string[];

  /** Creates the metric and registers it (see {@link MetricOptions.registry}). */
  constructor(opts: InfoOptions<L>) {
    checkMetricOptions("Info", opts);
    super({ ...opts, unit: undefined });
    this.reservedNames = reservedNames("info", this.name);
    this._ready(opts);
  }

  /** @internal */
  protected _newSeries(k: string): InfoSeries {
    return new InfoSeries(k);
  }

  /** @internal */
  protected _view(
    _s: InfoSeries,
    labelText: string,
    labels: Record<string, string> | undefined,
  ): SeriesSnapshot {
    return labels === undefined ? { labelText } : { labelText, labels };
  }

  /** @internal */
  protected _resetSeries(): void {}

  /** Sets the facts: the one series of this metric becomes this label set. */
  set(labels: Labels<L>): void {
    if (this.labelNames.length === 0) {
      this._series(labels);
      return;
    }
    this._keys(labels);
    this.reset();
    this._series(labels);
  }

  /** @internal */
  protected _family(series: SeriesSnapshot[]): InfoFamilySnapshot {
    return { name: this.name, help: this.help, type: "info", series };
  }
}
