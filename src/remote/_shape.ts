/**
 * Label shapes: the label names of a series, checked and sorted once and then
 * reused for every series of the family that has the same names (all series
 * of a metric share them). A shape holds one template per sample name
 * (`x`, `x_bucket{le}`, `x_sum`...): the sorted, flattened labels with the
 * writer's labels and `__name__` in place and slots for the series' values,
 * and the identity of its label set apart from those values.
 * @module
 */

/** Flattened labels of one sample name, sorted by name, with slots for the values. */
export interface Template {
  /** name, value, name, value... sorted by name; value slots hold "". */
  readonly labels: readonly string[];
  /** Where the series' j-th value goes in `labels`. */
  readonly slots: readonly number[];
  /** Where the `le` / `quantile` value goes; -1 when there is none. */
  readonly rslot: number;
  /**
   * The label set without its variable values, the same for every template
   * with the same sorted names and constants (whatever order the labels
   * object gave): where the series of these labels are kept.
   */
  readonly signature: string;
  /** The value index of each variable value in label order; -1 for `le` / `quantile`. */
  readonly vars: readonly number[];
  /** Where each variable value is in `labels`, in the same order. */
  readonly positions: readonly number[];
  /** The series of this label set, by their variable values in label order (a tree). */
  readonly root: Map<string, unknown>;
  /**
   * The labels in RW 1.0 bytes, made by its encoder when first needed: runs of
   * constant `Label` messages (`value` -1), and for each variable label the
   * bytes before its value (`value`: where the value is in `labels`).
   */
  v1?: { readonly parts: readonly Uint8Array[]; readonly value: readonly number[] };
}

/** The label names of a series (in the order its labels object gives them). */
export interface Shape {
  /** The names, as the labels object lists them (values are never empty here). */
  readonly names: readonly string[];
  /** A name the writer's labels set too; "" when none. */
  readonly clash: string;
  /** Whether a name is the family's `le` or `quantile`. */
  readonly reservedClash: boolean;
  /** Templates by sample kind (see {@link KIND}), made when first needed. */
  readonly templates: (Template | undefined)[];
}

/** The sample kinds of a family: the name, `_bucket{le}`, `_sum`, `_count`, `{quantile}`. */
export const KIND = { plain: 0, bucket: 1, sum: 2, count: 3, quantile: 4 } as const;

/** Makes the shape of `names` (already checked as label names). */
export function makeShape(
  names: readonly string[],
  extra: readonly (readonly [string, string])[],
  reserved: string,
): Shape {
  let clash = "";
  for (const p of extra) if (names.includes(p[0])) clash ||= p[0];
  return {
    names: names.slice(),
    clash,
    reservedClash: reserved !== "" && names.includes(reserved),
    templates: [],
  };
}

/** Whether `shape` has exactly the first `n` of `names`, in that order. */
export function sameNames(shape: Shape, names: readonly string[], n: number): boolean {
  const own = shape.names;
  if (own.length !== n) return false;
  for (let i = 0; i < n; i++) if (own[i] !== names[i]) return false;
  return true;
}

/**
 * The template of `shape` for samples named `sample`, with the reserved label
 * (`le`, `quantile`) when `reserved` is not "".
 */
export function makeTemplate(
  shape: Shape,
  extra: readonly (readonly [string, string])[],
  sample: string,
  reserved: string,
  rootOf: (signature: string) => Map<string, unknown>,
): Template {
  // [name, constant value or undefined, value index (-1: the reserved label)]
  const pairs: [string, string | undefined, number][] = shape.names.map((
    n,
    j,
  ) => [n, undefined, j]);
  for (const p of extra) pairs.push([p[0], p[1], 0]);
  pairs.push(["__name__", sample, 0]);
  if (reserved !== "") pairs.push([reserved, undefined, -1]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const labels: string[] = [];
  const slots: number[] = new Array(shape.names.length);
  let rslot = -1;
  const vars: number[] = [];
  const positions: number[] = [];
  for (const [name, value, j] of pairs) {
    labels.push(name, value ?? "");
    if (value !== undefined) continue;
    if (j < 0) rslot = labels.length - 1;
    else slots[j] = labels.length - 1;
    vars.push(j);
    positions.push(labels.length - 1);
  }
  // Constants as they are, variables as null: unambiguous, whatever the strings hold.
  const signature = JSON.stringify(labels.map((l, i) => positions.includes(i) ? null : l));
  return { labels, slots, rslot, signature, vars, positions, root: rootOf(signature) };
}

/** The flattened labels of a series: the template with its values in place. */
export function fill(t: Template, values: readonly string[], reserved: string): string[] {
  const out = t.labels.slice();
  const slots = t.slots;
  for (let j = 0; j < slots.length; j++) out[slots[j]] = values[j];
  if (t.rslot >= 0) out[t.rslot] = reserved;
  return out;
}
