/**
 * Count, mean and sum of squared deviations (M2) of a sample: enough to merge samples exactly as if they
 * had been pooled, and the form in which Monte Carlo blocks report their statistics.
 */
export interface SampleMoments {
  readonly count: number;
  readonly mean: number;
  /** Sum of squared deviations from the mean, sum (x_i - mean)^2; never negative. */
  readonly m2: number;
}

/**
 * Moments of values[0 .. count - 1] by the two-pass algorithm (the mean first, then the squared deviations),
 * the most accurate of the textbook methods and immune to the cancellation of sum(x^2) - n mean^2.
 */
export function sampleMoments(values: Float64Array, count: number = values.length): SampleMoments {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += values[i]!;
  const mean = count > 0 ? sum / count : 0;
  let m2 = 0;
  for (let i = 0; i < count; i++) {
    const deviation = values[i]! - mean;
    m2 += deviation * deviation;
  }
  return { count, mean, m2 };
}

/**
 * The moments of the union of two samples (Chan, Golub and LeVeque, "Algorithms for computing the sample
 * variance", 1983). Not associative in floating point, so callers that need reproducible results merge in
 * a fixed order.
 */
export function combineMoments(a: SampleMoments, b: SampleMoments): SampleMoments {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  const weightB = b.count / count;
  return {
    count,
    mean: a.mean + delta * weightB,
    m2: a.m2 + b.m2 + delta * delta * a.count * weightB,
  };
}

/** The unbiased sample variance M2 / (n - 1); 0 for fewer than two values. */
export function sampleVariance(moments: SampleMoments): number {
  return moments.count > 1 ? moments.m2 / (moments.count - 1) : 0;
}

/** The standard error of the mean, sqrt(variance / n); 0 for fewer than two values. */
export function standardErrorOfMean(moments: SampleMoments): number {
  return moments.count > 1 ? Math.sqrt(sampleVariance(moments) / moments.count) : 0;
}
