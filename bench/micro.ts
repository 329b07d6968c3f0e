// Micro cases: the cost of one call (inc, observe, set), promedge against
// prom-client (and @prometheus-io/client when present).
//
// Why calls go through run()'s megamorphic call site: a tight loop of
// `c.inc()` lets the compiler inline inc() and keep the value in a register,
// so the loop measures nothing (prom-client's unlabelled inc read faster than
// ours for that reason, and our bound child read 113x). Here every op is its
// own function, called from one site that has seen more than four targets, so
// no engine inlines it into the loop: each call loads the series, adds and
// stores, as a request handler's one inc() does. The floor is the same call
// doing `o.v++`: a case near the floor costs nothing beyond the call itself.
// Counter cases check afterwards that every call was counted.
import * as pe from "../mod.ts";
import { type Client, median, type Other } from "./_common.ts";

type Op = (i: number) => void;
interface Side {
  op: Op;
  /** The sum over the metric's series, to check that no call was lost. */
  total?: () => number | Promise<number>;
}
interface MicroCase {
  name: string;
  ours: () => Side;
  theirs: (c: Client) => Side;
}

/** One result row: nanoseconds per call. */
export interface MicroRow {
  name: string;
  ours: number;
  theirs: Record<string, number>;
  floor: number;
  /** Median over rounds of (their ns ÷ our ns) measured back to back: steadier than a ratio of medians on a busy machine. */
  ratio: Record<string, number>;
}

const ROUNDS = 15;
const ROUND_MS = 50;

let calls = 0;
function run(op: Op, n: number): void {
  for (let i = 0; i < n; i++) op(i);
  calls += n;
}

// Eight distinct functions make run()'s call site megamorphic before any case runs.
const junk = { v: 0 };
for (
  const f of [
    (i: number) => void (junk.v += i),
    (i: number) => void (junk.v -= i),
    (i: number) => void (junk.v ^= i),
    (i: number) => void (junk.v |= i),
    (i: number) => void (junk.v &= i),
    (i: number) => void (junk.v = i),
    (i: number) => void (junk.v += i & 1),
    (i: number) => void (junk.v -= i & 1),
  ]
) run(f, 20_000);

const floorObj = { v: 0 };
const floor: Op = () => {
  floorObj.v++;
};

function nsPerCall(op: Op, n: number): number {
  const t = performance.now();
  run(op, n);
  return ((performance.now() - t) * 1e6) / n;
}

function calibrate(op: Op): number {
  for (let n = 1000;; n *= 4) {
    const t = performance.now();
    run(op, n);
    const dt = performance.now() - t;
    if (dt > 15 || n > 1e8) return Math.max(1000, Math.round((n * ROUND_MS) / Math.max(dt, 0.01)));
  }
}

const LABELS = ["GET", "POST", "PUT", "DELETE"].flatMap((m) =>
  ["200", "404", "500"].map((c) => ({ method: m, code: c }))
);
const L = LABELS.length;
const LN = ["method", "code"];
/** Four traceparent-like exemplar label sets (trace_id + span_id, 63 code points). */
const TRACES = [0, 1, 2, 3].map((k) => ({
  trace_id: "4bf92f3577b34da6a3ce929d0e0e473" + k,
  span_id: "00f067aa0ba902b" + k,
}));

async function theirTotal(m: { get(): Promise<{ values: { value: number }[] }> }) {
  return (await m.get()).values.reduce((a, v) => a + v.value, 0);
}

function cases(): MicroCase[] {
  const reg = { registry: new pe.Registry() };
  const theirReg = (c: Client) => ({ registers: [new c.Registry()] });
  // prom-client keeps exemplars only on an OpenMetrics registry.
  const omReg = (c: Client) => {
    // The registry's content type is a type parameter in prom-client's typings.
    const r = new c.Registry<typeof c.Registry.OPENMETRICS_CONTENT_TYPE>();
    r.setContentType(c.Registry.OPENMETRICS_CONTENT_TYPE);
    return { registers: [r as unknown as InstanceType<Client["Registry"]>] };
  };
  return [
    {
      name: "Counter.inc() unlabelled",
      ours: () => {
        const c = new pe.Counter({ name: "c0", help: "h", ...reg });
        return { op: () => c.inc(), total: () => c.get() };
      },
      theirs: (cl) => {
        const c = new cl.Counter({ name: "c0", help: "h", ...theirReg(cl) });
        return { op: () => c.inc(), total: () => theirTotal(c) };
      },
    },
    {
      name: "Counter.inc(labels) 2 labels",
      ours: () => {
        const c = new pe.Counter({ name: "c2", help: "h", labelNames: LN, ...reg });
        return {
          op: (i) => c.inc(LABELS[i % L]),
          total: () => LABELS.reduce((a, l) => a + c.get(l), 0),
        };
      },
      theirs: (cl) => {
        const c = new cl.Counter({ name: "c2", help: "h", labelNames: LN, ...theirReg(cl) });
        return { op: (i) => c.inc(LABELS[i % L]), total: () => theirTotal(c) };
      },
    },
    {
      name: "labels({..}).inc() per call",
      ours: () => {
        const c = new pe.Counter({ name: "c3", help: "h", labelNames: LN, ...reg });
        return {
          op: (i) => c.labels(LABELS[i % L]).inc(),
          total: () => LABELS.reduce((a, l) => a + c.get(l), 0),
        };
      },
      theirs: (cl) => {
        const c = new cl.Counter({ name: "c3", help: "h", labelNames: LN, ...theirReg(cl) });
        return { op: (i) => c.labels(LABELS[i % L]).inc(), total: () => theirTotal(c) };
      },
    },
    {
      name: "bound child inc()",
      ours: () => {
        const c = new pe.Counter({ name: "c4", help: "h", labelNames: LN, ...reg });
        const child = c.labels(LABELS[0]);
        return { op: () => child.inc(), total: () => child.get() };
      },
      theirs: (cl) => {
        const c = new cl.Counter({ name: "c4", help: "h", labelNames: LN, ...theirReg(cl) });
        const child = c.labels(LABELS[0]);
        return { op: () => child.inc(), total: () => theirTotal(c) };
      },
    },
    {
      name: "Counter.inc(amount) unlabelled, varying amount",
      ours: () => {
        const c = new pe.Counter({ name: "c5", help: "h", ...reg });
        return { op: (i) => c.inc(i & 7) };
      },
      theirs: (cl) => {
        const c = new cl.Counter({ name: "c5", help: "h", ...theirReg(cl) });
        return { op: (i) => c.inc(i & 7) };
      },
    },
    {
      name: "Gauge.set()",
      ours: () => {
        const g = new pe.Gauge({ name: "g", help: "h", ...reg });
        return { op: (i) => g.set(i) };
      },
      theirs: (cl) => {
        const g = new cl.Gauge({ name: "g", help: "h", ...theirReg(cl) });
        return { op: (i) => g.set(i) };
      },
    },
    {
      name: "Histogram.observe() unlabelled",
      ours: () => {
        const h = new pe.Histogram({ name: "h0", help: "h", ...reg });
        return { op: (i) => h.observe((i & 1023) / 100) };
      },
      theirs: (cl) => {
        const h = new cl.Histogram({ name: "h0", help: "h", ...theirReg(cl) });
        return { op: (i) => h.observe((i & 1023) / 100) };
      },
    },
    {
      name: "Histogram.observe() 2 labels",
      ours: () => {
        const h = new pe.Histogram({ name: "h2", help: "h", labelNames: LN, ...reg });
        return { op: (i) => h.observe(LABELS[i % L], (i & 1023) / 100) };
      },
      theirs: (cl) => {
        const h = new cl.Histogram({ name: "h2", help: "h", labelNames: LN, ...theirReg(cl) });
        return { op: (i) => h.observe(LABELS[i % L], (i & 1023) / 100) };
      },
    },
    {
      name: "Counter.incWithExemplar() unlabelled",
      ours: () => {
        const c = new pe.Counter({ name: "ce0", help: "h", ...reg });
        return { op: (i) => c.incWithExemplar(1, TRACES[i & 3]), total: () => c.get() };
      },
      theirs: (cl) => {
        const c = new cl.Counter({ name: "ce0", help: "h", enableExemplars: true, ...omReg(cl) });
        return {
          op: (i) => c.inc({ value: 1, exemplarLabels: TRACES[i & 3] }),
          total: () => theirTotal(c),
        };
      },
    },
    {
      name: "Counter.incWithExemplar(labels) 2 labels",
      ours: () => {
        const c = new pe.Counter({ name: "ce2", help: "h", labelNames: LN, ...reg });
        return {
          op: (i) => c.incWithExemplar(LABELS[i % L], { value: 1, exemplarLabels: TRACES[i & 3] }),
          total: () => LABELS.reduce((a, l) => a + c.get(l), 0),
        };
      },
      theirs: (cl) => {
        const c = new cl.Counter({
          name: "ce2",
          help: "h",
          labelNames: LN,
          enableExemplars: true,
          ...omReg(cl),
        });
        return {
          op: (i) => c.inc({ labels: LABELS[i % L], value: 1, exemplarLabels: TRACES[i & 3] }),
          total: () => theirTotal(c),
        };
      },
    },
    {
      name: "Histogram.observeWithExemplar() unlabelled",
      ours: () => {
        const h = new pe.Histogram({ name: "he0", help: "h", ...reg });
        return { op: (i) => h.observeWithExemplar((i & 1023) / 100, TRACES[i & 3]) };
      },
      theirs: (cl) => {
        const h = new cl.Histogram({ name: "he0", help: "h", enableExemplars: true, ...omReg(cl) });
        return {
          op: (i) => h.observe({ value: (i & 1023) / 100, exemplarLabels: TRACES[i & 3] }),
        };
      },
    },
    {
      name: "Summary.observe() (quantiles)",
      ours: () => {
        const s = new pe.Summary({ name: "s", help: "h", ...reg });
        return { op: (i) => s.observe((i * 7919 % 10007) / 1000) };
      },
      theirs: (cl) => {
        const s = new cl.Summary({ name: "s", help: "h", ...theirReg(cl) });
        return { op: (i) => s.observe((i * 7919 % 10007) / 1000) };
      },
    },
  ];
}

/** Runs every micro case: ns per call, median of alternating rounds after warm-up. */
export async function micro(libs: Other[]): Promise<MicroRow[]> {
  const rows: MicroRow[] = [];
  for (const c of cases()) {
    const sides: { id: string; side: Side; n: number; xs: number[]; calls: number }[] = [
      { id: "promedge", side: c.ours(), n: 0, xs: [], calls: 0 },
      ...libs.map((l) => ({ id: l.id, side: c.theirs(l.mod), n: 0, xs: [], calls: 0 })),
      { id: "floor", side: { op: floor }, n: 0, xs: [], calls: 0 },
    ];
    for (const s of sides) {
      calls = 0;
      s.n = calibrate(s.side.op);
      s.calls = calls;
    }
    for (let r = -2; r < ROUNDS; r++) {
      for (const s of r & 1 ? [...sides].reverse() : sides) {
        calls = 0;
        const ns = nsPerCall(s.side.op, s.n);
        s.calls += calls;
        if (r >= 0) s.xs.push(ns);
      }
    }
    for (const s of sides) {
      if (!s.side.total) continue;
      const got = await s.side.total();
      if (got !== s.calls) {
        throw new Error(`${c.name}: ${s.id} counted ${got} of ${s.calls} calls`);
      }
    }
    rows.push({
      name: c.name,
      ours: median(sides[0].xs),
      theirs: Object.fromEntries(sides.slice(1, -1).map((s) => [s.id, median(s.xs)])),
      floor: median(sides[sides.length - 1].xs),
      ratio: Object.fromEntries(
        sides.slice(1, -1).map((s) => [s.id, median(s.xs.map((t, r) => t / sides[0].xs[r]))]),
      ),
    });
  }
  return rows;
}
