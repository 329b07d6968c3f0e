// The committed Worker bundles of examples/edge-aggregate are what build.sh makes from
// today's sources, so `workerd serve examples/edge-aggregate/config.capnp` runs the
// current library without a build step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./_procs.ts";

for (const w of ["edge", "aggregator"]) {
  test(`examples/edge-aggregate/${w}.js is the bundle build.sh makes from the sources`, async () => {
    const dir = join(ROOT, "examples/edge-aggregate");
    const r = await build({
      absWorkingDir: dir,
      entryPoints: [`${w}.ts`],
      bundle: true,
      format: "esm",
      platform: "neutral",
      external: ["node:*"],
      logLevel: "warning",
      write: false,
      outfile: `${w}.js`,
    });
    const fresh = new TextDecoder().decode(r.outputFiles[0].contents);
    const committed = readFileSync(join(dir, `${w}.js`), "utf8");
    assert.ok(
      fresh === committed,
      `examples/edge-aggregate/${w}.js is stale: run examples/edge-aggregate/build.sh`,
    );
  });
}
