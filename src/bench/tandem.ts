import { Distribution } from '../engine/distribution.js';
import { IntFifo } from '../engine/int-fifo.js';
import { stream, type Rng } from '../engine/random.js';
import { Simulation, type Dispatcher } from '../engine/simulation.js';

const IO_DONE = 0, DEV_DONE = 1;

/**
 * The closed tandem network of the speed reference (src/bench/reference/tandem-reference.mjs, from shared/reference), built from
 * vqsim's engine primitives: N requests; a FIFO server (exponential, mean 2 us) then an infinite
 * server (exponential, mean 80 us). Units: us, as in the reference.
 */
export class Tandem implements Dispatcher {
  readonly sim = new Simulation();
  private readonly fifo: IntFifo;
  private readonly fast = new Distribution({ dist: 'exponential', mean: 2 });
  private readonly slow = new Distribution({ dist: 'exponential', mean: 80 });
  private readonly rng: Rng = stream(12345, 'tandem', 0, 'bench');
  private busy = false;
  done = 0;

  constructor(readonly requests = 64) {
    this.fifo = new IntFifo(requests);
    for (let r = 0; r < requests; r++) this.arrive(r);
  }

  private arrive(r: number): void {
    if (this.busy) this.fifo.push(r);
    else {
      this.busy = true;
      this.sim.after(this.fast.sample(this.rng), IO_DONE, r, 0);
    }
  }

  dispatch(kind: number, r: number): void {
    if (kind === IO_DONE) {
      this.sim.after(this.slow.sample(this.rng), DEV_DONE, r, 0);
      if (this.fifo.size > 0) this.sim.after(this.fast.sample(this.rng), IO_DONE, this.fifo.shift(), 0);
      else this.busy = false;
    } else {
      this.done++;
      this.arrive(r);
    }
  }

  /** Runs until at least `target` requests have completed, in slices of simulated time. */
  runCompletions(target: number): void {
    while (this.done < target) this.sim.runUntil(this.sim.now + 10_000, this);
  }
}
