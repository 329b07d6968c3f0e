/**
 * The Python client's quick start, in TypeScript.
 *
 *   bun run example.ts          (or: deno run -A example.ts, npx tsx example.ts)
 *
 * Then open http://localhost:8080/metrics (PORT overrides the port).
 */
import { serveMetrics, Summary } from "./mod.ts";

// Create a metric to track time spent and requests made.
const REQUEST_TIME = new Summary({
  name: "request_processing_seconds",
  help: "Time spent processing request",
});

// Decorate function with metric.
const processRequest = REQUEST_TIME.time(async (t: number): Promise<void> => {
  // A dummy function that takes some time.
  await new Promise((resolve) => setTimeout(resolve, t * 1000));
});

const port = Number(readEnv("PORT") ?? 8080);

// Start up the server to expose the metrics.
const server = await serveMetrics({ port });
console.log(`Serving metrics on http://localhost:${server.port}/metrics`);

// Generate some requests.
while (true) {
  await processRequest(Math.random());
}

/** An environment variable, read only where that cannot prompt (Deno without --allow-env). */
function readEnv(name: string): string | undefined {
  const g = globalThis as {
    Deno?: { permissions: { querySync(d: { name: "env"; variable: string }): { state: string } } };
    process?: { env: Record<string, string | undefined> };
  };
  if (g.Deno && g.Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
    return undefined;
  }
  return g.process?.env[name];
}
