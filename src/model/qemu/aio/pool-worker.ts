import type { Simulation } from '../../../engine/simulation.js';
import { CpuAccount, CpuState } from '../../host/cpu-account.js';
import { HostThread } from '../../host/host-cpu.js';
import { Ev } from '../../events.js';

/** The pool a worker belongs to: its AioContext, and what it does when the worker runs. */
export interface WorkerPool {
  readonly ctx: number;
  onWorkerRunning(w: PoolWorker): void;
  onWorkerStepDone(w: PoolWorker): void;
}

/** A thread-pool worker: does one blocking preadv/pwritev at a time. */
export class PoolWorker extends HostThread {
  state = 0;
  req = -1;

  constructor(readonly index: number, readonly pool: WorkerPool, name: string, sim: Simulation) {
    super(new CpuAccount(name, 'aio-worker'), sim, Ev.WorkerStepDone, index);
  }

  run(state: number, cost: number): void {
    this.state = state;
    this.runSegment(cost);
  }

  /** Woken (with a request, or by its I/O's completion): runs once it has a core. */
  woken(): void {
    if (this.wantCore()) this.resume();
  }

  protected resume(): void {
    this.pool.onWorkerRunning(this);
  }

  /** Blocked in its syscall, or idle on the pool's semaphore: off CPU. */
  off(state: number): void {
    this.state = state;
    this.acct.enter(CpuState.Idle, this.sim.now);
    this.dropCore();
  }
}
