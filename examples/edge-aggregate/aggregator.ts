/**
 * The aggregator Worker: every request goes to one Durable Object, which
 * takes POSTed states and serves the merged page (GET /metrics).
 */
import { aggregatorObject } from "../../src/aggregate/mod.ts";

interface Env {
  TOTALS: {
    idFromName(name: string): unknown;
    get(id: unknown): { fetch(req: Request): Promise<Response> };
  };
}

/** The Durable Object class (namespace className "Totals"). */
export const Totals = aggregatorObject({ retireAfterMs: 60_000 });

export default {
  fetch(req: Request, env: Env): Promise<Response> {
    return env.TOTALS.get(env.TOTALS.idFromName("totals")).fetch(req);
  },
};
