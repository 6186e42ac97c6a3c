import type { Histogram, LabelValues } from 'prom-client';

/**
 * Observes every value of `values` under one label set, as many observe() calls would, in one pass: a 100-contract
 * batch observes each contract's compute time, and prom-client's observe() converts, validates and hashes the label
 * set each time (about 4 % of the event loop's time on such a batch). The first value goes through observe(), which
 * validates the labels and creates the series; the rest update that series' count, sum (in the same order, so to
 * the same bits) and bucket counts directly. Anything unexpected in prom-client's internals falls back to observe();
 * test/observability/observe-all.test.ts holds the two to the same exposition.
 */

interface Series {
  readonly labels?: Readonly<Record<string, unknown>>;
  sum: number;
  count: number;
  readonly bucketValues: Record<string, number>;
}

interface HistogramInternals {
  readonly hashMap?: Record<string, Series | undefined>;
  readonly upperBounds?: readonly number[];
  readonly sortedLabelNames?: readonly string[];
  readonly enableExemplars?: boolean;
}

export function observeAll<T extends string>(
  histogram: Histogram<T>,
  labels: LabelValues<T>,
  values: ArrayLike<number>,
): void {
  const n = values.length;
  if (n === 0) return;
  histogram.observe(labels, values[0]!);
  const internals = histogram as unknown as HistogramInternals;
  const { hashMap, upperBounds, sortedLabelNames } = internals;
  const series =
    hashMap !== undefined && Array.isArray(sortedLabelNames) && internals.enableExemplars !== true
      ? seriesOf(hashMap, sortedLabelNames, labels as Readonly<Record<string, unknown>>)
      : undefined;
  if (
    series === undefined ||
    !Array.isArray(upperBounds) ||
    typeof series.sum !== 'number' ||
    typeof series.count !== 'number' ||
    typeof series.bucketValues !== 'object'
  ) {
    for (let i = 1; i < n; i++) histogram.observe(labels, values[i]!);
    return;
  }
  const buckets = series.bucketValues;
  const keys = keysOf(upperBounds);
  for (let i = 1; i < n; i++) {
    const value = values[i]!;
    // observe() refuses these; leave it to say so.
    if (!Number.isFinite(value)) {
      histogram.observe(labels, value);
      continue;
    }
    series.sum += value;
    series.count += 1;
    for (let b = 0; b < upperBounds.length; b++) {
      if (value <= upperBounds[b]!) {
        const key = keys[b]!;
        if (Object.hasOwn(buckets, key)) buckets[key]! += 1;
        break;
      }
    }
  }
}

const bucketKeys = new WeakMap<readonly number[], readonly string[]>();

/** The bounds as the property names of a series' bucket counts, converted once per histogram, not per value. */
function keysOf(upperBounds: readonly number[]): readonly string[] {
  let keys = bucketKeys.get(upperBounds);
  if (keys === undefined) {
    keys = upperBounds.map(String);
    bucketKeys.set(upperBounds, keys);
  }
  return keys;
}

/** The one series whose label values are `labels`' (a histogram holds a few: one per model). */
function seriesOf(
  hashMap: Record<string, Series | undefined>,
  names: readonly string[],
  labels: Readonly<Record<string, unknown>>,
): Series | undefined {
  let found: Series | undefined;
  for (const key in hashMap) {
    const series = hashMap[key];
    const own = series?.labels;
    if (own === undefined || !names.every((name) => String(own[name]) === String(labels[name]))) continue;
    if (found !== undefined) return undefined;
    found = series;
  }
  return found;
}
