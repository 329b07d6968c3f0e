/**
 * What Histogram and Summary share: `observe`, `startTimer` and `time`, on
 * the metric and on a bound child.
 * @module
 */

import { type Labels, Metric, type SeriesBase } from "./_metric.ts";
import { timed, timer } from "./_timer.ts";
import { show } from "../_names.ts";

/** The error for a value that cannot be observed (not a finite number). @internal */
export function badObservation(
  kind: "Histogram" | "Summary",
  name: string,
  v: unknown,
): RangeError {
  return new RangeError(
    `${kind} "${name}" cannot observe ${show(v)}: the value must be a finite number`,
  );
}

/** A Histogram or Summary series bound by `labels()`. */
export abstract class ObserverChild {
  /** Records one observation. */
  abstract observe(value: number): void;

  /** Starts a timer; calling the result observes the elapsed seconds. */
  startTimer(): () => number {
    return timer((s) => this.observe(s));
  }

  /** Wraps `fn` so that each call's duration is observed, also when it throws. */
  time<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return timed((s) => this.observe(s), fn);
  }
}

/** Base of Histogram and Summary. */
export abstract class ObservingMetric<L extends string, S extends SeriesBase> extends Metric<L, S> {
  /** @internal Checks `value` and records it in `series`. */
  protected abstract _record(series: S, value: number): void;

  /** @internal Every observation changes the count. */
  protected override _version(s: S): number {
    return (s as unknown as { count: number }).count;
  }

  /** Records one observation in the metric without labels. */
  observe(value: number): void;
  /** Records one observation in the series with these labels. */
  observe(labels: Labels<L>, value: number): void;
  observe(a: number | Labels<L>, b?: number): void {
    if (typeof a === "object") this._record(this._series(a), b as number);
    else this._record(this._single ?? this._series(a as never), a);
  }

  /** Starts a timer; calling the result observes the elapsed seconds. */
  startTimer(labels?: Partial<Labels<L>>): (endLabels?: Partial<Labels<L>>) => number {
    return timer<Partial<Labels<L>>>((seconds, end) => {
      const all = (end ? { ...labels, ...end } : labels) as Labels<L> | undefined;
      if (all === undefined) this.observe(seconds);
      else this.observe(all, seconds);
    });
  }

  /**
   * Wraps `fn` so that each call's duration in seconds is observed, for sync
   * and async functions, also when it throws: the form of Python's
   * `@REQUEST_TIME.time()` decorator.
   */
  time<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  /** The same, observed in the series with these labels. */
  time<A extends unknown[], R>(labels: Labels<L>, fn: (...args: A) => R): (...args: A) => R;
  time<A extends unknown[], R>(
    a: Labels<L> | ((...args: A) => R),
    b?: (...args: A) => R,
  ): (...args: A) => R {
    if (typeof a === "function") return timed((s) => this.observe(s), a);
    const s = this._series(a);
    return timed((v) => this._record(s, v), b!);
  }
}
