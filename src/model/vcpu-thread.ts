import type { Simulation } from '../engine/simulation.js';
import { CpuAccount, CpuState } from './cpu-account.js';
import { Ev } from './events.js';
import { adjustHaltPollNs, type HaltPollParams } from './halt-polling.js';
import { HostThread } from './host-cpu.js';

/** No step running. */
const STEP_NONE = 0;
/** The VM exit of a notify write (a kick), run as the vCPU's next step. */
const STEP_KICK = -1;

/**
 * A vCPU thread's steps and halting. A step is guest work of some cost (subclasses number their kinds);
 * a step that kicked a queue is followed by the kick's VM exit before anything else. Halting: with nothing to do it first polls (KVM halt polling, or the guest's haltpoll
 * driver), and new work in that window goes on at once; past it, the thread sleeps and new work pays a
 * wake-up (host scheduler, VM entry). Subclasses say what work there is (next) and when it arrives (poke).
 */
export abstract class VcpuThread extends HostThread {
  protected step = STEP_NONE;
  protected stepArg = 0;
  protected stepCount = 0;
  /** Queue whose notify write traps at the end of the current step, or -1. */
  private kickArg = -1;
  /** Kick exits taken by this vCPU. */
  kicks = 0;
  private halted = true;
  private waking = false;
  private haltPolling = false;
  private haltStart = 0;
  private haltToken = 0;
  /** Current halt-polling window (adaptive). */
  haltPollNs = 0;

  constructor(
    readonly index: number,
    sim: Simulation,
    private readonly haltPoll: HaltPollParams,
    private readonly wakeupNs: number,
    private readonly vmexitNs: number,
  ) {
    super(new CpuAccount(`vcpu${index}`, 'vcpu'), sim, Ev.VcpuStepDone, index);
  }

  /** Runs the next piece of work (begin), or calls halt() when there is none. */
  protected abstract next(): void;

  /** What the finished step (of a subclass's kind) does. */
  protected abstract endStep(step: number): void;

  protected begin(step: number, arg: number, count: number, cost: number): void {
    this.step = step;
    this.stepArg = arg;
    this.stepCount = count;
    this.runSegment(cost);
  }

  /** The step being finished published buffers that need a notification: the write traps next. */
  protected kick(arg: number): void {
    this.kicks++;
    this.kickArg = arg;
  }

  onStepDone(): void {
    if (this.step !== STEP_KICK) this.endStep(this.step);
    if (this.kickArg >= 0) {
      this.begin(STEP_KICK, this.kickArg, 0, this.vmexitNs);
      this.kickArg = -1;
    } else {
      this.next();
    }
  }

  /** New work: a polling vCPU goes on at once; a sleeping one is woken. */
  protected poke(): void {
    if (this.haltPolling) {
      this.haltPolling = false;
      this.haltToken++;
      this.endHalt();
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
    this.next();
  }

  private endHalt(): void {
    this.haltPollNs = adjustHaltPollNs(this.haltPollNs, this.sim.now - this.haltStart, this.haltPoll);
  }

  /** Nothing to run: poll for the halt-polling window, unless another thread waits for the core. */
  protected halt(): void {
    const now = this.sim.now;
    this.step = STEP_NONE;
    this.haltStart = now;
    const window = this.haltPollNs;
    if (window > 0 && !(this.haltPoll.yieldsToRunnable && this.host !== null && this.host.hasWaiterFor(this))) {
      this.haltPolling = true;
      this.acct.enter(CpuState.Poll, now);
      this.sim.after(window, Ev.VcpuHaltPollEnd, this.index, ++this.haltToken);
      return;
    }
    this.sleep();
  }

  private sleep(): void {
    this.haltPolling = false;
    this.halted = true;
    this.acct.enter(CpuState.Idle, this.sim.now);
    this.dropCore();
  }

  onHaltPollEnd(token: number): void {
    if (this.haltPolling && token === this.haltToken) this.sleep();
  }

  override onRunnableWaiter(): void {
    if (this.haltPolling && this.haltPoll.yieldsToRunnable) {
      this.haltToken++;
      this.sleep();
    }
  }
}
