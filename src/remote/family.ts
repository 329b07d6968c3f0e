/**
 * What a remote write sends, before it is expanded into series: one entry per
 * metric family, one per label set inside it. The registry adapter
 * (`_source.ts`) produces these; a custom `source` of a
 * {@link RemoteWriter} may too.
 * @module
 */

/** The metric types remote write knows (its metadata enum). */
export type RemoteMetricType =
  | "counter"
  | "gauge"
  | "untyped"
  | "info"
  | "stateset"
  | "histogram"
  | "gaugehistogram"
  | "summary";

/** An exemplar: a labelled example observation, e.g. `{ trace_id }`. */
export interface RemoteExemplar {
  /** The exemplar's labels (empty values are dropped). */
  labels: Readonly<Record<string, string>>;
  /** The observed value. */
  value: number;
  /** When it was observed, in milliseconds since the epoch (default: the write's timestamp). */
  timestamp?: number;
}

/** A span of consecutive native-histogram buckets. */
export interface RemoteBucketSpan {
  /** The first span: the index of its first bucket; later spans: the gap after the previous one. */
  offset: number;
  /** How many buckets the span holds. */
  length: number;
}

/** A native (sparse, exponential) histogram with integer counts. */
export interface RemoteNativeHistogram {
  /** The bucket schema, -4 to 8. */
  schema: number;
  /** The zero bucket's half-width (`|v| <= zeroThreshold`). */
  zeroThreshold: number;
  /** Observations in the zero bucket. */
  zeroCount: number;
  /** Observations in total. */
  count: number;
  /** The sum of observations. */
  sum: number;
  /** Spans of the positive buckets. */
  positiveSpans: readonly RemoteBucketSpan[];
  /** Each positive bucket's count minus the previous bucket's (the first: minus 0). */
  positiveDeltas: readonly number[];
  /** Spans of the negative buckets. */
  negativeSpans?: readonly RemoteBucketSpan[];
  /** Each negative bucket's count minus the previous bucket's. */
  negativeDeltas?: readonly number[];
}

/** A classic histogram bucket: cumulative count of observations `<= le`. */
export interface RemoteBucket {
  /** The upper bound (`Infinity` for the last; it may be left out, then `count` is used). */
  le: number;
  /** Observations up to and including `le` (cumulative). */
  count: number;
  /** An exemplar of this bucket. */
  exemplar?: RemoteExemplar;
}

/** One label set of a family, with its value(s). */
export interface RemoteFamilySeries {
  /** The series' labels, without `__name__`. An empty value means "no such label". */
  labels: Readonly<Record<string, string>>;
  /** The value of a counter, gauge, untyped, info (1) or stateset series. */
  value?: number;
  /** An exemplar of a counter. */
  exemplar?: RemoteExemplar;
  /** Classic histogram buckets, rising `le`: sent as `_bucket{le}` series. */
  buckets?: readonly RemoteBucket[];
  /** Summary quantiles: sent as `name{quantile}` series. */
  quantiles?: readonly { quantile: number; value: number }[];
  /** Histogram / summary observation count: sent as `_count` (`_gcount` for a gaugehistogram). */
  count?: number;
  /** Histogram / summary observation sum: sent as `_sum` (`_gsum`). */
  sum?: number;
  /** A native histogram: sent as one series named after the family, with a histogram sample. */
  native?: RemoteNativeHistogram;
  /** Exemplars of a native histogram. */
  exemplars?: readonly RemoteExemplar[];
  /** When the series started counting, in milliseconds since the epoch (sent by 2.0 only). */
  created?: number;
}

/** One metric family to write. */
export interface RemoteFamily {
  /**
   * The name the samples carry: a counter's full name (`jobs_total`), the
   * base name of a histogram or summary (`_bucket`, `_sum`, `_count` are added).
   */
  name: string;
  /** The metric type (sent as metadata). */
  type: RemoteMetricType;
  /** The help text. */
  help: string;
  /** The unit, e.g. `seconds` (sent as metadata). */
  unit?: string;
  /** The label sets. */
  series: readonly RemoteFamilySeries[];
}
