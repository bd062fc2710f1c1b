import { describe, expect, it } from 'vitest';
import { Host } from '../../src/model/host.js';
import { jobTimings } from '../../src/scenario/phases.js';
import { fioEntries, fioReport } from '../../src/output/fio-json.js';
import { scenario } from '../helpers.js';

const fail = (i: number, key: string, reason: string) => new Error(`${i}.${key}: ${reason}`);

describe('fio\'s job phases (backend.c run_threads): when each job runs', () => {
  it('starts jobs together; a stonewall job and those after it when every job before has ended; wait_for at its waitee\'s end', () => {
    const t = jobTimings([
      { name: 'a' }, { name: 'b', startdelay: 5, runtime: 50 },
      { name: 'c', stonewall: true }, { name: 'd', ramp_time: 0 },
      { name: 'e', wait_for: 'b', runtime: 7 },
    ], 10, 100, fail);
    expect(t).toEqual([
      { startNs: 0, measureNs: 10, stopNs: 110 },
      { startNs: 5, measureNs: 15, stopNs: 65 },
      { startNs: 110, measureNs: 120, stopNs: 220 },
      { startNs: 110, measureNs: 110, stopNs: 210 },
      { startNs: 65, measureNs: 75, stopNs: 82 },
    ]);
    expect(() => jobTimings([{ name: 'a', wait_for: 'b' }, { name: 'b' }], 10, 100, fail)).toThrow(/0\.wait_for: no job named "b" before this one/);
  });

  const run = (extra: object) => {
    const s = scenario({
      duration: '100ms', warmup: '10ms', vm: { vcpus: 2 }, disk: { device: { preset: 'nvme-tlc', iops_cap: 100000 } },
      jobs: [{ name: 'a', rw: 'randread', iodepth: 32 }, { name: 'b', rw: 'randread', iodepth: 32, ...extra }],
    });
    const cfg = s.points[0].config(0);
    return { cfg, s, result: new Host(cfg).run() };
  };

  it('runs a stonewall phase after the one before: each job alone gets the device that two share at once', () => {
    const together = run({}).result.vms[0].blk!, apart = run({ stonewall: true });
    const iops = (c: { completions: number; windowNs: number }) => c.completions / (c.windowNs / 1e9);
    for (const c of together.clones) expect(iops(c)).toBeCloseTo(50_000, -3);
    const clones = apart.result.vms[0].blk!.clones;
    for (const c of clones) {
      expect(c.windowNs).toBe(100e6);
      expect(iops(c)).toBeCloseTo(100_000, -3);
      // A closed loop keeps its iodepth in flight through its own window, not the run's.
      expect(c.meanInFlight).toBeGreaterThan(31.5);
    }
    // The run spans both phases: the first's ramp end to the second's end.
    expect(apart.cfg.warmupNs).toBe(10e6);
    expect(apart.cfg.durationNs).toBe(210e6);
    const report = fioReport(apart.result, apart.cfg, apart.s, 'json', fioEntries(apart.result, apart.cfg));
    expect(report.jobs.map((j) => [j.jobname, j.groupid, j.read.runtime])).toEqual([['a', 0, 100], ['b', 1, 100]]);
  });

  it('a job with its own runtime stops issuing at its end, and its figures cover only its window', () => {
    const { result } = run({ runtime: '30ms', startdelay: '20ms' });
    const [a, b] = result.vms[0].blk!.clones;
    expect(b.windowNs).toBe(30e6);
    expect(a.windowNs).toBe(100e6);
    // b issues from 20 ms (its ramp included) to 60 ms, 40 of a's 100: a has half the device then.
    expect(a.completions / 0.1).toBeCloseTo(100_000 - 50_000 * 0.4, -3);
    expect(b.completions / 0.03).toBeCloseTo(50_000, -3);
  });

  it('keeps Little\'s law for the VM over the whole run when its phases differ (a QD1 phase, then QD64 after a ramp)', () => {
    const s = scenario({
      duration: '50ms', warmup: '5ms', vm: { vcpus: 2 }, disk: { device: 'nvme-tlc' },
      jobs: [{ name: 'qd1', rw: 'randread', iodepth: 1 }, { name: 'qd64', rw: 'randread', iodepth: 64, stonewall: true, ramp_time: '10ms' }],
    });
    const r = new Host(s.points[0].config(0)).run().vms[0].blk!; // throws if an invariant breaks
    // The VM's lat covers every I/O of the run, the ramp of the second phase too; each job its own window.
    expect(r.latency.count).toBe(r.ios);
    expect(r.jobs[0].dirs[0].ios + r.jobs[1].dirs[0].ios).toBeLessThan(r.ios);
    expect(r.clones.map((c) => c.windowNs)).toEqual([50e6, 50e6]);
  });
});

