import { test } from "node:test";
import assert from "node:assert/strict";
import { parseBootTime, parseMaxFds, parseStat, parseStatusRss } from "../src/platform/proc.ts";
import { type ProcFs, procReader } from "../src/platform/process.ts";
import { detectRuntime, splitVersion } from "../src/platform/runtime.ts";
import { processFamilies } from "../src/collectors/default.ts";

// A recorded /proc/self/stat line (pid 4242), with utime 150, stime 50,
// starttime 123456 ticks, vsize 180000000 bytes, rss 5000 pages.
const tail =
  "S 1 4242 4242 0 -1 4194560 900 0 0 0 150 50 0 0 20 0 1 0 123456 180000000 5000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

test("parseStat() reads the fields after the command name", () => {
  const s = parseStat("4242 (node) " + tail)!;
  assert.equal(s.cpuSeconds, 2);
  assert.equal(s.startSecondsAfterBoot, 1234.56);
  assert.equal(s.virtualBytes, 180000000);
  assert.equal(s.rssPages, 5000);
});

test("parseStat() is not fooled by a command name with spaces and parentheses", () => {
  const s = parseStat("4242 (evil) R 1 (x y) " + tail)!;
  assert.equal(s.cpuSeconds, 2);
  assert.equal(s.virtualBytes, 180000000);
  assert.equal(parseStat("garbage"), undefined);
  assert.equal(parseStat("1 (x) S 1 2"), undefined, "too few fields");
});

test("parseBootTime() reads btime from /proc/stat", () => {
  assert.equal(parseBootTime("cpu  1 2 3\nintr 5\nbtime 1795700000\nprocesses 9\n"), 1795700000);
  assert.equal(parseBootTime("cpu 1\n"), undefined);
});

test("parseStatusRss() reads VmRSS in kB, right on any page size", () => {
  // On a 64 KiB-page kernel, stat's rss of 100 pages is 6400 kB; VmRSS says so directly.
  const status = "Name:\tnode\nVmPeak:\t 9000 kB\nVmRSS:\t    6400 kB\nThreads:\t7\n";
  assert.equal(parseStatusRss(status), 6400 * 1024);
  assert.equal(parseStatusRss("Name:\tx\n"), undefined);
});

test("parseMaxFds() reads the soft limit; unlimited is Infinity", () => {
  const limits = (soft: string) =>
    "Limit                     Soft Limit           Hard Limit           Units     \n" +
    "Max cpu time              unlimited            unlimited            seconds   \n" +
    `Max open files            ${soft.padEnd(20)} 1048576              files     \n`;
  assert.equal(parseMaxFds(limits("1024")), 1024);
  assert.equal(parseMaxFds(limits("unlimited")), Infinity);
  assert.equal(parseMaxFds("Limit\n"), undefined);
});

test("procReader() leaves out what it cannot read and never reports 0 for it", () => {
  const files: Record<string, string> = {
    "/proc/self/stat": "4242 (evil) R 1 (x y) " + tail,
    "/proc/stat": "btime 1795700000\n",
  };
  const fs: ProcFs = {
    readFileSync(path) {
      if (path in files) return files[path];
      throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    },
    readdirSync() {
      throw new Error("EACCES");
    },
  };
  const f = procReader(fs)!();
  assert.equal(f.cpuSeconds, 2);
  assert.equal(f.startTimeSeconds, 1795700000 + 1234.56);
  assert.equal(f.virtualBytes, 180000000);
  assert.equal(f.residentBytes, undefined);
  assert.equal(f.openFds, undefined);
  assert.equal(f.maxFds, undefined);
  const names = processFamilies(f).map((x) => x.name).sort();
  assert.deepEqual(names, [
    "process_cpu_seconds_total",
    "process_start_time_seconds",
    "process_virtual_memory_bytes",
  ]);
  assert.equal(
    procReader({ ...fs, readFileSync: () => "" }),
    undefined,
    "unreadable stat: no reader",
  );
});

test("detectRuntime() tells look-alikes apart", () => {
  assert.equal(
    detectRuntime({
      Deno: { version: { deno: "2.9.6" } },
      process: { versions: { node: "26.0.0" } },
    }).runtime,
    "deno",
  );
  assert.equal(
    detectRuntime({ Bun: { version: "1.4.5" }, process: { versions: { node: "26.0.0" } } }).runtime,
    "bun",
  );
  assert.equal(
    detectRuntime({
      navigator: { userAgent: "Cloudflare-Workers" },
      process: { versions: { node: "22.0.0" } },
    }).runtime,
    "workerd",
  );
  assert.equal(detectRuntime({ process: { versions: { node: "20.20.2" } } }).runtime, "node");
  assert.equal(detectRuntime({ window: {}, document: {} }).runtime, "browser");
  assert.equal(detectRuntime({}).runtime, "unknown");
  assert.deepEqual(splitVersion("1.4.5-canary.1"), { major: "1", minor: "4", patch: "5" });
  assert.deepEqual(splitVersion(""), { major: "", minor: "", patch: "" });
});
