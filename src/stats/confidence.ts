import { deviation, mean } from 'd3-array';

/** Two-sided 95 % Student t quantiles t(0.975, df) for df = 1..30. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
  2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
  2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** Beyond 30: the usual table rows, linear in between, 1.96 past 120. */
const T975_TAIL: [number, number][] = [[30, 2.042], [40, 2.021], [60, 2.0], [120, 1.98]];

export function t975(df: number): number {
  if (df <= 30) return T975[df - 1];
  for (let i = 1; i < T975_TAIL.length; i++) {
    const [d1, t1] = T975_TAIL[i], [d0, t0] = T975_TAIL[i - 1];
    if (df <= d1) return t0 + ((df - d0) / (d1 - d0)) * (t1 - t0);
  }
  return 1.96;
}

/** Mean and the half-width of its 95 % confidence interval (t-based); NaN half-width below 2 samples. */
export function meanCi95(xs: number[]): { mean: number; ci95: number } {
  const m = mean(xs) ?? NaN;
  if (xs.length < 2) return { mean: m, ci95: NaN };
  return { mean: m, ci95: (t975(xs.length - 1) * (deviation(xs) ?? 0)) / Math.sqrt(xs.length) };
}
