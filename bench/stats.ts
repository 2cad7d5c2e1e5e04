/** The spread of repeated measurements of one figure. */
export interface Summary {
  /** The median: what the tables and targets use. */
  median: number;
  min: number;
  max: number;
  /** How many measurements. */
  n: number;
  /** Every measurement, in the order taken. */
  samples: number[];
}

/**
 * The value below which a fraction `q` of the sorted values lie (nearest rank).
 *
 * @param sorted - values in ascending order, at least one
 * @param q - from 0 to 1
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/**
 * Median, minimum and maximum of repeated measurements.
 *
 * @param samples - the measurements
 */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0
      ? Number.NaN
      : sorted.length % 2 === 1
        ? (sorted[middle] ?? Number.NaN)
        : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return {
    median,
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    n: sorted.length,
    samples: [...samples],
  };
}

/** Latency percentiles, in milliseconds. */
export interface Latency {
  p50: number;
  p99: number;
  max: number;
  /** How many operations were timed. */
  n: number;
}

/**
 * The p50, p99 and maximum of operation durations.
 *
 * @param durations - one duration per operation, in milliseconds
 */
export function latency(durations: readonly number[]): Latency {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
    n: sorted.length,
  };
}

/**
 * The ratio `a / b` of two series measured side by side, paired by repetition (the two runs of a
 * pair were next to each other in time, so drift cancels out).
 *
 * @param a - the numerator's series
 * @param b - the denominator's series, same length
 */
export function pairedRatio(a: Summary, b: Summary): Summary {
  return summarize(a.samples.map((value, i) => value / (b.samples[i] ?? Number.NaN)));
}
