/**
 * One set of numbers across isolates, worker threads and processes.
 *
 * Each worker keeps its own registry and an {@link AggregationSource} sends
 * its cumulative state (with a source id and a sequence number) to an
 * {@link Aggregator}, which merges the latest state of every source and
 * serves the result through an ordinary registry. Transports: a Durable
 * Object ({@link aggregatorObject}), a `MessagePort` / `Worker`
 * ({@link portSender}, {@link listenPort}), Node `cluster` IPC
 * ({@link clusterSender}, {@link listenCluster}) and HTTP POST
 * ({@link httpSender}, {@link createAggregatorHandler}).
 *
 * @example
 * ```ts
 * import { Counter, Registry } from "../../mod.ts";
 * import { AggregationSource, Aggregator } from "./mod.ts";
 * const aggregator = new Aggregator();
 * const registry = new Registry();
 * new Counter({ name: "jobs_total", help: "Jobs.", registry }).inc(3);
 * const source = new AggregationSource({ registry, send: (b) => void aggregator.ingest(b) });
 * await source.flush();
 * console.log(await aggregator.registry.metrics()); // jobs_total 3 ...
 * ```
 * @module
 */

export {
  Aggregator,
  type AggregatorOptions,
  type AggregatorStore,
  type IngestResult,
} from "./aggregator.ts";
export { AggregationSource, type AggregationSourceOptions } from "./source.ts";
export { STATE_VERSION, StateError } from "./_codec.ts";
export type { GaugeMode } from "./_merge.ts";
export {
  isStateMessage,
  listenPort,
  type ListenTarget,
  portSender,
  type PostTarget,
  type StateMessage,
} from "./port.ts";
export { type ClusterLike, clusterSender, type IpcProcess, listenCluster } from "./cluster.ts";
export {
  type AggregatorHandlerOptions,
  createAggregatorHandler,
  createIngestHandler,
  httpSender,
  type HttpSenderOptions,
  type IngestHandlerOptions,
  STATE_CONTENT_TYPE,
} from "./http.ts";
export {
  type AggregatorObject,
  aggregatorObject,
  type AggregatorObjectClass,
  type AggregatorObjectOptions,
  type DurableObjectStateLike,
} from "./durable_object.ts";
