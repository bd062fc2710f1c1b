import { IntFifo } from '../../engine/int-fifo.js';
import { NO_JITTER, type Jitter } from '../../engine/jitter.js';
import type { Simulation } from '../../engine/simulation.js';
import { CpuAccount, CpuState } from './cpu-account.js';
import { Ev } from '../events.js';
import { exitLatencyNs, type CState } from './cstates.js';

/** How the VMs' threads get host cores (MODEL.md section 8). Times in ns. */
export interface HostParams {
  /** Cores the VMs' threads share; 0 = a core for every thread (no contention). */
  cores: number;
  /** A thread that has run this long yields its core at its next step to a thread waiting for it
   *  (CFS: sched_min_granularity / a tick). */
  sliceNs: number;
  /** The idle states a core falls into, shallowest first (cstates.ts): a thread woken onto a core pays
   *  the exit latency of the deepest one its idle period reached. */
  cstates: readonly CState[];
  /** The host kernel's fair scheduler: CFS before Linux 6.6, EEVDF from it. */
  policy: 'cfs' | 'eevdf';
  /** CFS: a woken thread preempts the running one when it trails it in vruntime by more than this
   *  (sysctl_sched_wakeup_granularity). */
  wakeupGranNs: number;
  /** CFS: sysctl_sched_latency, the period runnable threads share (a tick slice is latency / nr_running,
   *  at least sliceNs); a sleeper is placed at most half of it behind (GENTLE_FAIR_SLEEPERS). */
  latencyNs: number;
  /** EEVDF: a thread that blocks owing time stays queued until its lag is repaid (DELAY_DEQUEUE,
   *  Linux 6.12); before, it keeps the negative lag across the sleep. */
  delayDequeue: boolean;
}

/** The fair scheduler's tunables as Linux sets them on a host of 8 or more CPUs: 0.75 ms base slice /
 *  min_granularity, 1 ms wakeup granularity and 6 ms latency, each scaled by 1 + log2(min(CPUs, 8)) = 4
 *  (kernel/sched/fair.c, SCHED_TUNABLESCALING_LOG). */
export const SCHED_DEFAULTS = { sliceNs: 3e6, wakeupGranNs: 4e6, latencyNs: 24e6 } as const;

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
  /** The step the thread runs (in its own numbering; 0 none), and how many items it covers. */
  protected step = 0;
  protected stepCount = 0;

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

  /** Runs step `step` over `count` items, `cost` ns of CPU; the thread's step-done event follows. */
  protected runStep(step: number, count: number, cost: number): void {
    this.step = step;
    this.stepCount = count;
    this.runSegment(cost);
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

  /** Another thread queued for the core this thread holds (KVM halt polling stops for it), or the
   *  scheduler preempts it for one (host.preempted): a thread that spins outside runSegment yields. */
  onRunnableWaiter(): void {}
}

/**
 * Host cores shared by the VM's threads: a thread that wakes takes a free core of its set (its previous
 * one if idle) or waits in FIFO order; a thread that blocks or halts frees its core; polling keeps it.
 * A thread that has used its slice yields at its next step to a waiter of its core. A woken thread may
 * preempt a running one at once (check_preempt_wakeup_fair), as the host kernel's scheduler decides:
 * - CFS (before 6.6): when the running thread's vruntime (CPU time held) leads the woken one's, placed
 *   at most latency/2 behind, by more than the wakeup granularity: a thread that sleeps more than it
 *   runs preempts a CPU-bound one each time it wakes;
 * - EEVDF (6.6): when the woken thread is owed time (positive lag), for then the running one is not
 *   eligible; with lag 0 or less the running thread keeps its slice (RUN_TO_PARITY). Lag grows by half
 *   the time a thread waits for a core and falls by half the time it runs while another waits for its
 *   core, the two-thread case of lag = avg_vruntime - vruntime; a thread alone on its core at dequeue has
 *   lag 0. Clamped to two slices (update_entity_lag).
 * The preempted thread yields at its next step, as a resched IPI takes a vCPU out of the guest.
 * Without contention every thread has a core of its own, and only C-state exits cost anything.
 */
export class HostCpu {
  private readonly owner: Int32Array;
  private readonly idleSince: Float64Array;
  private readonly ownedNs: Float64Array;
  private readonly ownedSince: Float64Array;
  private readonly threads: HostThread[] = [];
  private readonly allowed: (Uint8Array | null)[] = [];
  private readonly coreOf: number[] = [];
  /** The core each thread last ran on, or -1. */
  private readonly lastCore: number[] = [];
  private readonly sliceStart: number[] = [];
  private readonly waitingSince: number[] = [];
  /** CFS: CPU time each thread has held a core, its vruntime (all threads at nice 0). */
  private readonly vruntime: number[] = [];
  /** EEVDF: each thread's lag, and when it last left a core. */
  private readonly lag: number[] = [];
  private readonly leftAt: number[] = [];
  /** A woken thread preempted this one: it yields at its next step. */
  private readonly preempt: boolean[] = [];
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
    this.lastCore.push(-1);
    this.sliceStart.push(0);
    this.waitingSince.push(0);
    this.vruntime.push(0);
    this.lag.push(0);
    this.leftAt.push(0);
    this.preempt.push(false);
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

  /** The thread wakes and wants to run: true when it has a core now; otherwise onCoreGranted comes
   *  later. Only a wake-up may preempt (check_preempt_wakeup_fair runs in try_to_wake_up); a thread
   *  that yields queues behind the others. */
  acquire(t: HostThread, wakeup = true): boolean {
    const id = t.hostId;
    if (this.coreOf[id] >= 0) return true;
    const mask = this.allowed[id];
    // select_idle_sibling: the core it last ran on if that one is idle (its cache is warm), else the
    // first idle one it may use.
    const prev = this.lastCore[id];
    if (prev >= 0 && this.owner[prev] < 0 && (mask === null || mask[prev])) return this.grant(id, prev, false);
    for (let c = 0; c < this.owner.length; c++) {
      if (this.owner[c] < 0 && (mask === null || mask[c])) return this.grant(id, c, false);
    }
    const now = this.sim.now;
    this.waitingSince[id] = now;
    if (this.p.policy === 'eevdf' && this.p.delayDequeue && this.lag[id] < 0) {
      // Queued while it slept, its negative lag was repaid at the rate the others ran.
      this.lag[id] = Math.min(0, this.lag[id] + (now - this.leftAt[id]) / 2);
    }
    const victim = wakeup ? this.preemptee(id, mask) : -1;
    if (victim >= 0) {
      this.preempt[victim] = true;
      this.runq.unshift(id);
    } else {
      this.runq.push(id);
    }
    for (let c = 0; c < this.owner.length && this.coreOf[id] < 0; c++) {
      const o = this.owner[c];
      if (o >= 0 && (mask === null || mask[c])) this.threads[o].onRunnableWaiter();
    }
    return false;
  }

  /** The running thread a woken thread `id` preempts, or -1 (see the class comment). */
  private preemptee(id: number, mask: Uint8Array | null): number {
    const now = this.sim.now, cfs = this.p.policy === 'cfs';
    if (!cfs && this.lag[id] <= 0) return -1;
    let victim = -1, best = -Infinity;
    for (let c = 0; c < this.owner.length; c++) {
      const o = this.owner[c];
      if (o < 0 || this.preempt[o] || (mask !== null && !mask[c])) continue;
      // CFS: the lead in vruntime; EEVDF: any running thread, the one longest on its core first.
      const lead = cfs ? this.vruntime[o] + now - this.sliceStart[o] : now - this.sliceStart[o];
      if (lead > best) { best = lead; victim = o; }
    }
    if (victim < 0 || !cfs) return victim;
    // place_entity: a sleeper is placed at most latency/2 behind the running thread.
    this.vruntime[id] = Math.max(this.vruntime[id], best - this.p.latencyNs / 2);
    return best - this.vruntime[id] > this.p.wakeupGranNs ? victim : -1;
  }

  /** A woken thread preempted t: it yields its core at its next step (see onRunnableWaiter). */
  preempted(t: HostThread): boolean {
    return this.preempt[t.hostId];
  }

  /** Gives core c to thread id; false when it must first leave a deep C-state or, taken from the run
   *  queue, switch from the thread that left it (granted by event). */
  private grant(id: number, c: number, fromQueue: boolean): boolean {
    const now = this.sim.now;
    this.owner[c] = id;
    this.coreOf[id] = c;
    this.lastCore[id] = c;
    this.ownedSince[c] = now;
    this.sliceStart[id] = now;
    this.acquisitions++;
    if (fromQueue) this.lag[id] = this.clampLag(this.lag[id] + (now - this.waitingSince[id]) / 2);
    const exit = exitLatencyNs(this.p.cstates, now - this.idleSince[c]);
    // A waiter takes the core from the thread that just left it: __schedule's switch (a woken thread
    // on an idle core pays its wake-up instead).
    if (fromQueue) this.switches++;
    const delay = exit + (fromQueue ? this.switchNs : 0);
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
    this.vruntime[id] += now - this.sliceStart[id];
    this.leftAt[id] = now;
    this.preempt[id] = false;
    for (let i = 0; i < this.runq.size; i++) {
      const mask = this.allowed[this.runq.at(i)];
      if (mask === null || mask[c]) {
        const w = this.runq.removeAt(i);
        // It ran while w waited for its core: the lag it leaves with.
        this.lag[id] = this.clampLag(this.lag[id] - (now - Math.max(this.sliceStart[id], this.waitingSince[w])) / 2);
        this.waitNs += now - this.waitingSince[w];
        this.grant(w, c, true);
        return;
      }
    }
    this.lag[id] = 0;
  }

  private clampLag(lag: number): number {
    const limit = 2 * this.p.sliceNs;
    return lag > limit ? limit : lag < -limit ? -limit : lag;
  }

  /** A thread waits for t's core and preempted t, or t has used its slice: CFS's latency shared by
   *  the threads that want the core, at least sliceNs; EEVDF's base slice. */
  shouldYield(t: HostThread): boolean {
    if (this.runq.size === 0) return false;
    const id = t.hostId, c = this.coreOf[id];
    if (c < 0) return false;
    if (this.preempt[id]) {
      this.preempt[id] = false;
      if (this.waiterFor(c)) return true;
    }
    const ran = this.sim.now - this.sliceStart[id];
    if (ran < this.p.sliceNs) return false;
    if (this.p.policy === 'cfs' && ran < this.p.latencyNs / (1 + this.waitersFor(c))) return false;
    return this.waiterFor(c);
  }

  /** Someone waits for a core that t holds (KVM's halt polling gives way to it). */
  hasWaiterFor(t: HostThread): boolean {
    const c = this.coreOf[t.hostId];
    return c >= 0 && this.runq.size > 0 && this.waiterFor(c);
  }

  private waiterFor(c: number): boolean {
    return this.waitersFor(c, 1) > 0;
  }

  /** Threads in the run queue allowed on core c, counted up to `upTo`. */
  private waitersFor(c: number, upTo = Infinity): number {
    let n = 0;
    for (let i = 0; i < this.runq.size && n < upTo; i++) {
      const mask = this.allowed[this.runq.at(i)];
      if (mask === null || mask[c]) n++;
    }
    return n;
  }

  /** Round-robin: t gives its core to a waiter and queues for one again; true if it has one at once. */
  yieldCore(t: HostThread): boolean {
    this.release(t);
    return this.acquire(t, false);
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
