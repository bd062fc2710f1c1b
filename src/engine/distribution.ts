import type { Rng } from './random.js';

/** A distribution as written in a scenario; values are in ns. */
export type DistSpec =
  | { dist: 'constant'; value: number }
  | { dist: 'exponential'; mean: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'lognormal'; mean: number; p99: number }
  | { dist: 'empirical'; quantiles: [number, number][] };

/** The same shape with every draw k times as long. */
export function scaledSpec(spec: DistSpec, k: number): DistSpec {
  switch (spec.dist) {
    case 'constant': return { dist: 'constant', value: spec.value * k };
    case 'exponential': return { dist: 'exponential', mean: spec.mean * k };
    case 'uniform': return { dist: 'uniform', min: spec.min * k, max: spec.max * k };
    case 'lognormal': return { dist: 'lognormal', mean: spec.mean * k, p99: spec.p99 * k };
    case 'empirical': return { dist: 'empirical', quantiles: spec.quantiles.map(([q, v]) => [q, v * k]) };
  }
}

const CONSTANT = 0, EXPONENTIAL = 1, UNIFORM = 2, LOGNORMAL = 3, EMPIRICAL = 4;
/** z such that P(N(0,1) <= z) = 0.99. */
const Z99 = 2.3263478740408408;

/**
 * Samples a DistSpec. One class with a switch, not one class per kind, so that the call sites in the
 * model's hot path stay monomorphic.
 */
export class Distribution {
  readonly mean: number;
  private readonly kind: number;
  private readonly a: number;
  private readonly b: number;
  private readonly probs: Float64Array;
  private readonly values: Float64Array;

  constructor(spec: DistSpec) {
    this.probs = new Float64Array(0);
    this.values = new Float64Array(0);
    switch (spec.dist) {
      case 'constant':
        this.kind = CONSTANT; this.a = spec.value; this.b = 0; this.mean = spec.value;
        break;
      case 'exponential':
        this.kind = EXPONENTIAL; this.a = spec.mean; this.b = 0; this.mean = spec.mean;
        break;
      case 'uniform':
        this.kind = UNIFORM; this.a = spec.min; this.b = spec.max - spec.min; this.mean = (spec.min + spec.max) / 2;
        break;
      case 'lognormal': {
        // mean = exp(mu + s^2/2) and p99 = exp(mu + Z99 s): s solves s^2/2 - Z99 s + ln(p99/mean) = 0.
        const gap = Math.log(spec.p99 / spec.mean);
        const disc = Z99 * Z99 - 2 * gap;
        if (!(spec.mean > 0) || !(gap > 0) || disc < 0) {
          throw new RangeError(`lognormal needs 0 < mean < p99 <= ${Math.exp((Z99 * Z99) / 2).toFixed(2)} x mean`);
        }
        const sigma = Z99 - Math.sqrt(disc);
        this.kind = LOGNORMAL; this.a = Math.log(spec.mean) - (sigma * sigma) / 2; this.b = sigma; this.mean = spec.mean;
        break;
      }
      case 'empirical': {
        const q = spec.quantiles;
        this.kind = EMPIRICAL; this.a = 0; this.b = 0;
        this.probs = Float64Array.from(q, (r) => r[0]);
        this.values = Float64Array.from(q, (r) => r[1]);
        let mean = 0;
        for (let i = 1; i < q.length; i++) mean += (q[i][0] - q[i - 1][0]) * (q[i][1] + q[i - 1][1]) / 2;
        this.mean = mean;
        break;
      }
    }
  }

  sample(rng: Rng): number {
    switch (this.kind) {
      case CONSTANT: return this.a;
      case EXPONENTIAL: return -this.a * Math.log(1 - rng());
      case UNIFORM: return this.a + this.b * rng();
      case LOGNORMAL: return Math.exp(this.a + this.b * standardNormal(rng));
      default: return this.inverseCdf(rng());
    }
  }

  /** Linear interpolation between the table's (probability, value) points. */
  private inverseCdf(u: number): number {
    const p = this.probs, v = this.values;
    let lo = 0, hi = p.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (p[mid] <= u) lo = mid; else hi = mid;
    }
    const span = p[hi] - p[lo];
    return span > 0 ? v[lo] + ((u - p[lo]) / span) * (v[hi] - v[lo]) : v[lo];
  }
}

/** Box-Muller; one uniform pair per draw keeps each stream's use independent of call history. */
function standardNormal(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
