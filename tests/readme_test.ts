// The README's examples that use only this package run as written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(root + "README.md", "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

test("the README's Metrics, custom collector and collect() examples run", async () => {
  const metrics = blocks.find((b) => b.includes("const requests = new Counter"));
  const collector = blocks.find((b) => b.includes("registerCollector"));
  const snapshot = blocks.find((b) => b.includes("registry.collect("));
  assert.ok(metrics && collector && snapshot, "examples found");
  const code = (metrics + collector + snapshot).replaceAll(
    '"./mod.ts"',
    JSON.stringify(pathToFileURL(root + "mod.ts").href),
  );
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    const f = mkdtempSync(join(tmpdir(), "readme-")) + "/example.mts";
    writeFileSync(f, code);
    await import(pathToFileURL(f).href);
  } finally {
    console.log = log;
  }
  const out = lines.join("\n");
  assert.match(out, /^build_info\{version="1.2.3"\} 1$/m);
  assert.match(out, /^http_request_duration_seconds_count\{route="\/users\/:id"\} 1$/m);
  assert.match(out, /^# EOF$/m);
  assert.match(out, /^queue_depth\{queue="mail"\} 7$/m);
  assert.match(out, /^gauge \{"queue":"mail"\}$/m);
});

/** Runs the README block that contains `marker`; returns what it printed. */
async function runBlock(marker: string, file: string): Promise<string[]> {
  const block = blocks.find((b) => b.includes(marker));
  assert.ok(block, `example with ${marker} found`);
  const code = block.replaceAll('"./mod.ts"', JSON.stringify(pathToFileURL(root + "mod.ts").href));
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    const f = mkdtempSync(join(tmpdir(), "readme-")) + "/" + file;
    writeFileSync(f, code);
    await import(pathToFileURL(f).href);
  } finally {
    console.log = log;
  }
  return lines;
}

test("the README's native histogram example runs and keeps a native part", async () => {
  assert.deepEqual(await runBlock("native: true", "native.mts"), ["3"]);
});

test("the README's Cardinality example runs and caps the series", async () => {
  const out = (await runBlock("maxSeries: 1000", "cardinality.mts")).join("\n");
  assert.match(out, /^logins_total\{user="__overflow__"\} 4000$/m);
  assert.match(out, /^promedge_series_overflow_total\{metric="logins_total"\} 4000$/m);
  assert.equal(out.match(/^logins_total\{/gm)?.length, 1000, "999 users and the overflow series");
  assert.match(out, /^session_bytes\{session="s1"\} 512$/m);
});

test("the README's Exemplars example runs and prints what its comments say", async () => {
  const out = (await runBlock("incWithExemplar", "exemplars.mts")).join("\n");
  const block = blocks.find((b) => b.includes("incWithExemplar"))!;
  // The comments' lines, but for the timestamp (the time of the call).
  const shown = block.match(/^\/\/ \S+ \d.*$/gm) ?? [];
  assert.equal(shown.length, 2);
  for (const s of shown) {
    const [, line] = /^\/\/ (.*) [\d.]+$/.exec(s)!;
    assert.ok(out.split("\n").some((l) => l.startsWith(line + " ")), `${line}\n${out}`);
  }
  assert.match(out, /^jobs_total\{queue="sms"\} 2 # \{trace_id="[0-9a-f]{32}"\} 2 \d+(\.\d+)?$/m);
});
