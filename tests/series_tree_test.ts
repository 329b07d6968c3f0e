// The series store: a tree with one level per label, where a level holding
// one key is no Map (an inner one a small holder, the last one the series
// itself) and a series keeps no label text. Random updates, removals and
// bound children on a metric with three labels and few values (so levels
// grow from one key to many, and shrink again) must leave exactly the series
// and values of a plain model, and the page's label text must match them.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Counter, Gauge, Histogram, openMetricsFormat, Registry, Summary } from "../mod.ts";
import { _dictLevelsPast } from "../src/metrics/_metric.ts";
import { needs, pyParseMany } from "./_tools.ts";

type Op =
  | { kind: "inc" | "child" | "remove"; a: string; b: string; c: string; v: number }
  | { kind: "match"; a: string | undefined; b: string | undefined; c: string | undefined }
  | { kind: "reset" };

const value = fc.constantFrom("x", "y", "", '"q"', "\\", "a\nb", "🚀", "1");
const maybe = fc.option(value, { nil: undefined });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom("inc", "child", "remove"),
      a: value,
      b: value,
      c: value,
      v: fc.integer({ min: 1, max: 9 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("match"), a: maybe, b: maybe, c: maybe }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reset") }) },
) as fc.Arbitrary<Op>;

/** Label text as the text format writes it, from a model key (independent of the library's). */
function text(a: string, b: string, c: string): string {
  const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
  return `a="${esc(a)}",b="${esc(b)}",c="${esc(c)}"`;
}

test("Counter with three labels: random updates, removals and children leave the model's series", async () => {
  await modelRuns(20261129);
});

test("the same with levels kept as dictionary objects past one key (as on Bun past 64)", async () => {
  const was = _dictLevelsPast(1);
  try {
    await modelRuns(20261130);
  } finally {
    _dictLevelsPast(was);
  }
});

async function modelRuns(seed: number): Promise<void> {
  const scenarios = fc.sample(fc.array(op, { maxLength: 60 }), { numRuns: 300, seed });
  for (const ops of scenarios) {
    const counter = new Counter({
      name: "t_total",
      help: "t",
      labelNames: ["a", "b", "c"],
      registry: new Registry(),
    });
    const model = new Map<string, number>();
    const children = new Map<string, ReturnType<typeof counter.labels>>();
    for (const o of ops) {
      if (o.kind === "reset") {
        counter.reset();
        model.clear();
      } else if (o.kind === "match") {
        const want = { a: o.a, b: o.b, c: o.c };
        const partial = Object.fromEntries(Object.entries(want).filter(([, v]) => v !== undefined));
        let gone = 0;
        for (const key of [...model.keys()]) {
          const [a, b, c] = JSON.parse(key);
          if ((o.a ?? a) === a && (o.b ?? b) === b && (o.c ?? c) === c) {
            model.delete(key);
            gone++;
          }
        }
        assert.equal(
          counter.removeMatching(partial),
          gone,
          `removeMatching(${JSON.stringify(partial)})`,
        );
      } else {
        const key = JSON.stringify([o.a, o.b, o.c]);
        if (o.kind === "remove") {
          counter.remove({ a: o.a, b: o.b, c: o.c });
          model.delete(key);
        } else {
          if (o.kind === "inc") counter.inc({ a: o.a, b: o.b, c: o.c }, o.v);
          else {
            let child = children.get(key);
            if (child === undefined) children.set(key, child = counter.labels(o.a, o.b, o.c));
            child.inc(o.v);
          }
          model.set(key, (model.get(key) ?? 0) + o.v);
        }
      }
      assert.equal(counter.seriesCount, model.size, "seriesCount");
    }
    const got = new Map(
      counter.snapshot().series.map((s) => {
        const l = s.labels!;
        assert.equal(s.labelText, text(l.a, l.b, l.c), "label text of the snapshot");
        return [JSON.stringify([l.a, l.b, l.c]), s.value] as const;
      }),
    );
    assert.deepEqual(got, model);
    // The page (read a slice at a time) writes the same series and label texts.
    const registry = new Registry();
    registry.register(counter);
    const page = new Map<string, number>();
    for (const line of (await registry.metrics()).split("\n")) {
      if (!line.startsWith("t_total{")) continue;
      const at = line.lastIndexOf("} ");
      page.set(line.slice("t_total{".length, at), Number(line.slice(at + 2)));
    }
    assert.deepEqual(
      page,
      new Map([...model].map(([key, v]) => {
        const [a, b, c] = JSON.parse(key);
        return [text(a, b, c), v];
      })),
    );
    for (const [key, v] of model) {
      const [a, b, c] = JSON.parse(key);
      assert.equal(counter.get({ a, b, c }), v);
    }
  }
}

test("Counter.collect() gives each series its escaped label text, unlabelled reads too", async () => {
  const registry = new Registry();
  const c = new Counter({ name: "e_total", help: "e", labelNames: ["p", "q"], registry });
  c.inc({ p: 'a"b', q: "x\\y" });
  c.inc({ p: 'a"b', q: "line\nbreak" }, 2);
  c.inc({ p: "plain", q: "z" }, 3);
  const page = await registry.metrics();
  assert.match(page, /^e_total\{p="a\\"b",q="x\\\\y"\} 1$/m);
  assert.match(page, /^e_total\{p="a\\"b",q="line\\nbreak"\} 2$/m);
  assert.match(page, /^e_total\{p="plain",q="z"\} 3$/m);
});

test("a page of a family larger than one slice writes every series once, with its own value", async () => {
  const registry = new Registry();
  const c = new Counter({ name: "big_total", help: "b", labelNames: ["id", "kind"], registry });
  const n = 4_501; // three slices of at most 2,000 series
  for (let i = 0; i < n; i++) c.inc({ id: "u" + i, kind: i % 3 === 0 ? "x" : "y" }, i + 1);
  c.incWithExemplar({ id: "u7", kind: "y" }, { value: 1, exemplarLabels: { t: "1" } });
  for (
    const text of [await registry.metrics(), await new Response(await registry.stream()).text()]
  ) {
    const seen = new Map<string, number>();
    for (const m of text.matchAll(/^big_total\{id="(u\d+)",kind="([xy])"\} (\d+)$/gm)) {
      assert.equal(seen.has(m[1]), false, `${m[1]} written twice`);
      seen.set(m[1], Number(m[3]));
      const i = Number(m[1].slice(1));
      assert.equal(m[2], i % 3 === 0 ? "x" : "y");
    }
    assert.equal(seen.size, n);
    for (const [id, v] of seen) {
      const i = Number(id.slice(1));
      assert.equal(v, i + 1 + (i === 7 ? 1 : 0), id);
    }
  }
});

test("a page goes on writing a series removed while it is written: its value then, never NaN", async () => {
  const registry = new Registry();
  const labelNames = ["id", "kind"];
  const c = new Counter({ name: "gone_total", help: "c", labelNames, registry });
  const g = new Gauge({ name: "gone_gauge", help: "g", labelNames, registry });
  const h = new Histogram({ name: "gone_hist", help: "h", labelNames, buckets: [1], registry });
  const s = new Summary({ name: "gone_sum", help: "s", labelNames, registry });
  const n = 4_500; // more than one slice of 2,000 series per family
  for (let i = 0; i < n; i++) {
    const labels = { id: "u" + i, kind: i % 2 ? "x" : "y" };
    c.inc(labels, i + 1);
    g.set(labels, i + 1);
    h.observe(labels, 0.5);
    s.observe(labels, 2);
  }
  let page = "";
  let first = true;
  // Small pieces: the first one holds a part of the first family only.
  for await (const piece of registry.chunks({}, 1000)) {
    page += piece;
    if (first) {
      first = false;
      c.reset();
      g.removeMatching({ kind: "x" });
      h.reset();
      for (let i = 0; i < n; i += 2) s.remove({ id: "u" + i, kind: "y" });
    }
  }
  // A page lists the series that were there when it started, each once.
  const values = (re: RegExp) => [...page.matchAll(re)].map((m) => m[1]);
  const counters = values(/^gone_total\{id="u(\d+)",kind="[xy]"\} (?:\S+)$/gm);
  assert.equal(counters.length, n);
  assert.doesNotMatch(page, /NaN/);
  for (let i = 0; i < n; i++) {
    const labels = `id="u${i}",kind="${i % 2 ? "x" : "y"}"`;
    assert.ok(page.includes(`\ngone_total{${labels}} ${i + 1}\n`), `counter u${i}`);
    assert.ok(page.includes(`\ngone_gauge{${labels}} ${i + 1}\n`), `gauge u${i}`);
    assert.ok(page.includes(`\ngone_hist_count{${labels}} 1\n`), `histogram u${i}`);
    assert.ok(page.includes(`\ngone_sum_count{${labels}} 1\n`), `summary u${i}`);
  }
});

test("a page writes a histogram series observed, then reset, while the page is written with a count equal to its +Inf bucket", async () => {
  const registry = new Registry();
  const h = new Histogram({
    name: "late_h",
    help: "h",
    labelNames: ["id"],
    buckets: [1],
    registry,
  });
  const n = 4_500; // more than one slice of 2,000 series
  for (let i = 0; i < n; i++) h.observe({ id: "u" + i }, 0.5);
  let page = "";
  let first = true;
  for await (const piece of registry.chunks({ format: openMetricsFormat }, 1000)) {
    page += piece;
    if (first) {
      // After the page read the tree, before it wrote most series: more
      // observations, then every series out.
      first = false;
      for (let i = 0; i < n; i++) h.observe({ id: "u" + i }, 2);
      h.reset();
    }
  }
  const inf = new Map<string, number>();
  for (const m of page.matchAll(/^late_h_bucket\{id="(u\d+)",le="\+Inf"\} (\S+)$/gm)) {
    inf.set(m[1], Number(m[2]));
  }
  const counts = [...page.matchAll(/^late_h_count\{id="(u\d+)"\} (\S+)$/gm)];
  assert.equal(counts.length, n);
  for (const [, id, count] of counts) assert.equal(Number(count), inf.get(id), id);
  if (!needs("python")) {
    const [res] = pyParseMany([{ text: page, om: true }]);
    assert.equal(res.error, undefined, `rejected: ${res.error}`);
  }
});

test("a page writes a summary series observed, then reset, while the page is written with the count its sum has", async () => {
  const registry = new Registry();
  const s = new Summary({
    name: "late_s",
    help: "h",
    labelNames: ["id"],
    percentiles: [0.5],
    registry,
  });
  const n = 4_500; // more than one slice of 2,000 series
  for (let i = 0; i < n; i++) s.observe({ id: "u" + i }, 1);
  let page = "";
  let first = true;
  for await (const piece of registry.chunks({ format: openMetricsFormat }, 1000)) {
    page += piece;
    if (first) {
      // After the page read the tree, before it wrote most series: one more
      // observation of 1 each, then every series out.
      first = false;
      for (let i = 0; i < n; i++) s.observe({ id: "u" + i }, 1);
      s.reset();
    }
  }
  // Every observation was 1: a series' sum is its count, whenever it was written.
  const sums = new Map<string, number>();
  for (const m of page.matchAll(/^late_s_sum\{id="(u\d+)"\} (\S+)$/gm)) {
    sums.set(m[1], Number(m[2]));
  }
  const counts = [...page.matchAll(/^late_s_count\{id="(u\d+)"\} (\S+)$/gm)];
  assert.equal(counts.length, n);
  let late = 0;
  for (const [, id, count] of counts) {
    assert.equal(Number(count), sums.get(id), id);
    if (Number(count) === 2) late++;
  }
  assert.ok(late > 0, "some series were written after the second observation");
});

test(
  "pages of more than one slice with odd label values and extreme numbers parse back exactly (reference parser)",
  {
    skip: needs("python"),
  },
  async () => {
    const odd = [".", "..", "\u0000", 'a"b', "x\\y", "line\nbreak", "🚀", "", "\u2028", "1e3"];
    const values = [0, 1, 1e308, 5e-324, 2 ** 53 + 2, 0.1];
    const registry = new Registry();
    const c = new Counter({ name: "odd_total", help: "o", labelNames: ["v", "i"], registry });
    const g = new Gauge({ name: "odd_g", help: "o", labelNames: ["v", "i"], registry });
    const model = new Map<string, { c: number; g: number }>();
    const n = 4_100; // three slices
    for (let i = 0; i < n; i++) {
      const labels = { v: odd[i % odd.length], i: String(i) };
      const cv = values[i % values.length];
      const gv = [NaN, Infinity, -Infinity, -1e308, cv][i % 5];
      c.inc(labels, cv);
      g.set(labels, gv);
      model.set(JSON.stringify([labels.v, labels.i]), { c: cv, g: gv });
    }
    const pages = [
      { text: await registry.metrics(), om: false },
      { text: await registry.metrics({ format: openMetricsFormat }), om: true },
    ];
    for (const [k, res] of pyParseMany(pages).entries()) {
      assert.equal(res.error, undefined, `page ${k} rejected: ${res.error}`);
      const got = new Map<string, { c: number; g: number }>();
      for (const f of res.families!) {
        for (const s of f.samples) {
          if (s.name.endsWith("_created")) continue;
          const key = JSON.stringify([s.labels.v, s.labels.i]);
          const e = got.get(key) ?? { c: NaN, g: NaN };
          got.set(key, e);
          // The parser writes NaN and infinities as "NaN", "+Inf", "-Inf".
          const v = typeof s.value === "string"
            ? Number(s.value.replace("Inf", "Infinity"))
            : s.value as number;
          if (s.name === "odd_total") e.c = v;
          else e.g = v;
        }
      }
      assert.equal(got.size, n);
      for (const [key, want] of model) {
        const e = got.get(key)!;
        assert.ok(Object.is(e.c, want.c) && Object.is(e.g, want.g), `${key}: ${JSON.stringify(e)}`);
      }
    }
  },
);

test("dictionary levels keep label values that are Object's own names, integers, '.', '..', NUL and ''", async () => {
  const was = _dictLevelsPast(1);
  try {
    const odd = [
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "",
      ".",
      "..",
      "\0",
      "0",
      "123",
      "-0",
      "1e3",
      "4294967295",
      "x",
    ];
    const registry = new Registry();
    const c = new Counter({ name: "d_total", help: "d", labelNames: ["a", "b"], registry });
    odd.forEach((a, i) => odd.forEach((b, j) => c.inc({ a, b }, i * 100 + j + 1)));
    assert.equal(c.seriesCount, odd.length ** 2);
    odd.forEach((a, i) =>
      odd.forEach((b, j) => assert.equal(c.get({ a, b }), i * 100 + j + 1, `${a}/${b}`))
    );
    const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
    const page = await registry.metrics();
    for (const [i, a] of odd.entries()) {
      for (const [j, b] of odd.entries()) {
        const line = `d_total{a="${esc(a)}",b="${esc(b)}"} ${i * 100 + j + 1}\n`;
        assert.equal(page.split(line).length, 2, `once: ${JSON.stringify(line)}`);
      }
    }
    // Removing every "__proto__" row and one "constructor" series leaves the rest.
    assert.equal(c.removeMatching({ a: "__proto__" }), odd.length);
    c.remove({ a: "constructor", b: "constructor" });
    assert.equal(c.seriesCount, odd.length ** 2 - odd.length - 1);
    assert.equal(c.get({ a: "__proto__", b: "x" }), 0);
    assert.equal(c.get({ a: "constructor", b: "toString" }), 100 + 2 + 1);
    c.inc({ a: "__proto__", b: "__proto__" }, 5);
    assert.equal(c.get({ a: "__proto__", b: "__proto__" }), 5);
    // Nothing leaked onto Object.prototype.
    assert.equal(({} as Record<string, unknown>).x, undefined);
  } finally {
    _dictLevelsPast(was);
  }
});
