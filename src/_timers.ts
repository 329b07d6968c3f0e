/**
 * The longest delay the runtimes' timers keep: `setTimeout` with more than
 * 2**31-1 ms (about 24.8 days) fires at once, in Node, Bun, Deno and workerd.
 * @module
 */

/** The longest timer delay in milliseconds; longer ones must be clamped or refused. @internal */
export const MAX_TIMER_MS: number = 2 ** 31 - 1;
