/**
 * Parsers for the Linux /proc files behind the process metrics (man 5 proc).
 * Pure functions over the files' text, so they are tested on recorded
 * contents; each returns undefined for what it cannot read.
 * @module
 */

/** Clock ticks per second for /proc/self/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** The fields of /proc/self/stat used here. */
export interface ProcStat {
  /** User plus system CPU time, in seconds. */
  readonly cpuSeconds: number;
  /** Start time after boot, in seconds. */
  readonly startSecondsAfterBoot: number;
  /** Virtual memory size in bytes. */
  readonly virtualBytes: number;
  /** Resident set size in pages. */
  readonly rssPages: number;
}

/**
 * Parses /proc/self/stat. The command name (field 2) sits in parentheses and
 * can itself hold spaces and parentheses, so the fields are read after the
 * last `)`.
 */
export function parseStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const f = text.slice(close + 2).trim().split(/\s+/);
  // f[0] is field 3 (state); utime is field 14, so f[11].
  const utime = Number(f[11]), stime = Number(f[12]);
  const start = Number(f[19]), vsize = Number(f[20]), rss = Number(f[21]);
  if (![utime, stime, start, vsize, rss].every(Number.isFinite)) return undefined;
  return {
    cpuSeconds: (utime + stime) / USER_HZ,
    startSecondsAfterBoot: start / USER_HZ,
    virtualBytes: vsize,
    rssPages: rss,
  };
}

/** The boot time in epoch seconds, from the `btime` line of /proc/stat. */
export function parseBootTime(text: string): number | undefined {
  const m = /^btime\s+(\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Resident memory in bytes from /proc/self/status (`VmRSS: 1234 kB`): the
 * kernel's figure, right whatever the page size (4, 16 or 64 KiB).
 */
export function parseStatusRss(text: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB\s*$/m.exec(text);
  return m ? Number(m[1]) * 1024 : undefined;
}

/**
 * The soft limit of open files from /proc/self/limits. `unlimited` is
 * reported as Infinity (`+Inf` on the page): a true statement of the limit.
 */
export function parseMaxFds(text: string): number | undefined {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  if (!m) return undefined;
  if (m[1] === "unlimited") return Infinity;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : undefined;
}
