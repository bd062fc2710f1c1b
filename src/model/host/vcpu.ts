import type { Simulation } from '../../engine/simulation.js';
import { IntFifo } from '../../engine/int-fifo.js';
import { LazyTimer } from '../../engine/lazy-timer.js';
import { CpuAccount, CpuState } from './cpu-account.js';
import { Ev } from '../events.js';
import { adjustHaltPollNs, firstHaltPollNs, type HaltPollParams } from './halt-polling.js';
import { HostThread } from './host-cpu.js';

/** No step running. */
const STEP_NONE = 0;
/** The VM exit of a notify write (a kick), run as the vCPU's next step. */
const STEP_KICK = -1;
/** A driver's interrupt handler, or a task of the guest's application. */
const STEP_IRQ = 1, STEP_TASK = 2;
/** Queue entries carry their driver in the low bits: up to four device types. */
const DRIVER_BITS = 2, DRIVER_MASK = (1 << DRIVER_BITS) - 1;

/**
 * The guest side of one device type, run on vCPUs: its interrupt handlers (one source per queue) and
 * the application's tasks that use it (fio's submit and reap, a socket's send). A driver starts a
 * step with `vcpu.run` and is told when the step is done.
 */
export interface GuestDriver {
  startIrq(v: Vcpu, src: number): void;
  endIrq(v: Vcpu, src: number, count: number): void;
  /** Starts the task's step; false when its thread sleeps after all (the task is dropped: the driver
   *  queues it again when the thread wakes). */
  startTask(v: Vcpu, task: number): boolean;
  endTask(v: Vcpu, arg: number, count: number): void;
}

/**
 * A vCPU thread. Interrupt handlers run before tasks (an interrupt preempts the running task at the
 * next step boundary); both run in FIFO order, whatever device type they belong to, so a VM's disks
 * and NICs share its vCPUs as they do in a guest. A step that kicked a queue is followed by the kick's
 * VM exit before anything else. Halting: with nothing to do it first polls (KVM halt polling, or the
 * guest's haltpoll driver), and new work in that window goes on at once; past it, the thread sleeps
 * and new work pays a wake-up (host scheduler, VM entry).
 */
export class Vcpu extends HostThread {
  private stepDriver = 0;
  private stepArg = 0;
  /** Pending interrupts and tasks: source or task << DRIVER_BITS | driver. */
  private readonly irqs = new IntFifo(8);
  private readonly tasks = new IntFifo(16);
  /** Scratch for a driver's step (the requests of one io_submit). */
  readonly batch = new IntFifo(8);
  /** Queue whose notify write traps at the end of the current step, or -1. */
  private kickArg = -1;
  /** The VM entry (and the HLT exit before it) the next step pays first: KVM's halt polling found work. */
  private entryNs = 0;
  /** Kick exits taken by this vCPU, by the driver whose step kicked. */
  readonly kicks = new Float64Array(1 << DRIVER_BITS);
  private halted = true;
  private waking = false;
  private haltPolling = false;
  /** The host preempted it while the guest polled (guest haltpoll): it polls on when it gets a core back. */
  private pollPreempted = false;
  private haltStart = 0;
  /** When the current halt-polling window ends. */
  private haltDeadline = 0;
  /** A vCPU woken every few us while it polls starts a window each time: one timer serves them. */
  private readonly haltTimer: LazyTimer;
  /** Current halt-polling window. */
  haltPollNs: number;

  /**
   * `index` is the vCPU's place in the host's vCPU table (its events' argument), `name` its name in
   * its VM; `drivers` the guest's device types, by the number their queue entries carry.
   */
  constructor(
    readonly index: number,
    name: string,
    sim: Simulation,
    private readonly drivers: readonly GuestDriver[],
    private readonly haltPoll: HaltPollParams,
    private readonly wakeupNs: number,
    private readonly vmexitNs: number,
    private readonly reentryNs: number,
  ) {
    super(new CpuAccount(name, 'vcpu'), sim, Ev.VcpuStepDone, index);
    this.haltTimer = new LazyTimer(sim, Ev.VcpuHaltPollEnd, index);
    this.haltPollNs = firstHaltPollNs(haltPoll);
  }

  /** An interrupt of source `src` of a driver arrives. */
  raiseIrq(driver: number, src: number): void {
    this.irqs.push((src << DRIVER_BITS) | driver);
    this.poke();
  }

  /** A task of a driver is ready to run. */
  queueTask(driver: number, task: number): void {
    this.tasks.push((task << DRIVER_BITS) | driver);
    this.poke();
  }

  /** The guest thread whose step just ended goes on with another task (it has not blocked, so the
   *  guest scheduler does not switch away from it): next after any pending interrupt, before the
   *  other threads' tasks. */
  continueTask(driver: number, task: number): void {
    this.tasks.unshift((task << DRIVER_BITS) | driver);
    this.poke();
  }

  /** Runs the next interrupt handler or task, or halts when there is none. */
  private next(): void {
    if (this.irqs.size > 0) {
      const e = this.irqs.shift();
      this.step = STEP_IRQ;
      this.stepDriver = e & DRIVER_MASK;
      this.drivers[this.stepDriver].startIrq(this, e >> DRIVER_BITS);
      return;
    }
    while (this.tasks.size > 0) {
      const e = this.tasks.shift();
      this.step = STEP_TASK;
      this.stepDriver = e & DRIVER_MASK;
      if (this.drivers[this.stepDriver].startTask(this, e >> DRIVER_BITS)) return;
    }
    this.halt();
  }

  /** A driver's step: `cost` ns of guest work; `arg` and `count` come back to it when it is done. */
  run(arg: number, count: number, cost: number): void {
    this.stepArg = arg;
    this.stepCount = count;
    this.runSegment(cost + this.entryNs);
    this.entryNs = 0;
  }

  /** The step being finished published buffers that need a notification: the write traps next. */
  kick(arg: number): void {
    this.kicks[this.stepDriver]++;
    this.kickArg = arg;
  }

  onStepDone(): void {
    if (this.step === STEP_IRQ) this.drivers[this.stepDriver].endIrq(this, this.stepArg, this.stepCount);
    else if (this.step === STEP_TASK) this.drivers[this.stepDriver].endTask(this, this.stepArg, this.stepCount);
    if (this.kickArg >= 0) {
      this.step = STEP_KICK;
      this.kickArg = -1;
      this.runSegment(this.vmexitNs);
    } else {
      this.next();
    }
  }

  /** New work: a polling vCPU goes on at once (back through the VM entry when KVM polled for it); a
   *  sleeping one is woken. */
  private poke(): void {
    if (this.haltPolling) {
      this.haltPolling = false;
      this.endHalt();
      // KVM found it in the host: the HLT exit and the VM entry come first, paid with the step the
      // guest then runs (one event; an interrupt arriving meanwhile waits for the step).
      if (this.haltPoll.pollsInHost) this.entryNs = this.reentryNs;
      this.next();
      return;
    }
    if (!this.halted || this.waking) return;
    this.waking = true;
    this.sim.after(this.wakeDelay(this.wakeupNs), Ev.VcpuWake, this.index, 0);
  }

  onWake(): void {
    this.waking = false;
    this.halted = false;
    this.endHalt();
    if (this.wantCore()) this.next();
  }

  protected resume(): void {
    if (this.pollPreempted) {
      this.pollPreempted = false;
      if (this.irqs.size === 0 && this.tasks.size === 0) {
        // The guest's poll loop ran on its own clock while it was off the core.
        if (this.sim.now >= this.haltDeadline) this.sleep();
        else this.pollOn();
        return;
      }
      this.endHalt();
    }
    this.next();
  }

  private endHalt(): void {
    this.haltPollNs = adjustHaltPollNs(this.haltPollNs, this.sim.now - this.haltStart, this.haltPoll);
  }

  /** Nothing to run: poll for the halt-polling window, unless another thread waits for the core. */
  private halt(): void {
    const now = this.sim.now;
    this.step = STEP_NONE;
    this.entryNs = 0;
    this.haltStart = now;
    const window = this.haltPollNs;
    if (window > 0 && !(this.haltPoll.yieldsToRunnable && this.host !== null && this.host.hasWaiterFor(this))) {
      this.haltDeadline = now + window;
      this.pollOn();
      return;
    }
    this.sleep();
  }

  private pollOn(): void {
    this.haltPolling = true;
    this.acct.enter(CpuState.Poll, this.sim.now);
    this.haltTimer.arm(this.haltDeadline);
  }

  private sleep(): void {
    this.haltPolling = false;
    this.halted = true;
    this.acct.enter(CpuState.Idle, this.sim.now);
    this.dropCore();
  }

  /** The halt-poll timer fired: the window it was armed for, or a later one, or none is open. */
  onHaltPollEnd(): void {
    this.haltTimer.fired();
    if (!this.haltPolling) return;
    if (this.sim.now >= this.haltDeadline) this.sleep();
    else this.haltTimer.arm(this.haltDeadline);
  }

  override onRunnableWaiter(): void {
    if (!this.haltPolling) return;
    if (this.haltPoll.yieldsToRunnable) {
      this.sleep();
    } else if (this.host !== null && this.host.preempted(this)) {
      this.haltPolling = false;
      this.pollPreempted = true;
      this.acct.enter(CpuState.Idle, this.sim.now);
      if (this.host.yieldCore(this)) this.resume();
    }
  }
}
