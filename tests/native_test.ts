// Native histogram buckets, judged against the spec's rule computed here
// independently: bucket i of schema s is (2^((i-1) 2^-s), 2^(i 2^-s)], checked
// exactly with BigInt on the double's bits (no table, no Math.log2).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  DEFAULT_ZERO_THRESHOLD,
  nativeBucketIndex,
  NativeHistogramCounts,
  type NativeHistogramSnapshot,
} from "../src/metrics/_native.ts";

const SCHEMAS = [-4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8];

/** v = mant * 2^exp exactly, for finite v > 0. */
function decompose(v: number): [bigint, number] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  const bits = dv.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  const f = bits & ((1n << 52n) - 1n);
  return e === 0 ? [f, -1074] : [f | (1n << 52n), e - 1075];
}

/** Exactly whether v <= 2^(num / n), for finite v > 0 and n a power of two. */
function atMost(v: number, num: number, n: number): boolean {
  // v^n <= 2^num  <=>  mant^n <= 2^(num - exp * n)
  const [mant, exp] = decompose(v);
  const d = num - exp * n;
  if (d < 0) return false; // mant^n >= 1 > 2^d
  const bitsOfPower = mant.toString(2).length * n; // mant^n < 2^bitsOfPower
  if (d >= bitsOfPower) return true;
  return mant ** BigInt(n) <= 1n << BigInt(d);
}

/** The spec's rule: 2^((i-1) 2^-s) < v <= 2^(i 2^-s). */
function inBucket(v: number, i: number, s: number): boolean {
  const [num, n] = s >= 0 ? [i, 2 ** s] : [i * 2 ** -s, 1];
  const prev = s >= 0 ? i - 1 : (i - 1) * 2 ** -s;
  return atMost(v, num, n) && !atMost(v, prev, n);
}

function nextUp(v: number): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  dv.setBigUint64(0, dv.getBigUint64(0) + 1n);
  return dv.getFloat64(0);
}

function nextDown(v: number): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  dv.setBigUint64(0, dv.getBigUint64(0) - 1n);
  return dv.getFloat64(0);
}

/** A bound computed with Math.pow and its two neighbours: the values the rule is decided at. */
function aroundBound(i: number, s: number): number[] {
  const b = 2 ** (i * 2 ** -s);
  if (!(b > 0) || b === Infinity) return [];
  return [nextDown(b), b, nextUp(b)].filter((v) => v > 0 && v < Infinity);
}

function assertIndex(v: number, s: number): void {
  const i = nativeBucketIndex(v, s);
  assert.ok(inBucket(v, i, s), `schema ${s}: ${v} got bucket ${i}, outside its bounds`);
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("nativeBucketIndex() puts every bound and its neighbours in the right bucket, every schema", () => {
  // Whole octaves of bounds at the subnormal, normal and huge ends and around 1.
  const octaves = [-1074, -1073, -1060, -1023, -1022, -1021, -300, -1, 0, 1, 300, 1022, 1023];
  for (const s of SCHEMAS) {
    for (const e of octaves) {
      // Every bound in [2^e, 2^(e+1)] (for s < 0, the bounds on either side of 2^e).
      const first = s >= 0 ? e * 2 ** s : Math.floor(e / 2 ** -s);
      const last = s >= 0 ? (e + 1) * 2 ** s : first + 1;
      for (let i = first; i <= last; i++) {
        for (const v of aroundBound(i, s)) assertIndex(v, s);
      }
    }
  }
});

test("nativeBucketIndex() sends powers of two to the bucket they close, MIN_VALUE to MAX_VALUE", () => {
  for (const s of SCHEMAS) {
    // 2^e is the upper bound of bucket e * 2^s (s >= 0), ceil(e / 2^-s) (s < 0).
    const closing = (e: number) => s >= 0 ? e * 2 ** s : Math.ceil(e / 2 ** -s) + 0;
    for (const e of [-1074, -1073, -1023, -1022, -128, -1, 0, 1, 2, 64, 1022, 1023]) {
      assert.equal(nativeBucketIndex(2 ** e, s), closing(e), `schema ${s}, 2^${e}`);
    }
    assert.equal(nativeBucketIndex(Number.MIN_VALUE, s), closing(-1074));
    // MAX_VALUE = 2^1024 (1 - 2^-53) lies above 2^(1024 - 2^-s) for every schema.
    assert.equal(nativeBucketIndex(Number.MAX_VALUE, s), closing(1024));
    for (
      const v of [
        Number.MIN_VALUE,
        2 ** -1074 * 3,
        2 ** -1023 * 1.5,
        Number.MAX_VALUE,
        1e300,
        1e-300,
      ]
    ) assertIndex(v, s);
  }
});

test("nativeBucketIndex() puts a double just above an irrational bound in the next bucket", () => {
  // Math.SQRT1_2 is the double nearest 2^-1/2, and it is above it: (SQRT1_2)^2 > 1/2.
  const [m, e] = decompose(Math.SQRT1_2);
  assert.ok(m * m > 1n << BigInt(-2 * e - 1));
  // So at schema 1 it is past bucket -1's upper bound 2^-1/2: bucket 0. A table of bounds
  // rounded to nearest (as client_golang's) puts it in bucket -1.
  assert.equal(nativeBucketIndex(Math.SQRT1_2, 1), 0);
  assert.equal(nativeBucketIndex(nextDown(Math.SQRT1_2), 1), -1);
});

test("nativeBucketIndex() agrees with the spec rule for random doubles and schemas (property)", () => {
  fc.assert(
    fc.property(
      fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }),
      fc.integer({ min: -4, max: 8 }),
      (v, s) => inBucket(v, nativeBucketIndex(v, s), s),
    ),
    { numRuns: 3000, seed: 20261126 },
  );
  // Values near bounds of random indexes, where rounding mistakes show.
  fc.assert(
    fc.property(fc.integer({ min: -4, max: 8 }), fc.double({ min: -1074, max: 1023 }), (s, x) => {
      const i = Math.round(x * 2 ** s);
      return aroundBound(i, s).every((v) => inBucket(v, nativeBucketIndex(v, s), s));
    }),
    { numRuns: 2000, seed: 7 },
  );
});

test("NativeHistogramCounts.observe() puts every bound and its neighbours in the spec's bucket, both signs, every schema", () => {
  // observe() finds the index on its own (not through nativeBucketIndex) for a
  // positive value inside the counts it keeps: the first value of each octave
  // moves them there, the rest take that path. Negative values go the other way.
  const octaves = [-1074, -1060, -1023, -1022, -300, -1, 0, 1, 300, 1022, 1023];
  for (const s of SCHEMAS) {
    for (const e of octaves) {
      const h = new NativeHistogramCounts({ schema: s, zeroThreshold: 0, maxBuckets: 600 });
      const want = new Map<number, number>();
      const first = s >= 0 ? e * 2 ** s : Math.floor(e / 2 ** -s);
      const last = s >= 0 ? (e + 1) * 2 ** s : first + 1;
      for (let i = first; i <= last; i++) {
        for (const v of aroundBound(i, s)) {
          // The bucket nativeBucketIndex gives, held to the spec's rule here.
          const k = nativeBucketIndex(v, s);
          assert.ok(inBucket(v, k, s), `schema ${s}: ${v} got bucket ${k}, outside its bounds`);
          want.set(k, (want.get(k) ?? 0) + 1);
          h.observe(v);
          h.observe(-v);
        }
      }
      assert.equal(h.schema, s, `schema ${s}, 2^${e}: no lowering expected`);
      const sorted = [...want].sort((a, b) => a[0] - b[0]);
      assert.deepEqual([...h.positiveBuckets()], sorted, `schema ${s}, 2^${e}`);
      assert.deepEqual([...h.negativeBuckets()], sorted, `schema ${s}, -2^${e}`);
    }
  }
});

test("NativeHistogramCounts.observe() fills the zero bucket for |v| <= zeroThreshold", () => {
  const h = new NativeHistogramCounts({ zeroThreshold: 0.5 });
  for (const v of [0, -0, 0.5, -0.5, 0.25, -1e-300]) h.observe(v);
  h.observe(nextUp(0.5));
  h.observe(-nextUp(0.5));
  assert.equal(h.zeroCount, 6);
  assert.deepEqual([...h.positiveBuckets()], [[nativeBucketIndex(nextUp(0.5), 3), 1]]);
  assert.deepEqual([...h.negativeBuckets()], [[nativeBucketIndex(nextUp(0.5), 3), 1]]);
  assert.equal(h.count, 8);
  const d = new NativeHistogramCounts();
  assert.equal(d.zeroThreshold, 2 ** -128);
  d.observe(2 ** -128);
  d.observe(nextUp(2 ** -128));
  assert.equal(d.zeroCount, 1);
  assert.deepEqual([...d.positiveBuckets()], [[-128 * 8 + 1, 1]]);
});

test("NativeHistogramCounts.observe() counts NaN and ±Infinity as client_golang does", () => {
  const h = new NativeHistogramCounts({ schema: 2 });
  h.observe(NaN);
  assert.equal(h.count, 1);
  assert.ok(Number.isNaN(h.sum));
  assert.equal(h.zeroCount + h.bucketCount, 0, "NaN goes to no bucket");
  const g = new NativeHistogramCounts({ schema: 2 });
  g.observe(Infinity);
  g.observe(-Infinity);
  g.observe(-Infinity);
  // The bucket after Number.MAX_VALUE's: 1024 * 2^2 + 1.
  assert.deepEqual([...g.positiveBuckets()], [[4097, 1]]);
  assert.deepEqual([...g.negativeBuckets()], [[4097, 2]]);
  assert.equal(g.count, 3);
  assert.ok(Number.isNaN(g.sum));
  const p = new NativeHistogramCounts({ schema: -4 });
  p.observe(Infinity);
  p.observe(Number.MAX_VALUE);
  assert.deepEqual([...p.positiveBuckets()], [[64, 1], [65, 1]]);
  assert.equal(p.sum, Infinity);
});

test("NativeHistogramCounts.observe() puts negative values in negative buckets by |v|", () => {
  const h = new NativeHistogramCounts({ schema: 0 });
  for (const v of [-1, -1, -3, -0.3]) h.observe(v);
  // -1: bucket 0 (0.5, 1]; -3: bucket 2 (2, 4]; -0.3: bucket -1 (0.25, 0.5].
  assert.deepEqual([...h.negativeBuckets()], [[-1, 1], [0, 2], [2, 1]]);
  assert.equal(h.positiveBuckets().size, 0);
  assert.equal(h.sum, -5.3);
});

test("new NativeHistogramCounts() rejects bad options, naming them", () => {
  for (const schema of [9, -5, 2.5, NaN]) {
    assert.throws(() => new NativeHistogramCounts({ schema }), {
      name: "RangeError",
      message: /schema .* from -4 to 8/,
    });
  }
  for (const zeroThreshold of [-1, NaN, Infinity]) {
    assert.throws(() => new NativeHistogramCounts({ zeroThreshold }), /zeroThreshold .* >= 0/);
  }
  for (const maxBuckets of [0, 1.5, -3]) {
    assert.throws(() => new NativeHistogramCounts({ maxBuckets }), /maxBuckets .* >= 1/);
  }
  const h = new NativeHistogramCounts({ schema: -4, zeroThreshold: 0, maxBuckets: 1 });
  assert.deepEqual([h.schema, h.zeroThreshold, h.maxBuckets], [-4, 0, 1]);
});

/** Buckets of `values` indexed directly at `schema`: what merged buckets must equal. */
function direct(values: number[], schema: number, zt: number) {
  const pos = new Map<number, number>(), neg = new Map<number, number>();
  let zero = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    if (Math.abs(v) <= zt) zero++;
    else {
      const m = v > 0 ? pos : neg;
      const k = nativeBucketIndex(Math.abs(v), schema);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
  }
  const sorted = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);
  return { pos: sorted(pos), neg: sorted(neg), zero };
}

test("NativeHistogramCounts keeps 1e6 values over 600 decades in <= 160 buckets, count exact", () => {
  const rnd = mulberry32(42);
  // zeroThreshold 0, so that the values below 2^-128 are bucketed too.
  const h = new NativeHistogramCounts({ schema: 8, maxBuckets: 160, zeroThreshold: 0 });
  const values: number[] = [];
  let sum = 0;
  for (let i = 0; i < 1e6; i++) {
    const v = 10 ** (rnd() * 600 - 300);
    values.push(v);
    sum += v;
    h.observe(v);
  }
  assert.ok(h.bucketCount <= 160, `${h.bucketCount} buckets`);
  assert.equal(h.count, 1e6);
  assert.equal(h.sum, sum);
  assert.equal(h.schema, -4);
  const want = direct(values, h.schema, h.zeroThreshold);
  assert.deepEqual([...h.positiveBuckets()], want.pos);
  assert.equal([...h.positiveBuckets().values()].reduce((a, b) => a + b, 0), 1e6);
});

test("NativeHistogramCounts lowers the schema by merging bucket k into ceil(k/2), both signs", () => {
  // Schema 2 with 4 buckets allowed; values around 1 on both sides of every bound.
  const rnd = mulberry32(7);
  const values: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const v = 2 ** (rnd() * 12 - 6) * (rnd() < 0.5 ? -1 : 1);
    values.push(v, nextUp(Math.abs(v)), -(2 ** Math.round(rnd() * 12 - 6)));
  }
  for (const max of [4, 10, 30]) {
    const h = new NativeHistogramCounts({ schema: 2, maxBuckets: max });
    for (const v of values) h.observe(v);
    assert.ok(h.schema < 2);
    assert.ok(h.bucketCount <= max || h.schema === -4, `${h.bucketCount} > ${max}`);
    const want = direct(values, h.schema, h.zeroThreshold);
    assert.deepEqual([...h.positiveBuckets()], want.pos, `maxBuckets ${max}`);
    assert.deepEqual([...h.negativeBuckets()], want.neg, `maxBuckets ${max}`);
    assert.equal(h.count, values.length);
  }
});

test("NativeHistogramCounts lowers the schema when two values lie too far apart", () => {
  // Two buckets only, but 200 decades apart: at schema 8 a window over them would hold
  // ~170000 slots, so the schema drops until they span <= 2 * maxBuckets indexes.
  const h = new NativeHistogramCounts({ schema: 8, zeroThreshold: 0 });
  h.observe(1e-100);
  h.observe(1e100);
  h.observe(-1e-100);
  assert.equal(h.bucketCount, 3);
  const keys = [...h.positiveBuckets().keys()];
  assert.ok(keys[1] - keys[0] + 1 <= 320);
  assert.deepEqual(
    [...h.positiveBuckets()],
    direct([1e-100, 1e100], h.schema, h.zeroThreshold).pos,
  );
  // The highest schema at which they fit: one more would put them > 320 indexes apart.
  const span = (s: number) => nativeBucketIndex(1e100, s) - nativeBucketIndex(1e-100, s) + 1;
  assert.ok(span(h.schema) <= 320 && span(h.schema + 1) > 320, `schema ${h.schema}`);
});

test("NativeHistogramCounts ends at the highest schema where every observation fits, read or not", () => {
  // The rule applied after each observation: at most maxBuckets buckets and a span of at
  // most 2 * maxBuckets indexes per sign. Both only grow with more values and shrink with
  // a lower schema, so the schema must be the highest (from the start) where all values fit.
  const fits = (values: number[], s: number, max: number) => {
    const { pos, neg } = direct(values, s, 0);
    const span = (b: [number, number][]) => b.length === 0 ? 0 : b.at(-1)![0] - b[0][0] + 1;
    return pos.length + neg.length <= max && span(pos) <= 2 * max && span(neg) <= 2 * max;
  };
  const rnd = mulberry32(11);
  for (const [start, max, decades] of [[8, 20, 6], [3, 160, 40], [5, 7, 3], [2, 50, 300]]) {
    const values: number[] = [];
    for (let i = 0; i < 3000; i++) {
      values.push(10 ** (rnd() * decades - decades / 2) * (rnd() < 0.2 ? -1 : 1));
    }
    let want = start;
    while (want > -4 && !fits(values, want, max)) want--;
    const read = new NativeHistogramCounts({ schema: start, maxBuckets: max, zeroThreshold: 0 });
    const unread = new NativeHistogramCounts({ schema: start, maxBuckets: max, zeroThreshold: 0 });
    values.forEach((v, i) => {
      read.observe(v);
      unread.observe(v);
      if (i % 97 === 0) read.snapshot();
    });
    for (const h of [read, unread]) {
      assert.equal(h.schema, want, `schema ${start}, maxBuckets ${max}`);
      const d = direct(values, want, 0);
      assert.deepEqual([...h.positiveBuckets()], d.pos);
      assert.deepEqual([...h.negativeBuckets()], d.neg);
    }
  }
});

test("NativeHistogramCounts stays bounded with values of both signs over every exponent", () => {
  const h = new NativeHistogramCounts({ schema: 8, zeroThreshold: 0, maxBuckets: 160 });
  for (let e = -1074; e <= 1023; e++) {
    h.observe(2 ** e * 1.5);
    h.observe(-(2 ** e));
  }
  h.observe(Infinity);
  h.observe(-Infinity);
  // At schema -4 a bucket spans 16 powers of two: at most 67 + 65 + 1 per sign.
  assert.equal(h.schema, -4);
  assert.ok(h.bucketCount <= 2 * 133, `${h.bucketCount} buckets`);
  assert.equal(h.count, 2 * 2098 + 2);
});

/** The spec's decoding of spans + deltas back to index -> count, zero buckets dropped. */
function decode(side: NativeHistogramSnapshot["positive"]): [number, number][] {
  const out: [number, number][] = [];
  let i = 0, d = 0, count = 0;
  for (const [n, span] of side.spans.entries()) {
    assert.ok(Number.isInteger(span.offset) && span.length > 0);
    i = n === 0 ? span.offset : i + span.offset;
    for (let j = 0; j < span.length; j++, i++) {
      count += side.deltas[d++];
      assert.ok(Number.isInteger(count) && count >= 0);
      if (count > 0) out.push([i, count]);
    }
  }
  assert.equal(d, side.deltas.length);
  return out;
}

test("NativeHistogramCounts.snapshot() writes spans and deltas as the spec defines", () => {
  const h = new NativeHistogramCounts({ schema: 0 });
  // Buckets 0 x2, 1 x1, 3 x4 (gap of one: zero count), 10 x1 (gap of six: new span).
  for (const v of [1, 0.75, 2, 7, 8, 5, 6, 1000]) h.observe(v);
  // Negative: bucket -5 (2^-6, 2^-5] x1.
  h.observe(-0.02);
  h.observe(0);
  assert.deepEqual(h.snapshot(), {
    schema: 0,
    zeroThreshold: DEFAULT_ZERO_THRESHOLD,
    zeroCount: 1,
    count: 10,
    sum: 1 + 0.75 + 2 + 7 + 8 + 5 + 6 + 1000 - 0.02,
    positive: {
      spans: [{ offset: 0, length: 4 }, { offset: 6, length: 1 }],
      deltas: [2, -1, -1, 4, -3],
    },
    negative: { spans: [{ offset: -5, length: 1 }], deltas: [1] },
  });
  const empty = new NativeHistogramCounts().snapshot();
  assert.deepEqual(empty.positive, { spans: [], deltas: [] });
});

test("NativeHistogramCounts.snapshot() decodes back to the buckets (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 300 }),
      fc.integer({ min: -4, max: 8 }),
      (values, schema) => {
        const h = new NativeHistogramCounts({ schema, maxBuckets: 40 });
        for (const v of values) h.observe(v);
        const snap = h.snapshot();
        assert.deepEqual(decode(snap.positive), [...h.positiveBuckets()]);
        assert.deepEqual(decode(snap.negative), [...h.negativeBuckets()]);
        const want = direct(values, snap.schema, snap.zeroThreshold);
        assert.deepEqual(decode(snap.positive), want.pos);
        assert.deepEqual(decode(snap.negative), want.neg);
        assert.equal(snap.zeroCount, want.zero);
        assert.equal(snap.count, values.length);
      },
    ),
    { numRuns: 300, seed: 11 },
  );
});

test("NativeHistogramCounts.merge() adds another's buckets at the lower schema", () => {
  const rnd = mulberry32(3);
  const xs = Array.from({ length: 500 }, () => (rnd() - 0.3) * 100);
  const ys = Array.from({ length: 500 }, () => (rnd() - 0.6) * 1e4);
  for (const [sa, sb] of [[3, 1], [0, 5], [-2, -2]]) {
    const a = new NativeHistogramCounts({ schema: sa });
    const b = new NativeHistogramCounts({ schema: sb });
    xs.forEach((v) => a.observe(v));
    ys.forEach((v) => b.observe(v));
    a.observe(0);
    b.observe(0);
    const bBefore = b.snapshot();
    a.merge(b);
    assert.deepEqual(b.snapshot(), bBefore, "merge() leaves its argument alone");
    assert.ok(a.schema <= Math.min(sa, sb));
    const want = direct([...xs, ...ys, 0, 0], a.schema, a.zeroThreshold);
    assert.deepEqual([...a.positiveBuckets()], want.pos);
    assert.deepEqual([...a.negativeBuckets()], want.neg);
    assert.equal(a.zeroCount, 2);
    assert.equal(a.count, 1002);
    assert.ok(a.bucketCount <= 160);
  }
  assert.throws(
    () => new NativeHistogramCounts().merge(new NativeHistogramCounts({ zeroThreshold: 1e-9 })),
    { name: "RangeError", message: /zero threshold 1e-9/ },
  );
});

test("NativeHistogramCounts.reset() forgets everything and returns to the configured schema", () => {
  const h = new NativeHistogramCounts({ schema: 5, maxBuckets: 5 });
  for (let i = 1; i < 100; i++) h.observe(i * 1.7 - 50);
  assert.ok(h.schema < 5);
  h.reset();
  assert.deepEqual(h.snapshot(), {
    schema: 5,
    zeroThreshold: DEFAULT_ZERO_THRESHOLD,
    zeroCount: 0,
    count: 0,
    sum: 0,
    positive: { spans: [], deltas: [] },
    negative: { spans: [], deltas: [] },
  });
  h.observe(3);
  assert.deepEqual([...h.positiveBuckets()], [[nativeBucketIndex(3, 5), 1]]);
});
