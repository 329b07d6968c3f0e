/**
 * Where the process figures come from on this runtime, chosen once: Linux
 * /proc when it can be read without asking for anything, else what the
 * runtime reports without permissions, else nothing. A figure with no honest
 * source is left out, never reported as 0.
 * @module
 */

import { detectRuntime, isServerRuntime, type RuntimeName } from "./runtime.ts";
import { parseBootTime, parseMaxFds, parseStat, parseStatusRss } from "./proc.ts";

/** The process figures; each is absent when this runtime cannot tell it. */
export interface ProcessFigures {
  cpuSeconds?: number;
  residentBytes?: number;
  virtualBytes?: number;
  startTimeSeconds?: number;
  openFds?: number;
  maxFds?: number;
  heapUsedBytes?: number;
  heapTotalBytes?: number;
}

/** The slice of `node:fs` used to read /proc. */
export interface ProcFs {
  readFileSync(path: string, encoding: "utf8"): string;
  readdirSync(path: string): string[];
}

interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
  cpuUsage?: () => { user: number; system: number };
  memoryUsage?: (() => { rss: number; heapUsed: number; heapTotal: number }) & {
    rss?: () => number;
  };
  platform?: string;
}

/** The slice of the `Deno` namespace read here. */
export interface DenoNs {
  permissions?: { querySync?: (d: { name: string }) => { state: string } };
  memoryUsage?: () => { rss: number; heapUsed: number; heapTotal: number };
  build?: { os?: string };
}

const g = globalThis as { process?: NodeProcess; Deno?: DenoNs };

/**
 * Whether every permission is granted (`-A`): Deno reads /proc only then.
 * Only `querySync` is used, which never prompts; "prompt" (what a terminal
 * would ask about) counts as not granted, and so does a query that throws.
 * Takes the namespace so that tests can pass a fake one.
 */
export function denoHasAllPermissions(deno: DenoNs): boolean {
  const q = deno.permissions?.querySync;
  if (typeof q !== "function") return false;
  try {
    for (const name of ["read", "write", "net", "env", "sys", "run", "ffi", "import"]) {
      if (q.call(deno.permissions, { name }).state !== "granted") return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** `node:fs`, reached at run time, where this runtime may read /proc with it. */
function procFs(runtime: RuntimeName): ProcFs | undefined {
  if (!isServerRuntime(runtime)) return undefined;
  if (runtime === "deno" && !denoHasAllPermissions(g.Deno!)) return undefined;
  const os = runtime === "deno" ? g.Deno?.build?.os : g.process?.platform;
  if (os !== "linux") return undefined;
  try {
    return g.process?.getBuiltinModule?.("node:fs") as ProcFs | undefined;
  } catch {
    return undefined;
  }
}

function tryRead(fs: ProcFs, path: string): string | undefined {
  try {
    return fs.readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Reads `path` and parses it; undefined when either fails. */
function readParsed<T>(
  fs: ProcFs,
  path: string,
  parse: (text: string) => T | undefined,
): T | undefined {
  const text = tryRead(fs, path);
  return text === undefined ? undefined : parse(text);
}

/** Reads the figures from /proc with `fs`; the boot time is read once. */
export function procReader(fs: ProcFs): (() => ProcessFigures) | undefined {
  if (readParsed(fs, "/proc/self/stat", parseStat) === undefined) return undefined;
  const boot = readParsed(fs, "/proc/stat", parseBootTime);
  return () => {
    const out: ProcessFigures = {};
    const stat = readParsed(fs, "/proc/self/stat", parseStat);
    if (stat) {
      out.cpuSeconds = stat.cpuSeconds;
      out.virtualBytes = stat.virtualBytes;
      if (boot !== undefined) out.startTimeSeconds = boot + stat.startSecondsAfterBoot;
    }
    const rss = readParsed(fs, "/proc/self/status", parseStatusRss);
    if (rss !== undefined) out.residentBytes = rss;
    try {
      out.openFds = fs.readdirSync("/proc/self/fd").length;
    } catch {
      // left out
    }
    const max = readParsed(fs, "/proc/self/limits", parseMaxFds);
    if (max !== undefined) out.maxFds = max;
    return out;
  };
}

/**
 * The figures the runtime itself reports, with no permission and no /proc;
 * with `heapOnly`, just the heap (what /proc cannot tell).
 */
function runtimeReader(runtime: RuntimeName, heapOnly = false): () => ProcessFigures {
  if (!isServerRuntime(runtime)) return () => ({});
  const p = g.process;
  const deno = runtime === "deno" ? g.Deno : undefined;
  const origin = typeof performance !== "undefined" ? performance.timeOrigin : 0;
  return () => {
    const out: ProcessFigures = {};
    try {
      const cpu = heapOnly ? undefined : p?.cpuUsage?.();
      if (cpu) out.cpuSeconds = (cpu.user + cpu.system) / 1e6;
    } catch {
      // not implemented here
    }
    try {
      const mem = deno?.memoryUsage?.() ?? p?.memoryUsage?.();
      if (mem && mem.rss > 0 && !heapOnly) out.residentBytes = mem.rss;
      if (mem && mem.heapUsed > 0) out.heapUsedBytes = mem.heapUsed;
      // Bun reports heapTotal equal to heapUsed: not a separate figure.
      if (mem && mem.heapTotal > 0 && runtime !== "bun") out.heapTotalBytes = mem.heapTotal;
    } catch {
      // not available
    }
    if (origin > 0 && !heapOnly) out.startTimeSeconds = origin / 1000;
    return out;
  };
}

let chosen: (() => ProcessFigures) | undefined;

/**
 * The figures now. The source is chosen on the first call (never at import):
 * /proc where readable, with the runtime's own figures filling what /proc
 * does not give (the heap).
 */
export function readProcessFigures(): ProcessFigures {
  if (chosen === undefined) {
    const { runtime } = detectRuntime();
    const fs = procFs(runtime);
    const proc = fs ? procReader(fs) : undefined;
    if (proc) {
      const heap = runtimeReader(runtime, true);
      chosen = () => ({ ...heap(), ...proc() });
    } else chosen = runtimeReader(runtime);
  }
  return chosen();
}
