import type { Rng } from './random.js';

const BLOCK = 256;

/**
 * Multiplicative noise with mean 1 and a given coefficient of variation (lognormal: CPU work and
 * wake-ups have a hard floor and a long right tail). Factors are drawn in blocks from the owner's own
 * stream, so the hot path reads an array; a CV of 0 returns exactly 1 without drawing.
 */
export class Jitter {
  private readonly block = new Float64Array(BLOCK);
  private next = BLOCK;
  private readonly mu: number;
  private readonly sigma: number;

  constructor(readonly cv: number, private readonly rng: Rng | null) {
    const s2 = Math.log(1 + cv * cv);
    this.sigma = Math.sqrt(s2);
    this.mu = -s2 / 2;
  }

  factor(): number {
    if (this.sigma === 0) return 1;
    if (this.next === BLOCK) this.refill();
    return this.block[this.next++];
  }

  private refill(): void {
    const rng = this.rng!;
    for (let i = 0; i < BLOCK; i += 2) {
      // Box-Muller gives two independent normals per pair of uniforms.
      const r = Math.sqrt(-2 * Math.log(1 - rng()));
      const t = 2 * Math.PI * rng();
      this.block[i] = Math.exp(this.mu + this.sigma * r * Math.cos(t));
      this.block[i + 1] = Math.exp(this.mu + this.sigma * r * Math.sin(t));
    }
    this.next = 0;
  }
}

/** No noise: the exact constants the analytic tests need. */
export const NO_JITTER = new Jitter(0, null);
