import { test } from "node:test";
import assert from "node:assert/strict";
import { Gauge, Registry } from "../mod.ts";

const gauge = (labelNames: string[] = []) =>
  new Gauge({ name: "temperature_celsius", help: "T.", labelNames, registry: new Registry() });

test("Gauge.inc(), dec() and set() move the value both ways", () => {
  const g = gauge();
  g.inc();
  g.inc(4);
  g.dec(2.5);
  assert.equal(g.get(), 2.5);
  g.set(-7);
  assert.equal(g.get(), -7);
  g.set(NaN);
  assert.ok(Number.isNaN(g.get()), "set() takes NaN: a gauge may hold it");
});

test("Gauge.inc() rejects a non-finite amount and keeps the value", () => {
  const g = gauge();
  g.set(3);
  for (const bad of [NaN, Infinity, "1" as unknown as number]) {
    assert.throws(() => g.inc(bad), /Gauge "temperature_celsius" cannot change by/);
    assert.throws(() => g.dec(bad), RangeError);
  }
  assert.throws(() => g.set("5" as unknown as number), TypeError);
  assert.equal(g.get(), 3);
});

test("Gauge with labels keeps one value per label set, and children share it", () => {
  const g = gauge(["room"]);
  g.set({ room: "kitchen" }, 21);
  g.inc({ room: "kitchen" });
  const hall = g.labels({ room: "hall" });
  hall.set(18);
  hall.dec();
  assert.equal(g.get({ room: "kitchen" }), 22);
  assert.equal(g.get({ room: "hall" }), 17);
  assert.throws(() => g.set(1), TypeError);
});

test("Gauge.setToCurrentTime() sets epoch seconds", () => {
  const g = gauge();
  const before = Date.now() / 1000;
  g.setToCurrentTime();
  assert.ok(g.get() >= before && g.get() <= Date.now() / 1000 + 1);
});

test("Gauge.startTimer() sets the elapsed seconds", async () => {
  const g = gauge();
  const end = g.startTimer();
  await new Promise((r) => setTimeout(r, 30));
  const s = end();
  assert.equal(g.get(), s);
  assert.ok(s >= 0.02 && s < 2, `elapsed ${s}`);
});

test("Gauge.trackInProgress() counts running calls, also when they throw", async () => {
  const g = gauge();
  let seen = -1;
  const r = await g.trackInProgress(async () => {
    seen = g.get();
    await new Promise((r) => setTimeout(r, 1));
    return 42;
  });
  assert.equal(r, 42);
  assert.equal(seen, 1);
  assert.equal(g.get(), 0);
  assert.throws(() =>
    g.trackInProgress(() => {
      throw new Error("boom");
    }), /boom/);
  await assert.rejects(g.trackInProgress(() => Promise.reject(new Error("later"))), /later/);
  assert.equal(g.get(), 0);
});

test("Gauge collect() runs at every scrape", async () => {
  const registry = new Registry();
  let n = 0;
  new Gauge({
    name: "scrapes",
    help: "h",
    registry,
    collect() {
      this.set(++n);
    },
  });
  await registry.metrics();
  const text = await registry.metrics();
  assert.match(text, /^scrapes 2$/m);
});

test("Gauge calls rejected for their value, function or start labels create no series", async () => {
  const registry = new Registry();
  const g = new Gauge({ name: "temp", help: "h", labelNames: ["room"], registry });
  const attic = { room: "attic" };
  const calls: [() => unknown, typeof Error][] = [
    [() => g.set(attic, "21" as unknown as number), TypeError],
    [() => (g.set as (l: unknown) => void)(attic), TypeError],
    [() => g.inc(attic, Infinity), RangeError],
    [() => g.inc(attic, NaN), RangeError],
    [() => g.dec(attic, -Infinity), RangeError],
    [() => g.dec(attic, "1" as unknown as number), RangeError],
    [() => g.trackInProgress(undefined as unknown as () => void, attic), TypeError],
    [() => g.startTimer({ room: "attic", floor: 2 } as { room: string }), TypeError],
    [() => g.startTimer({ room: null } as unknown as { room: string }), TypeError],
    [() => g.setToCurrentTime({ room: "attic", floor: 2 } as { room: string }), TypeError],
  ];
  for (const [call, type] of calls) assert.throws(call, type, String(call));
  assert.equal(g.seriesCount, 0);
  assert.doesNotMatch(await registry.metrics(), /attic/);
});

test("Gauge.trackInProgress() with labels decrements when the promise rejects", async () => {
  const registry = new Registry();
  const g = new Gauge({ name: "jobs", help: "h", labelNames: ["queue"], registry });
  const err = new Error("nope");
  const p = g.trackInProgress(async () => {
    await new Promise((r) => setTimeout(r, 5));
    throw err;
  }, { queue: "mail" });
  assert.equal(g.get({ queue: "mail" }), 1);
  await assert.rejects(p, (e) => e === err);
  assert.equal(g.get({ queue: "mail" }), 0);
  const end = g.startTimer({ queue: "mail" });
  await assert.rejects(Promise.reject(err).finally(() => end()));
  assert.ok(
    g.get({ queue: "mail" }) >= 0 && g.get({ queue: "mail" }) < 1,
    "startTimer's end set it",
  );
});

test("GaugeChild keeps a NaN value and counts on from a number set after it", async () => {
  const registry = new Registry();
  const g = new Gauge({ name: "ratio", help: "h", labelNames: ["q"], registry });
  const child = g.labels({ q: "a" });
  child.set(NaN);
  child.inc();
  child.dec(2);
  assert.ok(Number.isNaN(child.get()));
  assert.match(await registry.metrics(), /^ratio\{q="a"\} NaN$/m);
  assert.equal(g.seriesCount, 1);
  child.set(1);
  child.inc();
  assert.equal(g.get({ q: "a" }), 2);
});
