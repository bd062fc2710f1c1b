import { IntFifo } from '../../engine/int-fifo.js';
import { NO_JITTER, type Jitter } from '../../engine/jitter.js';
import type { Simulation } from '../../engine/simulation.js';
import { CpuAccount, CpuState } from './cpu-account.js';
import { Ev } from '../events.js';

/** How the VMs' threads get host cores (MODEL.md section 8). Times in ns. */
export interface HostParams {
  /** Cores the VMs' threads share; 0 = a core for every thread (no contention). */
  cores: number;
  /** A thread that has run this long yields its core at its next step to a thread waiting for it
   *  (CFS: sched_min_granularity / a tick). */
  sliceNs: number;
  /** A core idle at least this long sits in a deep C-state and needs cstateExitNs to run again. */
  cstateResidencyNs: number;
  cstateExitNs: number;
}

/**
 * A thread the host schedules: vCPU, iothread, main loop, pool worker. Its CPU segments start through
 * runSegment, which charges the cost (scaled for NUMA), takes the CPU account to busy, and, when the
 * thread has used its slice and another waits for its core, yields first.
 */
export abstract class HostThread {
  /** Index in the host's thread table; -1 when the host model is off. */
  hostId = -1;
  host: HostCpu | null = null;
  /** Multiplies every CPU cost: NUMA-remote threads pay more for memory-bound work. */
  costScale = 1;
  /** Spread of this thread's CPU work and of its wake-ups (the assembly sets them). */
  cpuJitter: Jitter = NO_JITTER;
  wakeJitter: Jitter = NO_JITTER;
  /** CPU time of the last segment started (jittered and scaled): what it will cost the core. */
  segmentNs = 0;
  /** A segment waiting for the core this thread yielded, or -1. */
  private pendingCost = -1;

  constructor(
    readonly acct: CpuAccount,
    protected readonly sim: Simulation,
    private readonly stepEvent: Ev,
    private readonly eventArg: number,
  ) {}

  /** Runs `cost` ns of CPU work, then the thread's step-done event fires. */
  protected runSegment(cost: number): void {
    const h = this.host;
    cost *= this.costScale * this.cpuJitter.factor();
    this.segmentNs = cost;
    if (h !== null && h.shouldYield(this)) {
      this.pendingCost = cost;
      this.acct.enter(CpuState.Idle, this.sim.now);
      if (!h.yieldCore(this)) return;
      this.pendingCost = -1;
    }
    this.acct.enter(CpuState.Busy, this.sim.now);
    this.sim.after(cost, this.stepEvent, this.eventArg, 0);
  }

  /** How long a wake-up of this thread takes whose mean is `ns`. */
  wakeDelay(ns: number): number {
    return ns * this.wakeJitter.factor();
  }

  /** Off CPU -> wants to run: true when it may go on now; otherwise resume() comes later. */
  protected wantCore(): boolean {
    return this.host === null || this.host.acquire(this);
  }

  /** Blocks or halts: the core goes to whoever waits for it. */
  protected dropCore(): void {
    if (this.host !== null) this.host.release(this);
  }

  onCoreGranted(): void {
    if (this.pendingCost >= 0) {
      const cost = this.pendingCost;
      this.pendingCost = -1;
      this.acct.enter(CpuState.Busy, this.sim.now);
      this.sim.after(cost, this.stepEvent, this.eventArg, 0);
    } else {
      this.resume();
    }
  }

  /** Goes on with what it woke up for, once it has a core. */
  protected abstract resume(): void;

  /** Another thread queued for the core this thread holds (KVM halt polling stops for it). */
  onRunnableWaiter(): void {}
}

/**
 * Host cores shared by the VM's threads: a thread that wakes takes a free core of its set or waits in
 * FIFO order; a thread that blocks or halts frees its core; polling keeps it. A thread that has used
 * its slice yields at its next step to a waiter of its core. Without contention every thread has a
 * core of its own, and only C-state exits cost anything.
 */
export class HostCpu {
  private readonly owner: Int32Array;
  private readonly idleSince: Float64Array;
  private readonly ownedNs: Float64Array;
  private readonly ownedSince: Float64Array;
  private readonly threads: HostThread[] = [];
  private readonly allowed: (Uint8Array | null)[] = [];
  private readonly coreOf: number[] = [];
  private readonly sliceStart: number[] = [];
  private readonly waitingSince: number[] = [];
  private readonly runq = new IntFifo(64);
  /** Core acquisitions, context switches between threads, and the time threads spent waiting for a core. */
  acquisitions = 0;
  switches = 0;
  waitNs = 0;

  /** `switchNs`: a core handed straight from one thread to a waiting one pays a context switch. */
  constructor(private readonly p: HostParams, private readonly sim: Simulation, maxThreads: number, private readonly switchNs: number) {
    const n = p.cores > 0 ? p.cores : maxThreads;
    this.owner = new Int32Array(n).fill(-1);
    this.idleSince = new Float64Array(n);
    this.ownedNs = new Float64Array(n);
    this.ownedSince = new Float64Array(n);
  }

  get cores(): number {
    return this.owner.length;
  }

  /** Registers a thread that may run on `cpus` (absent: any core); with no contention it gets a core
   *  of its own. */
  add(t: HostThread, cpus: readonly number[] | undefined): void {
    t.hostId = this.threads.length;
    this.threads.push(t);
    this.coreOf.push(-1);
    this.sliceStart.push(0);
    this.waitingSince.push(0);
    if (this.p.cores > 0) {
      const mask = cpus ? new Uint8Array(this.cores) : null;
      if (cpus) for (const c of cpus) mask![c] = 1;
      this.allowed.push(mask);
    } else {
      if (t.hostId >= this.cores) throw new Error('more host threads than cores were sized for');
      const mask = new Uint8Array(this.cores);
      mask[t.hostId] = 1;
      this.allowed.push(mask);
    }
  }

  hasCore(t: HostThread): boolean {
    return this.coreOf[t.hostId] >= 0;
  }

  /** The thread wants to run: true when it has a core now; otherwise onCoreGranted comes later. */
  acquire(t: HostThread): boolean {
    const id = t.hostId;
    if (this.coreOf[id] >= 0) return true;
    const mask = this.allowed[id];
    for (let c = 0; c < this.owner.length; c++) {
      if (this.owner[c] < 0 && (mask === null || mask[c])) return this.grant(id, c, false);
    }
    this.waitingSince[id] = this.sim.now;
    this.runq.push(id);
    for (let c = 0; c < this.owner.length && this.coreOf[id] < 0; c++) {
      const o = this.owner[c];
      if (o >= 0 && (mask === null || mask[c])) this.threads[o].onRunnableWaiter();
    }
    return false;
  }

  /** Gives core c to thread id; false when it must first leave a deep C-state or, taken from the run
   *  queue, switch from the thread that left it (granted by event). */
  private grant(id: number, c: number, fromQueue: boolean): boolean {
    const now = this.sim.now;
    this.owner[c] = id;
    this.coreOf[id] = c;
    this.ownedSince[c] = now;
    this.sliceStart[id] = now;
    this.acquisitions++;
    const deep = this.p.cstateExitNs > 0 && now - this.idleSince[c] >= this.p.cstateResidencyNs;
    // A waiter takes the core from the thread that just left it: __schedule's switch (a woken thread
    // on an idle core pays its wake-up instead).
    if (fromQueue) this.switches++;
    const delay = (deep ? this.p.cstateExitNs : 0) + (fromQueue ? this.switchNs : 0);
    if (delay > 0) {
      this.sim.after(delay, Ev.CoreGranted, id, 0);
      return false;
    }
    if (fromQueue) this.threads[id].onCoreGranted();
    return true;
  }

  onGrantedEvent(id: number): void {
    this.threads[id].onCoreGranted();
  }

  /** The thread blocks or halts: its core goes to the oldest waiter allowed on it. */
  release(t: HostThread): void {
    const id = t.hostId, c = this.coreOf[id];
    if (c < 0) return;
    const now = this.sim.now;
    this.coreOf[id] = -1;
    this.owner[c] = -1;
    this.ownedNs[c] += now - this.ownedSince[c];
    this.idleSince[c] = now;
    for (let i = 0; i < this.runq.size; i++) {
      const mask = this.allowed[this.runq.at(i)];
      if (mask === null || mask[c]) {
        const w = this.runq.removeAt(i);
        this.waitNs += now - this.waitingSince[w];
        this.grant(w, c, true);
        return;
      }
    }
  }

  /** A thread waits for t's core and t has used its slice. */
  shouldYield(t: HostThread): boolean {
    if (this.runq.size === 0) return false;
    const id = t.hostId, c = this.coreOf[id];
    if (c < 0 || this.sim.now - this.sliceStart[id] < this.p.sliceNs) return false;
    return this.waiterFor(c);
  }

  /** Someone waits for a core that t holds (KVM's halt polling gives way to it). */
  hasWaiterFor(t: HostThread): boolean {
    const c = this.coreOf[t.hostId];
    return c >= 0 && this.runq.size > 0 && this.waiterFor(c);
  }

  private waiterFor(c: number): boolean {
    for (let i = 0; i < this.runq.size; i++) {
      const mask = this.allowed[this.runq.at(i)];
      if (mask === null || mask[c]) return true;
    }
    return false;
  }

  /** Round-robin: t gives its core to a waiter and queues for one again; true if it has one at once. */
  yieldCore(t: HostThread): boolean {
    this.release(t);
    return this.acquire(t);
  }

  resetStats(now: number): void {
    for (let c = 0; c < this.owner.length; c++) {
      if (this.owner[c] >= 0) this.ownedSince[c] = now;
      this.ownedNs[c] = 0;
    }
    this.acquisitions = 0;
    this.switches = 0;
    this.waitNs = 0;
  }

  /** Per core: the share of the window it ran a thread (busy or polling). */
  coreUtilization(now: number, window: number): number[] {
    return Array.from(this.owner, (o, c) => (this.ownedNs[c] + (o >= 0 ? now - this.ownedSince[c] : 0)) / window);
  }
}
