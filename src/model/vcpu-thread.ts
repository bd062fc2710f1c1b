import type { Simulation } from '../engine/simulation.js';
import { CpuAccount, CpuState } from './cpu-account.js';
import { Ev } from './events.js';
import { adjustHaltPollNs, type HaltPollParams } from './halt-polling.js';
import { HostThread } from './host-cpu.js';

/**
 * A vCPU thread's halting: with nothing to do it first polls (KVM halt polling, or the guest's haltpoll
 * driver), and new work in that window goes on at once; past it, the thread sleeps and new work pays a
 * wake-up (host scheduler, VM entry). Subclasses say what work there is (next) and when it arrives (poke).
 */
export abstract class VcpuThread extends HostThread {
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
  ) {
    super(new CpuAccount(`vcpu${index}`, 'vcpu'), sim, Ev.VcpuStepDone, index);
  }

  /** Runs the next piece of work, or calls halt() when there is none. */
  protected abstract next(): void;

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
    this.sim.after(this.wakeupNs, Ev.VcpuWake, this.index, 0);
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
