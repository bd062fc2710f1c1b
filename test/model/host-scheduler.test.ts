import { describe, expect, it } from 'vitest';
import { Simulation } from '../../src/engine/simulation.js';
import { CpuAccount } from '../../src/model/host/cpu-account.js';
import { HostCpu, HostThread, SCHED_DEFAULTS, type HostParams } from '../../src/model/host/host-cpu.js';
import { Ev } from '../../src/model/events.js';

const STEP = 1000, WAKE = 1001;

/** A thread that runs `runNs` at a time in 5 us segments (a vCPU's steps), then sleeps `sleepNs` (Infinity: a CPU hog). */
class Task extends HostThread {
  private left = 0;
  waits = 0;
  waitNs = 0;
  private wokeAt = 0;
  constructor(sim: Simulation, readonly id: number, private readonly runNs: number, private readonly sleepNs: number) {
    super(new CpuAccount(`t${id}`, 'test'), sim, STEP, id);
  }
  wake(): void {
    this.wokeAt = this.sim.now;
    this.left = this.runNs;
    if (this.wantCore()) this.resume();
  }
  protected resume(): void {
    if (this.wokeAt >= 0) {
      // After 20 ms: the first waits are the tasks' start, with no sleeper history.
      if (this.sim.now > 20e6) {
        this.waits++;
        this.waitNs += this.sim.now - this.wokeAt;
      }
      this.wokeAt = -1;
    }
    this.next();
  }
  next(): void {
    if (this.left <= 0) {
      this.dropCore();
      this.sim.after(this.sleepNs, WAKE, this.id, 0);
      return;
    }
    const seg = Math.min(5_000, this.left);
    this.left -= seg;
    this.runSegment(seg);
  }
}

function run(policy: HostParams['policy'], tasks: [number, number][], ms = 200) {
  const sim = new Simulation();
  const p: HostParams = {
    cores: 1, ...SCHED_DEFAULTS, cstates: [], policy, delayDequeue: true,
  };
  const cpu = new HostCpu(p, sim, tasks.length, 2000);
  const ts = tasks.map(([r, s], i) => new Task(sim, i, r, s));
  for (const t of ts) { t.host = cpu; cpu.add(t, undefined); }
  const dispatch = (kind: number, a: number) => {
    if (kind === STEP) ts[a].next();
    else if (kind === WAKE) ts[a].wake();
    else if (kind === Ev.CoreGranted) cpu.onGrantedEvent(a);
  };
  for (const t of ts) t.wake();
  sim.runUntil(ms * 1e6, { dispatch });
  return { ts, cpu };
}

describe('host scheduler: wake-up preemption by kernel (CFS before 6.6, EEVDF from it)', () => {
  // A CPU hog and a thread that runs 10 us every 200 us, as an iothread beside a busy vCPU.
  const mix: [number, number][] = [[Infinity, 0], [10_000, 200_000]];

  it('CFS: a sleeper far behind in vruntime preempts the hog as soon as it wakes', () => {
    const { ts } = run('cfs', mix);
    const s = ts[1];
    // It waits for the hog's step to end (at most 5 us) and a switch (2 us), never for a slice.
    expect(s.waitNs / s.waits).toBeLessThan(7_000);
    expect(s.waits).toBeGreaterThan(800);
  });

  it('EEVDF: a sleeper preempts while it is owed time, and waits a slice when it is not', () => {
    const cfs = run('cfs', mix).ts[1], eevdf = run('eevdf', mix).ts[1];
    const mean = eevdf.waitNs / eevdf.waits;
    // Lag is earned by waiting and spent by running: over the run the sleeper waits about as long as it
    // runs (10 us per wake, in lumps of a slice's remainder), more than under CFS, far less than a slice.
    expect(mean).toBeGreaterThan(cfs.waitNs / cfs.waits);
    expect(mean).toBeGreaterThan(5_000);
    expect(mean).toBeLessThan(100_000);
  });

  it('two CPU hogs share the core by slices: CFS latency / 2 = 12 ms, EEVDF base slice 3 ms', () => {
    const hogs: [number, number][] = [[Infinity, 0], [Infinity, 0]];
    const switches = (policy: HostParams['policy']) => run(policy, hogs, 240).cpu.switches;
    expect(switches('cfs')).toBeGreaterThanOrEqual(19);
    expect(switches('cfs')).toBeLessThanOrEqual(21);
    expect(switches('eevdf')).toBeGreaterThanOrEqual(78);
    expect(switches('eevdf')).toBeLessThanOrEqual(81);
  });

  it('a yielding thread does not preempt: two sleepers and a hog all make progress', () => {
    const { ts } = run('eevdf', [[Infinity, 0], [10_000, 100_000], [10_000, 150_000]]);
    expect(ts[1].waits).toBeGreaterThan(1000);
    expect(ts[2].waits).toBeGreaterThan(700);
    expect(ts[0].acct.busyNs).toBeGreaterThan(100e6);
  });
});

describe('host scheduler: where a woken thread runs (select_idle_sibling)', () => {
  it('on the core it last ran on when that one is idle, paying its C-state, not on a warmer idle core', () => {
    const sim = new Simulation();
    const p: HostParams = { cores: 2, ...SCHED_DEFAULTS, cstates: [{ exitNs: 10_000, residencyNs: 20_000 }], policy: 'eevdf', delayDequeue: true };
    const cpu = new HostCpu(p, sim, 2, 2000);
    const [a, b] = [new Task(sim, 0, 0, Infinity), new Task(sim, 1, 0, Infinity)];
    for (const t of [a, b]) { t.host = cpu; cpu.add(t, undefined); }
    // Core 0 was idle from the start (past its residency): b's first wake-up pays the exit there.
    sim.now = 50_000;
    expect(cpu.acquire(b)).toBe(false);
    expect(cpu.acquire(a)).toBe(false);
    cpu.release(a); // core 1 idle from 50 us
    sim.now = 100_000;
    cpu.release(b); // core 0 idle from 100 us: warm
    sim.now = 101_000;
    // a wakes: its own core 1 has been idle 51 us, in the deep state; core 0 only 1 us.
    expect(cpu.acquire(a)).toBe(false);
    expect(cpu.acquire(b)).toBe(true);
  });
});
