#!/usr/bin/env node
// Runs the whole bench on Deno, Bun and Node and rewrites bench/RESULTS.md:
// bench/main.ts (micro, scrape, stall) on each runtime, bench/memory.ts in
// fresh processes, bench/load.mjs (burst, gzip, soak), bench/bundle.mjs,
// first import, bench/accuracy.ts.
//
//   node bench/run.mjs [--soak-seconds 60] [--memory-runs 5] [--no-load] [--json all.json]
//                      [--load-from all.json]   (reuse the load figures of an earlier --json)
//
// @prometheus-io/client is measured when it resolves from node_modules (or
// PROMETHEUS_IO_CLIENT points at its index.js); otherwise RESULTS.md says so.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { bundles } from "./bundle.mjs";
import { burst, gzipCost, libraries, soak } from "./load.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (n) => join(root, "node_modules", ".bin", n);
const tmp = mkdtempSync(join(tmpdir(), "promedge-bench-"));
const arg = (k, d) => {
  const i = process.argv.indexOf(k);
  return i > 0 ? process.argv[i + 1] : d;
};
const SOAK_S = Number(arg("--soak-seconds", 60));
const MEMORY_RUNS = Number(arg("--memory-runs", 5));
const LOAD = !process.argv.includes("--no-load") || process.argv.includes("--load-from");
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const runs = {
  deno: [bin("deno"), ["run", "-A", "--v8-flags=--expose-gc"]],
  bun: [bin("bun"), ["run"]],
  node: [process.execPath, ["--expose-gc", "--import", "tsx"]],
};
const rts = Object.keys(runs);
const libs = libraries();
const others = libs.filter((l) => l !== "promedge");
const versionOf = (pkg) => {
  try {
    const dir = pkg === "@prometheus-io/client" && process.env.PROMETHEUS_IO_CLIENT
      ? dirname(process.env.PROMETHEUS_IO_CLIENT)
      : join(root, "node_modules", pkg);
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
};

// 1. micro, scrape, stall: bench/main.ts on each runtime.
const results = {};
for (const [rt, [cmd, args]] of Object.entries(runs)) {
  const out = join(tmp, rt + ".json");
  console.log(`=== ${rt}: bench/main.ts`);
  execFileSync(cmd, [...args, "bench/main.ts"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, BENCH_JSON: out },
  });
  results[rt] = JSON.parse(readFileSync(out, "utf8"));
  for (const lib of others.slice(1)) {
    // the micro cases against each further library, in a process of their own (see main.ts)
    console.log(`=== ${rt}: bench/main.ts, micro cases against ${lib}`);
    execFileSync(cmd, [...args, "bench/main.ts"], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, BENCH_JSON: out, BENCH_MICRO_VS: lib, BENCH_MICRO_ONLY: "1" },
    });
    const more = JSON.parse(readFileSync(out, "utf8")).micro;
    for (const row of results[rt].micro) {
      const m = more.find((r) => r.name === row.name);
      row.theirs[lib] = m.theirs[lib];
      row.ratio[lib] = m.ratio[lib];
      row.oursAgainst = { ...row.oursAgainst, [lib]: m.ours }; // promedge in that process
    }
  }
}

// 2. memory per series: a fresh process per sample, libraries alternating.
const memory = {};
for (const [rt, [cmd, args]] of Object.entries(runs)) {
  console.log(`=== ${rt}: bench/memory.ts x ${MEMORY_RUNS}`);
  const xs = Object.fromEntries(libs.map((l) => [l, []]));
  let how = "";
  for (let r = 0; r < MEMORY_RUNS; r++) {
    for (const lib of r & 1 ? [...libs].reverse() : libs) {
      const p = spawnSync(cmd, [...args, "bench/memory.ts", lib], { cwd: root, encoding: "utf8" });
      const line = p.stdout.split("\n").find((l) => l.startsWith("{"));
      if (!line) throw new Error(`memory.ts ${lib} on ${rt} failed: ${p.stderr}`);
      const m = JSON.parse(line);
      xs[lib].push(m.bytesPerSeries);
      how = m.how;
    }
  }
  memory[rt] = { how, ...Object.fromEntries(libs.map((l) => [l, median(xs[l])])) };
  console.log(memory[rt]);
}

// 3. load: burst, gzip, soak.
const load = {};
const loadFrom = arg("--load-from");
if (loadFrom) Object.assign(load, JSON.parse(readFileSync(loadFrom, "utf8")).load);
else if (LOAD) {
  for (const rt of rts) {
    console.log(`=== ${rt}: load (burst, gzip, soak ${SOAK_S} s)`);
    load[rt] = {
      burst: await burst(rt, libs),
      gzip: await gzipCost(rt, libs),
      soak: await soak(rt, libs, { seconds: SOAK_S }),
    };
  }
}

// 4. bundles.
const bundleRows = await bundles();

// 5. first import, in a fresh process, median of 5: the bundled mod.ts vs the others.
const core = join(tmp, "promedge.mjs");
await build({
  entryPoints: [join(root, "mod.ts")],
  bundle: true,
  format: "esm",
  platform: "neutral",
  external: ["node:*"],
  outfile: core,
  logLevel: "silent",
});
// The import scripts live in the project (.tmp/) so that every runtime resolves
// bare names as a user's code would.
const local = join(root, ".tmp");
mkdirSync(local, { recursive: true });
const script = (spec) => {
  const f = join(local, `imp-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    f,
    `const t = performance.now(); await import(${
      JSON.stringify(spec)
    }); console.log(performance.now() - t);\n`,
  );
  return f;
};
const importScripts = {
  promedge: script(core),
  "prom-client": script("prom-client"),
  ...(others.includes("@prometheus-io/client")
    ? {
      "@prometheus-io/client": script(process.env.PROMETHEUS_IO_CLIENT ?? "@prometheus-io/client"),
    }
    : {}),
};
const importRows = {};
for (const [rt, [cmd]] of Object.entries(runs)) {
  const pre = rt === "deno" ? ["run", "-A"] : rt === "bun" ? ["run"] : [];
  importRows[rt] = {};
  for (const [lib, f] of Object.entries(importScripts)) {
    const xs = [];
    for (let i = 0; i < 5; i++) {
      const r = spawnSync(cmd, [...pre, f], { cwd: root, encoding: "utf8" });
      const ms = Number.parseFloat(r.stdout);
      if (!Number.isFinite(ms)) throw new Error(`import timing failed on ${rt}: ${r.stderr}`);
      xs.push(ms);
    }
    importRows[rt][lib] = median(xs);
  }
}

// 6. Summary accuracy (deterministic, so once, on Node).
const accFile = join(tmp, "accuracy.json");
execFileSync(process.execPath, ["--import", "tsx", "bench/accuracy.ts"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, BENCH_JSON: accFile },
});
const accuracy = JSON.parse(readFileSync(accFile, "utf8"));
rmSync(tmp, { recursive: true, force: true });
rmSync(local, { recursive: true, force: true });

// ---- RESULTS.md
const n = (x, d) =>
  !Number.isFinite(x)
    ? "n/a"
    : d !== undefined
    ? x.toFixed(d)
    : x >= 100
    ? x.toFixed(0)
    : x >= 10
    ? x.toFixed(1)
    : x.toFixed(2);
const x = (r) => `**${n(r, r >= 10 ? 0 : 2)}x**`;
const MB = (b) => (b / 1e6).toFixed(0) + " MB";
const head = (first) =>
  `| ${first} | ${rts.join(" | ")} |\n|---|${rts.map(() => "---").join("|")}|\n`;
const pc = "prom-client";
const pio = "@prometheus-io/client";
const hasPio = others.includes(pio);

let md =
  `# Benchmark results\n\nWritten by \`node bench/run.mjs\` on ${
    new Date().toISOString().slice(0, 10)
  }: ${cpus().length} cores (${cpus()[0]?.model.trim()}), shared with other busy jobs. ` +
  `Runtimes: ${rts.map((r) => `${r} ${results[r].version}`).join(", ")}. ` +
  `Compared with prom-client ${versionOf(pc)}${
    hasPio
      ? ` and @prometheus-io/client ${versionOf(pio)} (prom-client's renamed successor)`
      : `; @prometheus-io/client not measured (${
        results.node.skipped.join("; ") || "not installed"
      })`
  }.\n\n` +
  `Every cell is promedge / prom-client = ratio, where the ratio says how many times better promedge ` +
  `is (> 1 is better, whichever way the unit goes). Same process (or the same run, for the ` +
  `process-level cases), sides alternating round by round, medians. The machine is shared and noisy: ` +
  `read the ratios, not the absolute figures.${
    hasPio ? " The @prometheus-io/client ratios are in the lines marked with its name." : ""
  }\n\n`;

const cell = (ours, theirs, lowerBetter, unit = "", ratio) =>
  `${n(ours)}${unit} / ${n(theirs)}${unit} = ${
    x(ratio ?? (lowerBetter ? theirs / ours : ours / theirs))
  }`;
const rowsFor = (section, lowerBetter, unit, extra) => {
  let s = "";
  for (const name of results[rts[0]][section].map((r) => r.name)) {
    const get = (rt) => results[rt][section].find((r) => r.name === name);
    s += `| ${name} | ` +
      rts.map((rt) =>
        cell(get(rt).ours, get(rt).theirs[pc], lowerBetter, unit, get(rt).ratio?.[pc])
      )
        .join(" | ") +
      " |\n";
    if (hasPio) {
      s += `| ↳ vs ${pio} | ` + rts.map((rt) => {
        const r = get(rt);
        return r.theirs[pio] === undefined
          ? "n/a"
          : cell(r.oursAgainst?.[pio] ?? r.ours, r.theirs[pio], lowerBetter, unit, r.ratio?.[pio]);
      }).join(" | ") + " |\n";
    }
    if (extra) s += extra(get);
  }
  return s;
};

md += `## Cost of one call, ns (lower is better)\n\n` +
  `Each op is its own function called from one loop whose call site has seen more than four ` +
  `functions, so no engine inlines it into the loop: every call loads the series, adds and ` +
  `stores, like one \`inc()\` in a request handler. (A tight \`for … c.inc()\` loop lets the ` +
  `compiler keep the value in a register; that is why earlier results showed prom-client's ` +
  `unlabelled inc() faster than ours and our bound child 113x.) The floor is the same call doing ` +
  `\`o.v++\` on a plain object: a case at the floor costs nothing beyond being called; ` +
  `"own cost" is the figure minus the floor. The counter cases check afterwards that every call ` +
  `was counted. 15 rounds of ~50 ms per side after 2 warm-up rounds, the order reversed every ` +
  `other round; the figures are medians, the ratio is the median of the per-round ratios (each ` +
  `measured back to back, so a busy machine slows both).\n\n` + head("case");
md += rowsFor(
  "micro",
  true,
  "",
  (get) =>
    `| ↳ own cost above the floor, promedge / prom-client | ` + rts.map((rt) => {
      const r = get(rt);
      return `${n(Math.max(0, r.ours - r.floor))} / ${n(Math.max(0, r.theirs[pc] - r.floor))}`;
    }).join(" | ") + " |\n",
);
md += `| floor (the call itself) | ` +
  rts.map((rt) => n(median(results[rt].micro.map((r) => r.floor)))).join(" | ") + " |\n";

md +=
  `\n## Scrape, scrapes/s (higher is better)\n\n\`registry.metrics()\` in a loop for ~240 ms, ` +
  `median of 7 alternating rounds.\n\n` + head("case") + rowsFor("scrape", false, "/s");

md +=
  `\n## Longest event-loop stall while a 10 MB page is written and read, ms (lower is better)\n\n` +
  `A 1 ms timer re-arms itself; the figure is the longest gap between two ticks (so at least ~1 ms), ` +
  `from the start of the scrape until the last byte of the body is read in-process with ` +
  `\`arrayBuffer()\`, median of 5 runs per side, alternating. The page: 20 counters x 9,300 series ` +
  `(${(results.node.stall[0].bytes / 1e6).toFixed(1)} MB of text). "handler": promedge's ` +
  `\`createMetricsHandler()\` answering \`Accept: text/plain\`; prom-client's \`await register.metrics()\` ` +
  `then \`new Response(text)\`. "gzip": \`Accept-Encoding: gzip\`; prom-client has no gzip, so its text ` +
  `goes through the same \`CompressionStream("gzip")\` a fetch server would use. ` +
  `Target: at most 50 ms, and at most a quarter of prom-client's (ratio ≥ 4).\n\n` +
  head("mode") + rowsFor("stall", true, " ms");

md += `\n## Memory per labelled counter series, bytes (lower is better)\n\n` +
  `400,000 series (\`MEM_N\` sets another count) of a counter with labels {id, kind}, in a fresh process per sample, ` +
  `${MEMORY_RUNS} samples per side alternating, median (\`bench/memory.ts\`). Label values are made ` +
  `and flattened before the baseline (they are the application's strings); the label objects ` +
  `passed to \`inc()\` after it. Read after a full GC: on Deno and Node the JS heap plus ` +
  `\`external\` (array buffers and typed-array stores live there; Deno's heapUsed leaves them out), ` +
  `on Bun the RSS (its heapUsed misses malloc'd property tables and key strings). ` +
  `Target: at most half of prom-client's (ratio ≥ 2).\n\n` + head("");
md += `| measured as | ${rts.map((rt) => memory[rt].how).join(" | ")} |\n`;
md += `| bytes per series | ${
  rts.map((rt) => cell(memory[rt].promedge, memory[rt][pc], true)).join(" | ")
} |\n`;
if (hasPio) {
  md += `| ↳ vs ${pio} | ${
    rts.map((rt) => cell(memory[rt].promedge, memory[rt][pio], true)).join(" | ")
  } |\n`;
}

if (LOAD) {
  const g0 = load.node.gzip.promedge;
  md += `\n## Under load (loopback HTTP, \`bench/load.mjs\`)\n\n` +
    (loadFrom
      ? `These figures come from an earlier full run of the same code (\`--load-from\`).\n\n`
      : "") +
    `The application (\`bench/_server.ts\`) runs on the runtime under test, one process per library, ` +
    `the same server code for each: \`Deno.serve\`, \`Bun.serve\`, or node:http turning each request ` +
    `into a fetch Request and streaming the Response back. /metrics is promedge's ` +
    `\`createMetricsHandler()\`, or \`register.metrics()\` in a Response (gzipped with ` +
    `\`CompressionStream\` when asked). The load comes from a separate Node process with node:http ` +
    `(keep-alive, raw bodies, no client-side decompression). Scrapes send \`Accept: text/plain\` so ` +
    `both sides write the same text format. The 20,000-series page is ` +
    `${(g0.plainBytes / 1e6).toFixed(1)} MB (${(g0.gzBytes / 1e3).toFixed(0)} KB gzipped).\n\n`;
  md += `### Burst: 50 concurrent gzip scrapes of the 20,000-series page\n\n` +
    `A fresh server per run; two warm-up scrapes; the kernel's peak-RSS mark reset; then 50 ` +
    `scrapes at once. Peak RSS = VmHWM of the server process afterwards; wall = first request ` +
    `sent to last body byte. 3 runs per side, alternating, median. Target: peak RSS at most ` +
    `prom-client's (ratio ≥ 1).\n\n` + head("");
  const lr = (label, f, lower, fmt, ratio = true) => {
    const c = (rt, lib) => {
      const o = f(rt, "promedge"), t = f(rt, lib);
      return `${fmt(o)} / ${fmt(t)}` + (ratio ? ` = ${x(lower ? t / o : o / t)}` : "");
    };
    md += `| ${label} | ` + rts.map((rt) => c(rt, pc)).join(" | ") + " |\n";
    if (hasPio) md += `| ↳ vs ${pio} | ` + rts.map((rt) => c(rt, pio)).join(" | ") + " |\n";
  };
  lr("peak RSS", (rt, l) => load[rt].burst[l].peak, true, MB);
  lr("RSS before the burst", (rt, l) => load[rt].burst[l].before, true, MB);
  lr("wall time, ms", (rt, l) => load[rt].burst[l].wall, true, (v) => n(v, 0));
  md += `\n### gzip: one scrape of the 20,000-series page, ms to the last byte\n\n` +
    `One server per side, 12 sequential scrapes alternating gzip and identity, median.\n\n` +
    head("");
  lr("gzip scrape", (rt, l) => load[rt].gzip[l].gzip, true, (v) => n(v, 1));
  lr("uncompressed scrape", (rt, l) => load[rt].gzip[l].plain, true, (v) => n(v, 1));
  md += `| gzip ÷ uncompressed, promedge / prom-client | ` +
    rts.map((rt) => {
      const g = load[rt].gzip;
      return `${n(g.promedge.gzip / g.promedge.plain)} / ${n(g[pc].gzip / g[pc].plain)}`;
    }).join(" | ") + " |\n";
  const s0 = load.node.soak.promedge;
  md += `\n### Soak: 2,000 series, steady requests and a 10/s scraper, ${SOAK_S} s\n\n` +
    `One server per side, all at once under the same load: /work at ~${s0.rate} requests/s per ` +
    `server (at most 8 in flight) and a gzip scrape every 100 ms. VmRSS sampled every 5 s; the slope ` +
    `is a least-squares fit after ${s0.warmupS} s of warm-up. Target: flat (< 1 MB/min) after warm-up.\n\n` +
    head("");
  // no ratio: a ratio of slopes near zero means nothing
  lr(
    "RSS slope after warm-up, MB/min",
    (rt, l) => load[rt].soak[l].slopeMBPerMin,
    true,
    (v) => n(v, 2),
    false,
  );
  md += `| RSS at the end, promedge / prom-client | ` + rts.map((rt) => {
    const s = load[rt].soak;
    return `${s.promedge.samples.at(-1).mb} / ${s[pc].samples.at(-1).mb} MB`;
  }).join(" | ") + " |\n";
  for (const lib of libs) {
    md += `| RSS every 5 s, ${lib}, MB | ` +
      rts.map((rt) => load[rt].soak[lib].samples.map((p) => p.mb).join(" ")).join(" | ") + " |\n";
  }
  md += `| requests / scrapes / errors (promedge) | ` + rts.map((rt) => {
    const s = load[rt].soak.promedge;
    return `${s.requests} / ${s.scrapes} / ${s.errors}`;
  }).join(" | ") + " |\n";
}

md += `\n## Bundle size (esbuild --bundle --minify, ESM; gzip -9)\n\n` +
  `Every export of deno.json is bundled whole (\`platform: neutral\`, \`node:*\` and hono external).\n\n` +
  `| bundle | what | minified | gzip -9 | target | Node built-in at top level |\n|---|---|---|---|---|---|\n`;
for (const b of bundleRows) {
  md += b.error
    ? `| ${b.name} | ${b.entry} | cannot bundle: ${b.error.replace(/\|/g, "\\|")} | | | |\n`
    : `| ${b.name} | ${b.entry} | ${(b.min / 1024).toFixed(1)} KB | ${
      (b.gz / 1024).toFixed(2)
    } KB | ${
      b.target ? `≤ ${b.target / 1024} KB: ${b.gz <= b.target ? "met" : "**missed**"}` : ""
    } | ${b.nodeTopLevel ? "yes" : "no"} |\n`;
}

md += `\n## First import, ms (lower is better)\n\nA fresh process per sample, median of 5: ` +
  `the bundled mod.ts against the package as installed.\n\n` + head("");
for (const lib of Object.keys(importScripts).filter((l) => l !== "promedge")) {
  md += `| promedge / ${lib} | ` + rts.map((rt) =>
    cell(importRows[rt].promedge, importRows[rt][lib], true)
  ).join(" | ") + " |\n";
}

md +=
  `\n## Summary accuracy\n\nWorst relative error over the quantiles 0.01 … 0.999 against the exact ` +
  `order statistic, 100,000 seeded samples per shape (\`bench/accuracy.ts\`). promedge: ` +
  `logarithmic buckets, guaranteed ≤ 0.5%; prom-client: a t-digest.\n\n` +
  `| shape | promedge | prom-client |\n|---|---|---|\n`;
for (const r of accuracy) {
  md += `| ${r.shape} | ${(r.ours * 100).toFixed(3)}% | ${(r.theirs * 100).toFixed(3)}% |\n`;
}
writeFileSync(join(root, "bench", "RESULTS.md"), md);
const json = arg("--json");
if (json) {
  writeFileSync(
    json,
    JSON.stringify({ results, memory, load, bundles: bundleRows, imports: importRows }, null, 1),
  );
}
console.log("\n" + md);
