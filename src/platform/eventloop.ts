/**
 * Event-loop lag, measured the same way on every runtime: a 100 ms interval
 * timer, started by the first scrape (never at import) and unref'd so it
 * never keeps a process alive, records how late each tick runs. (The
 * runtimes' own `monitorEventLoopDelay` disagree on what they report: Node
 * counts the timer's resolution, Bun and Deno do not.)
 * @module
 */

import { isServerRuntime, type RuntimeName } from "./runtime.ts";

/** Lag since the previous read, in seconds. */
export interface LagFigures {
  readonly max: number;
  readonly mean: number;
}

const PERIOD_MS = 100;

let state: { max: number; sum: number; count: number } | null | undefined;

function unref(id: unknown): boolean {
  const g = globalThis as { Deno?: { unrefTimer?: (id: number) => void } };
  if (typeof id === "number") {
    if (typeof g.Deno?.unrefTimer !== "function") return false;
    g.Deno.unrefTimer(id);
    return true;
  }
  const t = id as { unref?: () => void };
  if (typeof t?.unref !== "function") return false;
  t.unref();
  return true;
}

/**
 * The lag since the last call; undefined on the first call (which starts the
 * timer), with no ticks yet, or where a timer cannot be left unref'd.
 */
export function readLag(runtime: RuntimeName): LagFigures | undefined {
  if (state === null) return undefined;
  if (state === undefined) {
    if (!isServerRuntime(runtime)) {
      state = null;
      return undefined;
    }
    const s = { max: 0, sum: 0, count: 0 };
    let expected = performance.now() + PERIOD_MS;
    const id = setInterval(() => {
      const now = performance.now();
      const late = now > expected ? now - expected : 0;
      if (late > s.max) s.max = late;
      s.sum += late;
      s.count++;
      expected = now + PERIOD_MS;
    }, PERIOD_MS);
    if (!unref(id)) {
      clearInterval(id as unknown as number);
      state = null;
      return undefined;
    }
    state = s;
    return undefined;
  }
  if (state.count === 0) return undefined;
  const out = { max: state.max / 1000, mean: state.sum / state.count / 1000 };
  state.max = state.sum = state.count = 0;
  return out;
}
