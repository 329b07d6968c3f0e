/**
 * A registry's default labels, added to each series of a family snapshot
 * where the series has no label of the same name.
 * @module
 */

import type { FamilySnapshot, SeriesSnapshot } from "./collector.ts";
import { labelText } from "./exposition/_escape.ts";

/** Default label names and their values as strings, in the order given. @internal */
export interface DefaultLabels {
  readonly names: readonly string[];
  readonly values: readonly string[];
}

const fullText = new WeakMap<DefaultLabels, string>();

/**
 * The family with `defaults` added to every series (after the series' own
 * labels). The series must carry `labels` (collected with `{ labels: true }`).
 * @internal
 */
export function withDefaultLabels(f: FamilySnapshot, defaults: DefaultLabels): FamilySnapshot {
  let all = fullText.get(defaults);
  if (all === undefined) {
    all = labelText(defaults.names, defaults.values);
    fullText.set(defaults, all);
  }
  const series = (f.series as readonly SeriesSnapshot[]).map((s) => {
    const own = s.labels ?? {};
    const labels: Record<string, string> = { ...own };
    let text = all;
    let clash = false;
    for (const n of defaults.names) if (n in own) clash = true;
    if (clash) {
      const names: string[] = [];
      const values: string[] = [];
      defaults.names.forEach((n, i) => {
        if (!(n in own)) {
          names.push(n);
          values.push(defaults.values[i]);
        }
      });
      text = labelText(names, values);
    }
    defaults.names.forEach((n, i) => {
      if (!(n in own)) labels[n] = defaults.values[i];
    });
    const lt = s.labelText === "" ? text : text === "" ? s.labelText : s.labelText + "," + text;
    return { ...s, labelText: lt, labels };
  });
  return { ...f, series } as FamilySnapshot;
}
