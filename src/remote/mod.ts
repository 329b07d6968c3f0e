/**
 * Prometheus remote write (1.0 and 2.0) for Deno, Bun, Node and edge
 * runtimes: a registry, snappy-compressed protobuf, sent with `fetch`.
 *
 * @example
 * ```ts
 * import { Counter, Registry } from "../../mod.ts";
 * import { RemoteWriter } from "./mod.ts";
 * const registry = new Registry();
 * new Counter({ name: "jobs_total", help: "Jobs done.", registry }).inc();
 * const writer = new RemoteWriter("http://127.0.0.1:9/api/v1/write", {
 *   registry,
 *   labels: { job: "etl" },
 *   retry: { retries: 0 },
 * });
 * await writer.write().catch((e) => console.log(e.message));
 * ```
 * @module
 */

export {
  RemoteWriteError,
  RemoteWriter,
  type RemoteWriteRetry,
  type RemoteWriterOptions,
} from "./writer.ts";
export type {
  RemoteBucket,
  RemoteBucketSpan,
  RemoteExemplar,
  RemoteFamily,
  RemoteFamilySeries,
  RemoteMetricType,
  RemoteNativeHistogram,
} from "./family.ts";
