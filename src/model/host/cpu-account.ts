import type { ThreadRole } from './roles.js';

export const enum CpuState {
  Idle = 0,
  Busy = 1,
  Poll = 2,
}

/** Where one thread's time went: running work, busy-polling, or off CPU (blocked, halted). */
export class CpuAccount {
  busyNs = 0;
  pollNs = 0;
  private state = CpuState.Idle;
  private since = 0;

  /** The VM the thread belongs to ('' in the single-VM form). */
  vm = '';

  constructor(readonly name: string, readonly role: ThreadRole) {}

  enter(state: CpuState, now: number): void {
    if (state === this.state) return;
    this.close(now);
    this.state = state;
  }

  /** Starts a new measurement window at `now` (end of warmup). */
  reset(now: number): void {
    this.close(now);
    this.busyNs = 0;
    this.pollNs = 0;
  }

  /** Closes the open interval at `now`, so the totals cover the window up to now. */
  close(now: number): void {
    const dt = now - this.since;
    if (this.state === CpuState.Busy) this.busyNs += dt;
    else if (this.state === CpuState.Poll) this.pollNs += dt;
    this.since = now;
  }
}

/** One thread's use of the CPU over a run's window. */
export interface ThreadUse {
  name: string;
  role: ThreadRole;
  /** The VM it belongs to ('' in the single-VM form). */
  vm: string;
  busyNs: number;
  pollNs: number;
}
