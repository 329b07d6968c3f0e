/**
 * What Histogram and Summary share: `observe`, `startTimer` and `time`, on
 * the metric and on a bound child.
 * @module
 */

import type { SeriesSnapshot } from "../collector.ts";
import { type Labels, Metric, type SeriesBase } from "./_metric.ts";
import { checkFunction, timed, timer } from "./_timer.ts";
import { show } from "../_names.ts";

/** Throws unless `v` can be observed (a finite number). @internal */
export function checkObservation(kind: "Histogram" | "Summary", name: string, v: unknown): void {
  if (typeof v !== "number" || v - v !== 0) {
    throw new RangeError(
      `${kind} "${name}" cannot observe ${show(v)}: the value must be a finite number`,
    );
  }
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

  /** @internal A histogram's or summary's poison is in its count. */
  protected override _unpoison(view: SeriesSnapshot, v: number, _s: S): void {
    (view as unknown as { count: number }).count = v;
  }

  /** Records one observation in the metric without labels. */
  observe(value: number): void;
  /** Records one observation in the series with these labels. */
  observe(labels: Labels<L>, value: number): void;
  observe(a: number | Labels<L>, b?: number): void {
    if (typeof a === "object") this._record(this._find(a) ?? this._createFor(a, b), b as number);
    else this._record(this._single ?? this._series(a as never), a);
  }

  /**
   * Creates the series with these labels at zero, so it is exported before
   * its first update (`rate()` then sees the first one). An existing series
   * is left as it is.
   */
  zero(labels: Labels<L>): void {
    this._series(labels);
  }

  /** Creates the series for `labels` once `value` is known to be observable. */
  private _createFor(labels: Labels<L>, value: unknown): S {
    checkObservation(this.type === "histogram" ? "Histogram" : "Summary", this.name, value);
    return this._create(labels);
  }

  /** @internal A child bound to `s`. */
  protected abstract _child(s: S): ObserverChild;

  /** Starts a timer; calling the result observes the elapsed seconds. */
  startTimer(labels?: Partial<Labels<L>>): (endLabels?: Partial<Labels<L>>) => number {
    this._checkSome(labels);
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
    checkFunction(b);
    // Through a child: after reset() or remove() the series comes back.
    const child = this._child(this._seriesOf([a]));
    return timed((v) => child.observe(v), b!);
  }
}
