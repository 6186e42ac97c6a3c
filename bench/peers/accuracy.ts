/**
 * How far a candidate's numbers are from the reference, so that a fast but wrong candidate shows as such.
 */

/** Below this magnitude (in the quantity's raw units) an error is measured in absolute terms. */
export const RELATIVE_FLOOR = 1e-6;

export interface Accuracy {
  /** Contracts compared. */
  readonly compared: number;
  /** Compared contracts for which the candidate gave no finite number (an exception, NaN or Infinity). */
  readonly failures: number;
  /** Largest error over the compared contracts that did get a number. */
  readonly maxError: number;
  /** Index of the contract with the largest error (-1 if none). */
  readonly worst: number;
}

export type ErrorMeasure = (value: number, reference: number) => number;

/** |x - ref| / max(|ref|, RELATIVE_FLOOR): relative error, absolute below the floor. */
export const relativeError: ErrorMeasure = (value, reference) =>
  Math.abs(value - reference) / Math.max(Math.abs(reference), RELATIVE_FLOOR);

export const absoluteError: ErrorMeasure = (value, reference) => Math.abs(value - reference);

/**
 * Compares values[i] with reference[i] for every i < count that `include` accepts (all by default); several
 * arrays of one contract (a price and its greeks) are compared pairwise and the contract's error is the largest.
 */
export function compare(
  values: readonly Float64Array[],
  references: readonly Float64Array[],
  count: number,
  measure: ErrorMeasure,
  include: (i: number) => boolean = () => true,
): Accuracy {
  let compared = 0,
    failures = 0,
    maxError = 0,
    worst = -1;
  for (let i = 0; i < count; i++) {
    if (!include(i)) continue;
    compared++;
    let error = 0;
    let failed = false;
    for (let k = 0; k < values.length; k++) {
      const x = values[k]![i]!;
      if (!Number.isFinite(x)) {
        failed = true;
        break;
      }
      error = Math.max(error, measure(x, references[k]![i]!));
    }
    if (failed) {
      failures++;
    } else if (error > maxError || worst < 0) {
      maxError = Math.max(maxError, error);
      worst = i;
    }
  }
  return { compared, failures, maxError, worst };
}
