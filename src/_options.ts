/**
 * The check every options object gets: an option this library does not know
 * (a typo, or prom-client's `registers`) is a TypeError naming the one to
 * use, never silently ignored.
 * @module
 */

/** What to write instead of options that other client libraries take. */
const HINTS: Readonly<Record<string, string>> = {
  registers:
    'use `registry: r` (one registry; null for none). Code written for prom-client\'s `registers: [r]` runs unchanged on "@promedge/client/prom-client"',
  register:
    'use `registry: r`. Code written for prom-client\'s `register: r` runs unchanged on "@promedge/client/prom-client"',
  enableExemplars:
    'exemplars need no switch here. Code written for prom-client\'s `enableExemplars` runs unchanged on "@promedge/client/prom-client"',
  openMetrics: "write OpenMetrics 1.0 with { format: openMetricsFormat }",
  aggregator:
    'aggregation is set where metrics are merged (src/aggregate). Code written for prom-client\'s `aggregator` runs unchanged on "@promedge/client/prom-client"',
};

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
      prev = cur;
    }
  }
  return row[b.length];
}

/**
 * Throws a TypeError for the first key of `options` that is not in `known`
 * (keys whose value is `undefined` change nothing and pass). `what` names
 * the call, e.g. `Counter "jobs_total"`.
 * @internal
 */
export function checkOptions(what: string, options: unknown, known: readonly string[]): void {
  if (options === null || typeof options !== "object") return;
  for (const key in options) {
    if (known.includes(key) || (options as Record<string, unknown>)[key] === undefined) continue;
    let hint = HINTS[key];
    if (hint === undefined) {
      const near = known.filter((k) => distance(key, k) <= Math.max(1, k.length >> 2));
      hint = near.length > 0
        ? `did you mean "${near[0]}"?`
        : `the options are: ${known.join(", ")}`;
    }
    throw new TypeError(`${what}: unknown option "${key}"; ${hint}`);
  }
}
