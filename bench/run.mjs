#!/usr/bin/env node
// Runs bench/main.ts on Deno, Bun and Node, measures first import and bundle
// size, and rewrites bench/RESULTS.md.   Usage: node bench/run.mjs
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (n) => join(root, "node_modules", ".bin", n);
const tmp = mkdtempSync(join(tmpdir(), "promedge-bench-"));

const runs = {
  deno: [bin("deno"), ["run", "-A", "--v8-flags=--expose-gc", "bench/main.ts"]],
  bun: [bin("bun"), ["run", "bench/main.ts"]],
  node: [process.execPath, ["--expose-gc", "--import", "tsx", "bench/main.ts"]],
};

const results = {};
for (const [rt, [cmd, args]] of Object.entries(runs)) {
  const out = join(tmp, rt + ".json");
  console.log(`=== ${rt}`);
  execFileSync(cmd, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, BENCH_JSON: out },
  });
  results[rt] = JSON.parse(readFileSync(out, "utf8"));
}

// Summary accuracy (deterministic, so once, on Node).
const accFile = join(tmp, "accuracy.json");
execFileSync(process.execPath, ["--import", "tsx", "bench/accuracy.ts"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, BENCH_JSON: accFile },
});
const accuracy = JSON.parse(readFileSync(accFile, "utf8"));

// Bundles: the core (mod.ts), the Hono entry, and prom-client.
async function size(entry, opts) {
  try {
    const r = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      format: "esm",
      write: false,
      logLevel: "silent",
      ...opts,
    });
    const code = r.outputFiles[0].contents;
    const text = new TextDecoder().decode(code);
    return {
      min: code.length,
      gz: gzipSync(code).length,
      nodeTopLevel: /(^|[;{}])import\s*[^()]*?from\s*"node:/.test(text) ||
        /(^|[;{}])import\s*"node:/.test(text),
    };
  } catch (e) {
    return { error: e.errors?.[0]?.text ?? String(e) };
  }
}
const coreEntry = join(tmp, "core.ts");
writeFileSync(
  coreEntry,
  `export { Counter, Gauge, Histogram, Summary, Info, Registry, defaultRegistry } from ${
    JSON.stringify(join(root, "mod.ts"))
  };\n`,
);
const bareEntry = join(tmp, "bare.ts");
writeFileSync(
  bareEntry,
  [
    "metrics/counter.ts",
    "metrics/gauge.ts",
    "metrics/histogram.ts",
    "metrics/summary.ts",
    "metrics/info.ts",
    "registry.ts",
  ]
    .map((f) => `export * from ${JSON.stringify(join(root, "src", f))};`).join("\n") + "\n",
);
const bundles = {
  "promedge metrics + registry + both formats (src/, no default collectors)": await size(
    bareEntry,
    {
      platform: "neutral",
      external: ["node:*"],
    },
  ),
  "promedge core from mod.ts (the above + default collectors)": await size(coreEntry, {
    platform: "neutral",
    external: ["node:*"],
  }),
  "promedge, all of mod.ts (+ handler, serveMetrics, Pushgateway)": await size(
    join(root, "mod.ts"),
    {
      platform: "neutral",
      external: ["node:*"],
    },
  ),
  "promedge Hono entry (without hono)": await size(join(root, "src/http/hono.ts"), {
    platform: "neutral",
    external: ["node:*", "hono", "hono/*"],
  }),
  "prom-client (platform node)": await size(join(root, "node_modules/prom-client/index.js"), {
    platform: "node",
  }),
  "prom-client (no Node built-ins)": await size(join(root, "node_modules/prom-client/index.js"), {
    platform: "neutral",
    mainFields: ["main"],
  }),
};

// First import, in a fresh process, median of 5: the bundled core vs prom-client.
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
// the bare "prom-client" as a user's code would.
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
const ours = script(core), theirs = script("prom-client");
const importRows = {};
for (
  const [rt, cmd] of [["deno", [bin("deno"), "run", "-A"]], ["bun", [bin("bun"), "run"]], ["node", [
    process.execPath,
  ]]]
) {
  const t = (f) => {
    const xs = [];
    for (let i = 0; i < 5; i++) {
      const r = spawnSync(cmd[0], [...cmd.slice(1), f], { cwd: root, encoding: "utf8" });
      const ms = Number.parseFloat(r.stdout);
      if (!Number.isFinite(ms)) throw new Error(`import timing failed on ${rt}: ${r.stderr}`);
      xs.push(ms);
    }
    return xs.sort((a, b) => a - b)[2];
  };
  importRows[rt] = { ours: t(ours), theirs: t(theirs) };
}
rmSync(tmp, { recursive: true, force: true });
rmSync(local, { recursive: true, force: true });

const fmt = (x) =>
  x >= 1e6 ? (x / 1e6).toFixed(2) + " M" : x >= 1e3 ? (x / 1e3).toFixed(1) + " k" : x.toFixed(1);
const rts = Object.keys(results);
let md =
  `# Benchmark results\n\nWritten by \`node bench/run.mjs\` on ${
    new Date().toISOString().slice(0, 10)
  }: ` +
  `${cpus().length} cores (${cpus()[0]?.model.trim()}), prom-client ${
    results.node.promClient ?? "15"
  }. ` +
  `Runtimes: ${rts.map((r) => `${r} ${results[r].version}`).join(", ")}.\n\n` +
  `Each cell is promedge / prom-client and the ratio (how many times better promedge is; > 1 is better). ` +
  `Same process, alternating rounds after warm-up, median of 7. The machine is shared and noisy: read the ratios, not the absolute figures.\n\n`;
md += `| case | ${rts.join(" | ")} |\n|---|${rts.map(() => "---").join("|")}|\n`;
const names = results[rts[0]].rows.map((r) => r.name);
for (const name of names) {
  md += `| ${name} | ` + rts.map((rt) => {
    const r = results[rt].rows.find((x) => x.name === name);
    if (!r) return "n/a";
    const u = r.better === "lower" ? "" : "/s";
    return `${fmt(r.ours)}${u} / ${fmt(r.theirs)}${u} = **${r.ratio.toFixed(1)}x**`;
  }).join(" | ") + " |\n";
}
md += `| unlabelled inc() ÷ bound child inc() (target ≤ 1.5) | ` +
  rts.map((rt) => results[rt].boundChildVsUnlabelled.toFixed(2)).join(" | ") + " |\n";
md += `| first import, ms (bundled core vs prom-client) | ` +
  rts.map((rt) =>
    `${importRows[rt].ours.toFixed(1)} / ${importRows[rt].theirs.toFixed(1)} = **${
      (importRows[rt].theirs / importRows[rt].ours).toFixed(1)
    }x**`
  ).join(" | ") + " |\n";
md +=
  `\n## Bundle size (esbuild, minified)\n\n| bundle | minified | gzipped | Node built-in at top level |\n|---|---|---|---|\n`;
for (const [name, b] of Object.entries(bundles)) {
  md += b.error
    ? `| ${name} | cannot bundle: ${b.error.replace(/\|/g, "\\|")} | | |\n`
    : `| ${name} | ${(b.min / 1024).toFixed(1)} KB | ${(b.gz / 1024).toFixed(1)} KB | ${
      b.nodeTopLevel ? "yes" : "no"
    } |\n`;
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
console.log("\n" + md);
