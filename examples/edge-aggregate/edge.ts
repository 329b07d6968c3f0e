/**
 * An edge Worker: answers 200 to any GET, counts it in
 * `edge_requests_total{route}` and observes `edge_request_duration_seconds`
 * in its own registry, then sends its cumulative state to the aggregator
 * (service binding AGG) in `ctx.waitUntil`, after the response.
 */
import { Counter, Histogram, Registry } from "../../mod.ts";
import { AggregationSource, httpSender } from "../../src/aggregate/mod.ts";

interface Env {
  AGG: { fetch(input: string, init: RequestInit): Promise<Response> };
}

const registry = new Registry();
const requests = new Counter({
  name: "edge_requests_total",
  help: "Requests answered, by path.",
  labelNames: ["route"],
  registry,
});
const duration = new Histogram({
  name: "edge_request_duration_seconds",
  help: "Time to answer a request.",
  registry,
});
// Made in the first request: workerd allows no random ids at global scope.
let source: AggregationSource | undefined;

export default {
  fetch(req: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Response {
    const started = performance.now();
    const res = new Response("ok\n");
    requests.inc({ route: new URL(req.url).pathname });
    duration.observe((performance.now() - started) / 1000);
    source ??= new AggregationSource({
      registry,
      send: httpSender("http://aggregator/ingest", { fetch: (u, init) => env.AGG.fetch(u, init) }),
    });
    ctx.waitUntil(source.flush());
    return res;
  },
};
