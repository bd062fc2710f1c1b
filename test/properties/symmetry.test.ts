import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Host } from '../../src/model/host.js';
import type { HostResult } from '../../src/model/result.js';
import { scenarioFromText } from '../../src/scenario/load.js';

function run(doc: object): HostResult {
  return new Host(scenarioFromText('symmetry.yaml', stringify({ duration: '200ms', warmup: '20ms', seed: 2, ...doc })).points[0].config(0)).run();
}
const iops = (r: HostResult) => r.vms.reduce((s, v) => s + v.blk!.ios, 0) / (r.windowNs / 1e9);
const lat = (r: HostResult) => r.vms.reduce((s, v) => s + v.blk!.latency.mean * v.blk!.ios, 0) / r.vms.reduce((s, v) => s + v.blk!.ios, 0);
const near = (a: number, b: number, tol: number) => expect(Math.abs(a / b - 1)).toBeLessThan(tol);

describe('symmetry', () => {
  for (const disk of [{ handler: 'dedicated' }, { handler: 'main-loop', aio: 'io_uring' }, { bus: 'scsi', backend: 'vhost' }]) {
    it(`one job with numjobs: 2 is two identical jobs (${JSON.stringify(disk)})`, () => {
      const job = { rw: 'randrw', iodepth: 8 };
      const one = run({ vm: { vcpus: 2 }, disk, job: { ...job, numjobs: 2 } });
      const two = run({ vm: { vcpus: 2 }, disk, jobs: [{ name: 'a', ...job }, { name: 'b', ...job }] });
      near(iops(one), iops(two), 0.02);
      near(lat(one), lat(two), 0.02);
    });
  }

  it('permuting the vms: entries leaves the host\'s totals unchanged (VMs on a shared drive and cores)', () => {
    const vms = [
      { name: 'db', vm: { vcpus: 2 }, disk: { device: 'nvme0' }, job: { rw: 'randread', iodepth: 1 } },
      { name: 'batch', vm: { vcpus: 4 }, disk: { device: 'nvme0', handler: 'pool', iothreads: 2 }, job: { rw: 'randwrite', iodepth: 16, numjobs: 4 } },
      { name: 'web', vm: { vcpus: 2 }, disk: { device: 'nvme0', aio: 'io_uring' }, job: { rw: 'randread', iodepth: 4, numjobs: 2 } },
    ];
    const host = { cores: 6, devices: { nvme0: { preset: 'nvme-tlc' } } };
    const a = run({ host, vms }), b = run({ host, vms: [vms[2], vms[0], vms[1]] });
    near(iops(a), iops(b), 0.02);
    near(lat(a), lat(b), 0.02);
    // And each VM's own figures, found by name.
    for (const v of a.vms) {
      const w = b.vms.find((x) => x.name === v.name)!;
      near(v.blk!.ios, w.blk!.ios, 0.05);
    }
  });
});
