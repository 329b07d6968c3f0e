/**
 * The contracts between metrics, collectors, the registry and the formats:
 * what a custom collector returns ({@link MetricFamily}), what a registry
 * holds ({@link Collectable}) and the typed snapshot of a family that a
 * registry hands to the formats and to anyone reading it
 * ({@link FamilySnapshot}, from `registry.collect()`), and what a wire
 * format implements to write those snapshots ({@link Format}; how is told in
 * `exposition/format.ts`).
 * @module
 */

/** A label value: strings as they are, numbers written as JavaScript writes them. */
export type LabelValue = string | number;

/** The metric types of the exposition formats that this library writes. */
export type MetricType =
  | "counter"
  | "gauge"
  | "histogram"
  | "summary"
  | "info"
  | "untyped";

/**
 * A metric family produced by a custom collector at scrape time.
 *
 * Counter values must be finite and >= 0. For an `info` family each sample's
 * labels are the facts and the value is ignored (always 1).
 */
export interface MetricFamily {
  /** The metric name (a counter's name as its samples should show it, e.g. `x_total`). */
  name: string;
  /** The help text. */
  help: string;
  /** The type. */
  type: "counter" | "gauge" | "untyped" | "info";
  /** The unit (OpenMetrics `# UNIT`); the name must end with it. */
  unit?: string;
  /** The samples: one per label set. */
  samples: readonly { labels?: Readonly<Record<string, LabelValue>>; value: number }[];
}

/** A custom collector: called at every scrape, returns families. */
export type Collector = () =>
  | readonly MetricFamily[]
  | Promise<readonly MetricFamily[]>;

/** A family a collector declares it writes: its name (as in {@link MetricFamily.name}) and type. */
export interface FamilyDescription {
  /** The family name, as the collector returns it. */
  readonly name: string;
  /** Its type. */
  readonly type: MetricFamily["type"];
}

/** Options of {@link Collectable.collect}. */
export interface CollectOptions {
  /**
   * Give every series its raw labels ({@link SeriesSnapshot.labels}). Costs a
   * walk of the label tree and one object per series; the text formats do
   * without.
   */
  labels?: boolean;
  /**
   * `false`: a summary leaves its quantile values out (each series'
   * `quantiles` is empty), saving their cost, for readers that take the
   * sketches instead (aggregation). Default true.
   * @internal
   */
  quantiles?: boolean;
  /**
   * For a page writer that reads a family a slice at a time: the series may
   * be made slice by slice, each just before it is written (see
   * `prepareSlice`), so that a large family's snapshots never all live at
   * once. Ignored with `labels`.
   * @internal
   */
  lazy?: boolean;
  /**
   * `false`: histograms leave their native part out (no `native` on a
   * series), for a reader that does not write it. Default true.
   * @internal
   */
  native?: boolean;
}

/**
 * Where a lazily read family keeps its slice maker: a symbol-keyed property
 * that is not enumerable, so no copy of the family (`{ ...family }`) carries it.
 * (Not a WeakMap: a young family would then survive every minor collection.)
 */
const PREPARE = Symbol("promedge.prepareSlice");

/**
 * @internal Marks `family` as read lazily: its `series` array has its final
 * length, and `prepare(from, to)` fills the slice `[from, to)` in.
 */
export function lazyFamily<F extends FamilySnapshot>(
  family: F,
  prepare: (from: number, to: number) => void,
): F {
  Object.defineProperty(family, PREPARE, { value: prepare });
  return family;
}

/**
 * @internal Makes the series `[from, to)` of `family` ready to read: a page
 * writer calls it before each slice. Nothing to do for a family read whole.
 */
export function prepareSlice(family: FamilySnapshot, from: number, to: number): void {
  (family as { [PREPARE]?: (from: number, to: number) => void })[PREPARE]?.(from, to);
}

/** What a registry needs of anything it holds: every metric type is one. */
export interface Collectable {
  /** The family name as registered. */
  readonly name: string;
  /** Every name this family may write in any format, for collision checks. */
  readonly reservedNames: readonly string[];
  /**
   * Reads the family now (after its collect hook, if any). The series may be
   * the metric's live series, so read the snapshot right away; with
   * `{ labels: true }` each series is a fresh copy carrying its labels.
   */
  collect(options?: CollectOptions): FamilySnapshot | Promise<FamilySnapshot>;
  /**
   * Formats beyond text and OpenMetrics that carry this family in full (a
   * native histogram: protobuf); a handler serving the registry offers them.
   * Read once, by `register()`, which throws a TypeError unless it is an
   * array of Formats. A family whose series carry `native` parts names
   * protobuf here, or a handler serves them only in formats that drop them.
   */
  readonly formats?: readonly Format[];
}

/** An exemplar: a sample of one observation with its trace labels (OpenMetrics, protobuf). */
export interface Exemplar {
  /** The exemplar's labels, e.g. `{ trace_id: "..." }` (at most 128 code points in all). */
  readonly labels: Readonly<Record<string, string>>;
  /** The observed value (a counter exemplar: the increment). */
  readonly value: number;
  /** When it was recorded, in epoch seconds. */
  readonly timestamp?: number;
}

/** A run of native-histogram buckets: `offset` from the previous span's end (the first: the absolute index), `length` buckets. */
export interface BucketSpan {
  /** Gap before the span (the first span: index of its first bucket). */
  readonly offset: number;
  /** Number of consecutive buckets. */
  readonly length: number;
}

/**
 * The native (sparse, exponential) part of a histogram series, in the form
 * the protobuf exposition and remote write carry it: spans and deltas.
 */
export interface NativeHistogramSnapshot {
  /** Resolution: bucket i's upper bound is `2^(i * 2^-schema)`; -4..8. */
  readonly schema: number;
  /** Observations with `|v| <= zeroThreshold` count in the zero bucket. */
  readonly zeroThreshold: number;
  /** The zero bucket's count. */
  readonly zeroCount: number;
  /** Spans of populated positive buckets. */
  readonly positiveSpans: readonly BucketSpan[];
  /** Each positive bucket's count minus the previous bucket's (the first: its count), across spans. */
  readonly positiveDeltas: readonly number[];
  /** Spans of populated negative buckets (by absolute value). */
  readonly negativeSpans: readonly BucketSpan[];
  /** Deltas of the negative buckets, as for the positive ones. */
  readonly negativeDeltas: readonly number[];
  /** Exemplars of native observations (protobuf `exemplars`). */
  readonly exemplars?: readonly Exemplar[];
}

/** What every series snapshot has: its labels. */
export interface SeriesSnapshot {
  /**
   * The labels escaped for the text formats, without braces:
   * `method="GET",code="200"` (`""` without labels). Kept per series by
   * the metric, so the text formats write it as it is.
   */
  readonly labelText: string;
  /**
   * The labels as given (numbers as strings), in label-name order. Present
   * when collected with `{ labels: true }`: always from `registry.collect()`
   * and for the protobuf format.
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A counter, gauge or untyped series. */
export interface ValueSeriesSnapshot extends SeriesSnapshot {
  /** The value. */
  readonly value: number;
  /** A counter's creation (or last reset) time in epoch seconds; 0 or absent when unknown. */
  readonly created?: number;
  /** A counter's exemplar, if one was recorded. */
  readonly exemplar?: Exemplar;
}

/** A histogram series. */
export interface HistogramSeriesSnapshot extends SeriesSnapshot {
  /**
   * Observations per classic bucket, NOT cumulative, in the family's
   * `buckets` order, one more at the end for `+Inf`.
   */
  readonly counts: ArrayLike<number>;
  /** Sum of the observations. */
  readonly sum: number;
  /** Number of observations. */
  readonly count: number;
  /** Creation (or last reset) time in epoch seconds. */
  readonly created?: number;
  /** One exemplar per classic bucket (same indexes as `counts`), where recorded. */
  readonly exemplars?: readonly (Exemplar | undefined)[];
  /** The native histogram, for a histogram that keeps one. */
  readonly native?: NativeHistogramSnapshot;
}

/** A summary series. */
export interface SummarySeriesSnapshot extends SeriesSnapshot {
  /** The quantile values in the family's `quantiles` order (NaN where there is no data). */
  readonly quantiles: ArrayLike<number>;
  /** Sum of the observations. */
  readonly sum: number;
  /** Number of observations. */
  readonly count: number;
  /** Creation (or last reset) time in epoch seconds. */
  readonly created?: number;
}

/** What every family snapshot has. */
export interface FamilyBase {
  /** The family name as registered (a counter's name as given, e.g. `x_total`). */
  readonly name: string;
  /** The help text, unescaped. */
  readonly help: string;
  /** The unit, if any (the name ends with `_<unit>`). */
  readonly unit?: string;
}

/** A counter family. */
export interface CounterFamilySnapshot extends FamilyBase {
  /** `"counter"` */
  readonly type: "counter";
  /** Its series. */
  readonly series: readonly ValueSeriesSnapshot[];
}

/** A gauge or untyped family. */
export interface GaugeFamilySnapshot extends FamilyBase {
  /** `"gauge"` or `"untyped"` */
  readonly type: "gauge" | "untyped";
  /** Its series. */
  readonly series: readonly ValueSeriesSnapshot[];
}

/** An info family: each series is a label set whose value is 1. */
export interface InfoFamilySnapshot extends FamilyBase {
  /** `"info"` */
  readonly type: "info";
  /** Its series. */
  readonly series: readonly SeriesSnapshot[];
}

/** A histogram family. */
export interface HistogramFamilySnapshot extends FamilyBase {
  /** `"histogram"` */
  readonly type: "histogram";
  /** The classic bucket upper bounds, rising, without `+Inf`. */
  readonly buckets: readonly number[];
  /** Its series. */
  readonly series: readonly HistogramSeriesSnapshot[];
}

/** A summary family. */
export interface SummaryFamilySnapshot extends FamilyBase {
  /** `"summary"` */
  readonly type: "summary";
  /** The quantiles reported, rising, each in (0, 1). */
  readonly quantiles: readonly number[];
  /** Its series. */
  readonly series: readonly SummarySeriesSnapshot[];
}

/**
 * One family as read at a scrape: what the formats write and what
 * `registry.collect()` returns. Discriminated by `type`.
 */
export type FamilySnapshot =
  | CounterFamilySnapshot
  | GaugeFamilySnapshot
  | InfoFamilySnapshot
  | HistogramFamilySnapshot
  | SummaryFamilySnapshot;

/** Options of one page, chosen by the caller (the handler, `registry.metrics()`). */
export interface PageOptions {
  /**
   * Write OpenMetrics `_created` samples (default false). Prometheus 2.x keeps
   * each as a series of its own; protobuf carries the time for free in
   * `created_timestamp` whatever this says.
   */
  createdTimestamps?: boolean;
}

/**
 * Writes one page. Each method gets a family and the slice `[from, to)` of
 * its series to write: `from === 0` is the family's first slice (write its
 * header there), `to === series.length` its last. A method returns text or
 * bytes for the page, or `""` to hold its output back until a later call
 * (protobuf writes a family only once it has all of it).
 */
export interface FormatWriter {
  /** A counter family. */
  counter(family: CounterFamilySnapshot, from: number, to: number): string | Uint8Array;
  /** A gauge or untyped family. */
  gauge(family: GaugeFamilySnapshot, from: number, to: number): string | Uint8Array;
  /** A histogram family. */
  histogram(family: HistogramFamilySnapshot, from: number, to: number): string | Uint8Array;
  /** A summary family. */
  summary(family: SummaryFamilySnapshot, from: number, to: number): string | Uint8Array;
  /** An info family. */
  info(family: InfoFamilySnapshot, from: number, to: number): string | Uint8Array;
  /** The end of the page (`# EOF\n` in OpenMetrics, nothing elsewhere). */
  end(): string | Uint8Array;
}

/** A wire format: its Content-Type, which Accept clauses it answers, and its writer. */
export interface Format {
  /** A short name: `"text"`, `"openmetrics"`, `"protobuf"`. */
  readonly name: string;
  /** The Content-Type of its pages. */
  readonly contentType: string;
  /** Whether its writer reads raw labels (`SeriesSnapshot.labels`) rather than `labelText`. */
  readonly needsLabels: boolean;
  /**
   * `false`: its writer never reads a histogram series' `native` part, so a
   * page in it skips building them (text and OpenMetrics). Default true.
   */
  readonly nativeHistograms?: boolean;
  /** Whether it serves an Accept clause: the media type (lower case) and its parameters. */
  accepts(mediaType: string, params: Readonly<Record<string, string>>): boolean;
  /** A writer for one page. */
  writer(options?: PageOptions): FormatWriter;
}
