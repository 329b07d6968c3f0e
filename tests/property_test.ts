// Random operations and label strings: the page must parse back (reference
// parser) to exactly the series and values of a plain model.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Counter, Gauge, openMetricsFormat, Registry } from "../mod.ts";
import { needs, pyParseMany } from "./_tools.ts";

type Op = { kind: "inc" | "set" | "remove"; a: string; b: string; v: number; child: boolean };

const label = fc.oneof(
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.constantFrom("", ",", "|", '"', "\\", "\n", "a=b", "p,b:q", "x|", "|y", "\u2028", "🚀"),
);
const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom("inc", "inc", "set", "remove"),
  a: label,
  b: label,
  v: fc.integer({ min: 0, max: 1000 }),
  child: fc.boolean(),
});

test("random operations and label strings parse back to the model", {
  skip: needs("python"),
}, async () => {
  const scenarios = fc.sample(fc.array(op, { maxLength: 40 }), { numRuns: 150, seed: 20261126 });
  const pages: { text: string; om: boolean }[] = [];
  const models: Map<string, { c: number; g: number }>[] = [];
  for (const ops of scenarios) {
    const registry = new Registry();
    const c = new Counter({ name: "c_total", help: "c", labelNames: ["a", "b"], registry });
    const g = new Gauge({ name: "g", help: "g", labelNames: ["a", "b"], registry });
    const model = new Map<string, { c: number; g: number }>();
    for (const { kind, a, b, v, child } of ops) {
      const key = JSON.stringify([a, b]);
      if (kind === "remove") {
        c.remove({ a, b });
        g.remove(a, b);
        model.delete(key);
        continue;
      }
      const m = model.get(key) ?? { c: 0, g: 0 };
      model.set(key, m);
      if (kind === "inc") {
        if (child) c.labels({ a, b }).inc(v);
        else c.inc({ a, b }, v);
        m.c += v;
        // keep the gauge series alive too
        g.inc({ a, b }, 0);
      } else {
        if (child) g.labels(a, b).set(v);
        else g.set({ a, b }, v);
        c.inc({ a, b }, 0);
        m.g = v;
      }
    }
    models.push(model);
    pages.push({ text: await registry.metrics(), om: false });
    pages.push({ text: await registry.metrics({ format: openMetricsFormat }), om: true });
  }
  const parsed = pyParseMany(pages);
  parsed.forEach((res, i) => {
    const model = models[i >> 1];
    assert.equal(res.error, undefined, `page ${i} rejected: ${res.error}\n${pages[i].text}`);
    const got = new Map<string, { c: number; g: number }>();
    for (const f of res.families!) {
      for (const s of f.samples) {
        if (s.name.endsWith("_created")) continue;
        const key = JSON.stringify([s.labels.a, s.labels.b]);
        const e = got.get(key) ?? { c: 0, g: 0 };
        got.set(key, e);
        if (s.name === "c_total") e.c = s.value as number;
        else if (s.name === "g") e.g = s.value as number;
        else assert.fail(`unexpected sample ${s.name}`);
      }
    }
    assert.deepEqual(
      [...got.entries()].sort(),
      [...model.entries()].sort(),
      `scenario ${i >> 1} (${pages[i].om ? "OpenMetrics" : "text"})`,
    );
  });
});
