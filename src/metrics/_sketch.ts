/**
 * Quantile sketch for Summary: logarithmic buckets (the DDSketch idea).
 *
 * A positive value v goes to bucket ceil(log(v) / log(γ)) with
 * γ = (1 + α) / (1 - α); the bucket's estimate 2γ^i / (γ + 1) is within a
 * relative error α of every value in it. Negative values go to a mirrored
 * store, zeros are counted apart. The rank walk is exact, so a quantile is
 * the true order statistic at that rank to within α, whatever the
 * distribution. Memory is bounded by the value range, not by the number of
 * observations: at most MAX_BUCKETS buckets per sign (α = 0.5%: about 35
 * orders of magnitude); beyond it the lowest buckets fold together.
 * @module
 */

/** The relative accuracy guaranteed for every quantile. @internal */
export const RELATIVE_ACCURACY = 0.005;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const INV_LN_GAMMA = 1 / Math.log(GAMMA);
const MAX_BUCKETS = 16384;
const GROW = 128;
const EMPTY = new Float64Array(0);

/** The bucket of a positive value. @internal */
export function indexOf(v: number): number {
  return Math.ceil(Math.log(v) * INV_LN_GAMMA);
}

/** The value a bucket stands for. @internal */
function valueOf(i: number): number {
  return 2 * Math.pow(GAMMA, i) / (GAMMA + 1);
}

/** Dense counts for a range of bucket indexes. @internal */
export class Store {
  counts: Float64Array = EMPTY;
  offset = 0;
  total = 0;

  add(index: number): void {
    let i = index - this.offset;
    if (i < 0 || i >= this.counts.length) i = this.#grow(index);
    this.counts[i]++;
    this.total++;
  }

  /** Adds every count of `other` into this store. */
  merge(other: Store): void {
    const c = other.counts;
    for (let i = 0; i < c.length; i++) {
      if (c[i] !== 0) {
        let j = other.offset + i - this.offset;
        if (j < 0 || j >= this.counts.length) j = this.#grow(other.offset + i);
        this.counts[j] += c[i];
      }
    }
    this.total += other.total;
  }

  clear(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  /** Makes room for `index`; returns its position (the lowest one if it folds). */
  #grow(index: number): number {
    const old = this.counts;
    let lo: number, hi: number;
    if (old.length === 0) {
      lo = index - GROW / 2;
      hi = index + GROW / 2;
    } else {
      const top = this.offset + old.length - 1;
      lo = index < this.offset ? index - GROW : this.offset;
      hi = index > top ? index + GROW : top;
    }
    if (hi - lo + 1 > MAX_BUCKETS) lo = hi - MAX_BUCKETS + 1;
    const next = new Float64Array(hi - lo + 1);
    for (let i = 0; i < old.length; i++) {
      if (old[i] !== 0) {
        const j = this.offset + i - lo;
        next[j < 0 ? 0 : j] += old[i];
      }
    }
    this.counts = next;
    this.offset = lo;
    const p = index - lo;
    return p < 0 ? 0 : p;
  }
}

/** A sketch: positive, negative and zero counts, with the exact min and max. @internal */
export class Sketch {
  readonly pos: Store = new Store();
  readonly neg: Store = new Store();
  zero = 0;
  min = Infinity;
  max = -Infinity;

  add(v: number): void {
    if (v > 0) this.pos.add(indexOf(v));
    else if (v < 0) this.neg.add(indexOf(-v));
    else this.zero++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  get count(): number {
    return this.pos.total + this.neg.total + this.zero;
  }

  merge(o: Sketch): void {
    if (o.count === 0) return;
    this.pos.merge(o.pos);
    this.neg.merge(o.neg);
    this.zero += o.zero;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
  }

  clear(): void {
    this.pos.clear();
    this.neg.clear();
    this.zero = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }

  /**
   * The values at ranks q·(n-1) for each q of `qs` (increasing), into `out`;
   * NaN for an empty sketch.
   */
  quantiles(qs: readonly number[], out: Float64Array): void {
    const n = this.count;
    if (n === 0) {
      out.fill(NaN);
      return;
    }
    let k = 0;
    let seen = 0;
    const emit = (v: number, upTo: number) => {
      while (k < qs.length && qs[k] * (n - 1) < upTo) {
        out[k++] = v < this.min ? this.min : v > this.max ? this.max : v;
      }
    };
    const neg = this.neg.counts;
    for (let i = neg.length - 1; i >= 0 && k < qs.length; i--) {
      if (neg[i] !== 0) {
        seen += neg[i];
        emit(-valueOf(this.neg.offset + i), seen);
      }
    }
    if (this.zero !== 0) {
      seen += this.zero;
      emit(0, seen);
    }
    const pos = this.pos.counts;
    for (let i = 0; i < pos.length && k < qs.length; i++) {
      if (pos[i] !== 0) {
        seen += pos[i];
        emit(valueOf(this.pos.offset + i), seen);
      }
    }
    while (k < qs.length) out[k++] = this.max;
  }
}

/**
 * Sketches over a sliding time window: `slots` sketches, each taking the
 * observations of `maxAgeMs / slots`; a query merges the live ones, so it
 * covers between (slots-1)/slots and all of `maxAgeMs`.
 * @internal
 */
export class WindowedSketch {
  readonly #ring: Sketch[];
  readonly #slotMs: number;
  readonly #now: () => number;
  #head: number;

  constructor(maxAgeMs: number, slots: number, now: () => number) {
    this.#ring = Array.from({ length: slots }, () => new Sketch());
    this.#slotMs = maxAgeMs / slots;
    this.#now = now;
    this.#head = Math.floor(now() / this.#slotMs);
  }

  add(v: number): void {
    const id = Math.floor(this.#now() / this.#slotMs);
    if (id !== this.#head) this.#rotate(id);
    this.#ring[slot(id, this.#ring.length)].add(v);
  }

  #rotate(id: number): void {
    const n = this.#ring.length;
    const from = Math.max(this.#head + 1, id - n + 1);
    for (let s = from; s <= id; s++) this.#ring[slot(s, n)].clear();
    this.#head = id;
  }

  /**
   * @internal The slots still in the window that hold observations, each
   * with the milliseconds until it leaves the window (for aggregation).
   */
  liveSlots(): { sketch: Sketch; endsInMs: number }[] {
    const now = this.#now();
    const id = Math.floor(now / this.#slotMs);
    if (id > this.#head) this.#rotate(id);
    const n = this.#ring.length;
    const out: { sketch: Sketch; endsInMs: number }[] = [];
    for (let s = id - n + 1; s <= id; s++) {
      const sketch = this.#ring[slot(s, n)];
      if (sketch.count > 0) out.push({ sketch, endsInMs: (s + n) * this.#slotMs - now });
    }
    return out;
  }

  /** The live observations merged into `into` (cleared first). */
  mergeInto(into: Sketch): void {
    const id = Math.floor(this.#now() / this.#slotMs);
    if (id > this.#head) this.#rotate(id);
    into.clear();
    for (const s of this.#ring) into.merge(s);
  }

  clear(): void {
    for (const s of this.#ring) s.clear();
  }
}

function slot(id: number, n: number): number {
  const i = id % n;
  return i < 0 ? i + n : i;
}
