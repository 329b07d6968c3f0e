/**
 * Event-loop lag, measured the same way on every runtime: a 100 ms interval
 * timer, started by the first scrape (never at import) and unref'd so it
 * never keeps a process alive, records how late each tick runs. (The
 * runtimes' own `monitorEventLoopDelay` disagree on what they report: Node
 * counts the timer's resolution, Bun and Deno do not.)
 *
 * The figures cover a sliding window (the last minute), and reading them
 * changes nothing: two registries, or two Prometheus servers scraping one
 * process (an HA pair), each see the same lag, and neither hides it from the
 * other.
 * @module
 */

import { isServerRuntime, type RuntimeName } from "./runtime.ts";

/** Lag over the window, in seconds. */
export interface LagFigures {
  readonly max: number;
  readonly mean: number;
}

const PERIOD_MS = 100;

/** The length of one slot of the window, in ms. */
export const LAG_SLOT_MS = 10_000;
/** Full slots in the window besides the current one: it spans 60 to 70 s. */
export const LAG_SLOTS = 6;

interface Slot {
  index: number;
  max: number;
  sum: number;
  count: number;
}

/**
 * The lag of the last {@link LAG_SLOTS} slots of {@link LAG_SLOT_MS} and the
 * current one: a ring of slots, each reused when its time comes round again.
 * Times are monotonic milliseconds (`performance.now()`).
 */
export class LagWindow {
  #slots: Slot[] = Array.from({ length: LAG_SLOTS + 1 }, () => ({
    index: -Infinity,
    max: 0,
    sum: 0,
    count: 0,
  }));

  /** Records a tick `lateMs` late, at time `at`. */
  add(lateMs: number, at: number): void {
    const index = Math.floor(at / LAG_SLOT_MS);
    const s = this.#slots[index % this.#slots.length];
    if (s.index !== index) {
      s.index = index;
      s.max = s.sum = s.count = 0;
    }
    if (lateMs > s.max) s.max = lateMs;
    s.sum += lateMs;
    s.count++;
  }

  /** The lag over the window ending at `at`; undefined when it holds no tick. */
  read(at: number): LagFigures | undefined {
    const now = Math.floor(at / LAG_SLOT_MS);
    let max = 0, sum = 0, count = 0;
    for (const s of this.#slots) {
      if (s.index > now - this.#slots.length && s.index <= now) {
        if (s.max > max) max = s.max;
        sum += s.sum;
        count += s.count;
      }
    }
    return count === 0 ? undefined : { max: max / 1000, mean: sum / count / 1000 };
  }
}

/** The process's window: undefined before the first read, null where lag cannot be measured. */
let lag: LagWindow | null | undefined;

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

/** Starts the timer; null where it cannot run unref'd. */
function start(runtime: RuntimeName): LagWindow | null {
  if (!isServerRuntime(runtime)) return null;
  const w = new LagWindow();
  let expected = performance.now() + PERIOD_MS;
  const id = setInterval(() => {
    const now = performance.now();
    w.add(now > expected ? now - expected : 0, now);
    expected = now + PERIOD_MS;
  }, PERIOD_MS);
  if (unref(id)) return w;
  clearInterval(id as unknown as number);
  return null;
}

/**
 * The lag over the last minute; undefined on the first call (which starts
 * the timer), with no ticks yet, or where a timer cannot be left unref'd.
 * Reading does not reset anything, so any number of readers may call it.
 */
export function readLag(runtime: RuntimeName): LagFigures | undefined {
  if (lag === undefined) {
    lag = start(runtime);
    return undefined;
  }
  return lag?.read(performance.now());
}
