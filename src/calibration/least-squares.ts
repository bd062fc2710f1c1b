/**
 * Solves the small symmetric positive-definite system A x = b (a few dozen unknowns at most) by
 * Gaussian elimination with partial pivoting.
 */
export function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const m = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    if (m[c][c] === 0) throw new Error('singular system');
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

/**
 * One regularized (MAP) least-squares step in log space: minimizes
 *   sum_i w_i (r_i + J_i d)^2 + sum_j ((theta_j + d_j - prior_j) / s_j)^2
 * over d, with theta + d kept in [lo, hi] (a bound that is hit fixes that unknown and the rest are
 * solved again). `use[i]` false leaves row i out (leave-one-out).
 */
export function mapStep(
  J: number[][], r: number[], w: number[], use: boolean[],
  theta: number[], prior: number[], s: number[], lo: number[], hi: number[],
): number[] {
  const n = theta.length;
  const fixed = new Array<boolean>(n).fill(false);
  let d = new Array<number>(n).fill(0);
  for (let pass = 0; pass <= n; pass++) {
    const free = [...Array(n).keys()].filter((j) => !fixed[j]);
    const A = free.map(() => new Array<number>(free.length).fill(0));
    const b = new Array<number>(free.length).fill(0);
    free.forEach((j, a) => {
      A[a][a] += 1 / (s[j] * s[j]);
      b[a] -= (theta[j] - prior[j]) / (s[j] * s[j]);
    });
    for (let i = 0; i < r.length; i++) {
      if (!use[i]) continue;
      let ri = r[i];
      for (let j = 0; j < n; j++) if (fixed[j]) ri += J[i][j] * d[j];
      free.forEach((j, a) => {
        b[a] -= w[i] * J[i][j] * ri;
        free.forEach((k, c) => { A[a][c] += w[i] * J[i][j] * J[i][k]; });
      });
    }
    const x = free.length > 0 ? solve(A, b) : [];
    const next = [...d];
    free.forEach((j, a) => { next[j] = x[a]; });
    let clamped = false;
    for (const j of free) {
      const v = theta[j] + next[j];
      if (v < lo[j] || v > hi[j]) {
        next[j] = Math.min(hi[j], Math.max(lo[j], v)) - theta[j];
        fixed[j] = true;
        clamped = true;
      }
    }
    d = next;
    if (!clamped) break;
  }
  return d;
}
