/**
 * Which JavaScript runtime this is, and its version.
 * @module
 */

/** The runtimes told apart. */
export type RuntimeName = "deno" | "bun" | "node" | "workerd" | "browser" | "unknown";

/** The runtime and its version, as `js_runtime_info` shows them. */
export interface RuntimeInfo {
  /** The runtime's name. */
  readonly runtime: RuntimeName;
  /** Its version (empty when it does not say, as in workerd). */
  readonly version: string;
  /** Further labels the runtime offers: Deno's `v8` and `typescript`, Bun's `revision`. */
  readonly extra: Readonly<Record<string, string>>;
}

/**
 * The globals `detectRuntime()` reads (tests pass a fake).
 * @ignore
 */
export interface Globals {
  Deno?: { version?: { deno?: string; v8?: string; typescript?: string } };
  Bun?: { version?: string; revision?: string };
  navigator?: { userAgent?: string };
  process?: { versions?: { node?: string } };
  window?: unknown;
  document?: unknown;
}

/**
 * Names the runtime by feature detection, in an order that tells look-alikes
 * apart: Deno and Bun also look like Node, and workerd sets
 * `process.versions.node`.
 */
export function detectRuntime(g: Globals = globalThis as Globals): RuntimeInfo {
  const deno = g.Deno?.version;
  if (typeof deno?.deno === "string") {
    const extra: Record<string, string> = {};
    if (typeof deno.v8 === "string") extra.v8 = deno.v8;
    if (typeof deno.typescript === "string") extra.typescript = deno.typescript;
    return { runtime: "deno", version: deno.deno, extra };
  }
  if (typeof g.Bun?.version === "string") {
    const extra: Record<string, string> = {};
    if (typeof g.Bun.revision === "string") extra.revision = g.Bun.revision;
    return { runtime: "bun", version: g.Bun.version, extra };
  }
  if (g.navigator?.userAgent === "Cloudflare-Workers") {
    return { runtime: "workerd", version: "", extra: {} };
  }
  const node = g.process?.versions?.node;
  if (typeof node === "string") return { runtime: "node", version: node, extra: {} };
  if (g.window !== undefined && g.document !== undefined) {
    return { runtime: "browser", version: "", extra: {} };
  }
  return { runtime: "unknown", version: "", extra: {} };
}

/** Whether a runtime is a server-side one with Node's `process` APIs (Deno, Bun, Node). */
export function isServerRuntime(runtime: RuntimeName): boolean {
  return runtime === "node" || runtime === "bun" || runtime === "deno";
}

/** Splits `1.2.3-beta` into major, minor and patch (empty where missing). */
export function splitVersion(v: string): { major: string; minor: string; patch: string } {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v);
  return { major: m?.[1] ?? "", minor: m?.[2] ?? "", patch: m?.[3] ?? "" };
}
