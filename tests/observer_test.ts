// What Histogram and Summary share (src/metrics/_observer.ts): observe, time and startTimer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Histogram, Registry, Summary } from "../mod.ts";

for (const M of [Histogram, Summary]) {
  const kind = M.name;

  test(`${kind} calls rejected for their value or function create no series`, async () => {
    const registry = new Registry();
    const m = new M({ name: "lat", help: "h", labelNames: ["room"], registry });
    const attic = { room: "attic" };
    const calls: [() => unknown, typeof Error][] = [
      [() => m.observe(attic, NaN), RangeError],
      [() => m.observe(attic, Infinity), RangeError],
      [() => m.observe(attic, -Infinity), RangeError],
      [() => m.observe(attic, "1" as unknown as number), RangeError],
      [() => (m.observe as (l: unknown) => void)(attic), RangeError],
      [() => m.time(attic, undefined as unknown as () => void), TypeError],
      [() => m.startTimer({ room: "attic", floor: 2 } as { room: string }), TypeError],
    ];
    for (const [call, type] of calls) assert.throws(call, type, String(call));
    assert.equal(m.seriesCount, 0);
    assert.doesNotMatch(await registry.metrics(), /attic/);
  });

  test(`${kind}.time() observes a call whose promise rejects, on every path`, async () => {
    const registry = new Registry();
    const m = new M({ name: "op", help: "h", labelNames: ["op"], registry });
    const u = new M({ name: "u", help: "h", registry });
    const err = new Error("nope");
    const fail = () => Promise.reject(err);
    const late = async () => {
      await new Promise((r) => setTimeout(r, 5));
      throw err;
    };
    const calls = [u.time(fail), u.time(late), m.time({ op: "a" }, fail), m.labels("b").time(late)];
    for (const call of calls) {
      await assert.rejects(call(), (e) => e === err, "the same rejection passes through");
    }
    const text = await registry.metrics();
    assert.match(text, /^u_count 2$/m);
    assert.match(text, /^op_count\{op="a"\} 1$/m);
    assert.match(text, /^op_count\{op="b"\} 1$/m);
  });
}
