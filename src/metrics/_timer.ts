/**
 * Timing helpers shared by Histogram and Summary.
 * @module
 */

/**
 * Wraps `fn` so that each call's duration in seconds goes to `observe`, for
 * sync and async functions, also when `fn` throws or rejects.
 * @internal
 */
export function timed<A extends unknown[], R>(
  observe: (seconds: number) => void,
  fn: (...args: A) => R,
): (...args: A) => R {
  checkFunction(fn);
  return function (this: unknown, ...args: A): R {
    const start = performance.now();
    const done = () => observe((performance.now() - start) / 1000);
    let r: R;
    try {
      r = fn.apply(this, args);
    } catch (e) {
      done();
      throw e;
    }
    if (r instanceof Promise) {
      return r.then(
        (v) => {
          done();
          return v;
        },
        (e) => {
          done();
          throw e;
        },
      ) as R;
    }
    done();
    return r;
  };
}

/** Throws unless `fn` is a function, for `time()`. @internal */
export function checkFunction(fn: unknown): void {
  if (typeof fn !== "function") {
    throw new TypeError(`time() takes the function to time, got ${typeof fn}`);
  }
}

/** Starts a timer; the returned function observes the elapsed seconds. @internal */
export function timer<T>(
  observe: (seconds: number, endLabels?: T) => void,
): (endLabels?: T) => number {
  const start = performance.now();
  return (endLabels?: T) => {
    const seconds = (performance.now() - start) / 1000;
    observe(seconds, endLabels);
    return seconds;
  };
}
