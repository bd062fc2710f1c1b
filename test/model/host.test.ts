import { describe, expect, it } from 'vitest';
import { runOutputs, runScenario } from '../../src/cli/run.js';
import { simulatePoint } from '../../src/run/simulate.js';
import { Host } from '../../src/model/host.js';
import { scenario } from '../helpers.js';

const short = { duration: '20ms', warmup: '2ms' };
const qd = (iodepth: number) => ({ rw: 'randread', iodepth });

/** Runs the first point of a host-form scenario object. */
function host(obj: object) {
  const cfg = scenario({ ...short, ...obj }).points[0].config(0);
  const h = new Host(cfg);
  return { host: h, result: h.run(), cfg };
}

const iopsOf = (r: { ios: number; windowNs: number }) => r.ios / (r.windowNs / 1e9);

describe('a host with many VMs (the host form)', () => {
  it('count stamps out identical VMs, each with its own random streams', () => {
    const { result } = host({ vms: [{ name: 'web', count: 3, vm: { vcpus: 1 }, job: qd(4) }] });
    expect(result.vms.map((v) => v.name)).toEqual(['web-0', 'web-1', 'web-2']);
    const ios = result.vms.map((v) => v.blk!.ios);
    // Each VM draws its own service times: no two VMs' results are the same (their I/O counts alone may be).
    expect(new Set(result.vms.map((v) => JSON.stringify(v.blk))).size).toBe(3);
    for (const n of ios) expect(Math.abs(n / ios[0] - 1)).toBeLessThan(0.1);
  });

  it('disks naming a host device share it: one queue depth, one service', () => {
    const dev = { queue_depth: 8, parallelism: 1, read: { dist: 'constant', value: '100us' }, iops_cap: 0, bw_cap_mib_s: 0 };
    const two = (device: unknown, devices: object = {}) => host({
      duration: '100ms', host: { devices }, vms: [{ count: 2, vm: { vcpus: 1 }, disk: { device }, job: qd(8) }],
    });
    const shared = two('nvme0', { nvme0: dev });
    const own = two(dev);
    expect(shared.host.blk.devices).toHaveLength(1);
    expect(shared.host.blk.devices[0].maxAdmitted).toBe(8);
    expect(own.host.blk.devices).toHaveLength(2);
    const total = (r: typeof shared.result) => r.vms.reduce((s, v) => s + iopsOf(v.blk!), 0);
    // One device serving one request at a time, 100 us each: 10 k IOPS for both VMs together.
    expect(total(shared.result)).toBeGreaterThan(9_800);
    expect(total(shared.result)).toBeLessThan(10_050);
    expect(total(own.result) / total(shared.result)).toBeGreaterThan(1.9);
  });

  it('VMs on a host of few cores compete for them; a cpuset confines a VM to its cores', () => {
    const vm = { vm: { vcpus: 2 }, disk: { device: 'null_blk' }, job: { ...qd(16), numjobs: 2 } };
    const alone = host({ host: { cores: 4 }, vms: [vm] });
    const crowded = host({ host: { cores: 4 }, vms: [{ ...vm, count: 4 }] });
    expect(iopsOf(crowded.result.vms[0].blk!)).toBeLessThan(0.6 * iopsOf(alone.result.vms[0].blk!));
    const pinned = host({ host: { cores: 4 }, vms: [{ ...vm, cpuset: '0-1' }] });
    expect(pinned.result.coreUtil[2] + pinned.result.coreUtil[3]).toBe(0);
    expect(pinned.result.coreUtil[0]).toBeGreaterThan(0.5);
    const node1 = host({ host: { cores: 4, numa_nodes: 2 }, vms: [{ ...vm, numa_node: 1 }] });
    expect(node1.result.coreUtil[0] + node1.result.coreUtil[1]).toBe(0);
  });

  it('a VM with a disk and a NIC runs fio and its flows on the same vCPUs', () => {
    const vm = { vm: { vcpus: 1 }, disk: { device: 'optane' }, job: { ...qd(1), rate_iops: 20000 } };
    const net = { nic: {}, net: { mode: 'rr', flows: 4, msg_size: 512, rate: 5000 }, peer: { target: 'host' } };
    const both = host({ vms: [{ ...vm, ...net }] }).result.vms[0];
    const disk = host({ vms: [vm] }).result.vms[0];
    expect(both.blk!.ios).toBeGreaterThan(0);
    expect(both.net!.transactions).toBeGreaterThan(0);
    const vcpuBusy = (threads: { role: string; busyNs: number }[]) => threads.filter((t) => t.role === 'vcpu').reduce((s, t) => s + t.busyNs, 0);
    expect(vcpuBusy(both.threads)).toBeGreaterThan(1.5 * vcpuBusy(disk.threads));
    expect(both.blk!.latency.mean).toBeGreaterThan(disk.blk!.latency.mean);
  });

  it('with host.nic every VM\'s traffic shares the host\'s line rate; without it each VM has its own wire', () => {
    const vm = { count: 2, vm: { vcpus: 2 }, nic: { queues: 2, mq: true }, net: { flows: 4, msg_size: '64k', window: 8 } };
    const gbit = (r: ReturnType<typeof host>['result']) => r.vms.reduce((s, v) => s + (v.net!.bytes * 8) / v.net!.windowNs, 0);
    const shared = host({ host: { nic: { line_rate_gbit: 10 } }, vms: [vm] });
    const own = host({ vms: [{ ...vm, peer: { line_rate_gbit: 10 } }] });
    expect(gbit(shared.result)).toBeLessThan(10.05);
    expect(gbit(shared.result)).toBeGreaterThan(9);
    expect(gbit(own.result)).toBeGreaterThan(1.8 * gbit(shared.result));
    expect(() => scenario({ host: { nic: { line_rate_gbit: 10 } }, vms: [{ ...vm, peer: { line_rate_gbit: 10 } }] }))
      .toThrow(/vms\.0\.peer\.line_rate_gbit: the VMs share the host's NIC/);
  });

  it('the single-VM form is a host with one VM: its outputs keep their columns', () => {
    const s = scenario({ ...short, vm: { vcpus: 1 }, job: qd(1) });
    const run = runScenario(s);
    expect(run.columns[0]).toBe('variant');
    expect(run.columns).not.toContain('vm');
    expect(simulatePoint(s.points[0].config(0)).result.vms[0].name).toBe('');
  });

  it('summary.csv: a row per vms entry (VMs pooled, rates per VM, their spread) and a host row; threads.csv names each VM', async () => {
    const s = scenario({
      ...short,
      vms: [
        { name: 'db', vm: { vcpus: 1 }, job: qd(1) },
        { name: 'batch', count: 2, vm: { vcpus: 1 }, job: qd(8) },
      ],
    });
    const run = runScenario(s);
    expect(run.summaries.map((r) => r.vm)).toEqual(['db', 'batch', 'host']);
    const [db, batch, hostRow] = run.summaries as Record<string, number>[];
    expect(batch.vms).toBe(2);
    expect(batch.min_iops).toBeLessThanOrEqual(batch.iops);
    expect(batch.max_iops).toBeGreaterThanOrEqual(batch.iops);
    expect(hostRow.iops).toBeCloseTo(db.iops + 2 * batch.iops, -1);
    const files = await runOutputs(run);
    expect(files['summary.csv'].split('\n')[0]).toMatch(/^variant,vm,vms,iops,/);
    expect(files['threads.csv']).toMatch(/^variant,vm,thread,role/);
    expect(files['threads.csv']).toContain('base,batch-1,vcpu0,vcpu');
    expect(files['latency.csv']).toMatch(/^variant,vm,lat_upper_us/);
    const again = await runOutputs(runScenario(s));
    expect(again).toEqual(files);
  });

  it('variants set any path, a vms entry\'s count included; count 0 leaves the entry out', () => {
    const s = scenario({
      ...short,
      vms: [{ name: 'a', vm: { vcpus: 1 }, job: qd(1) }, { name: 'b', count: 1, vm: { vcpus: 1 }, job: qd(1) }],
      variants: [{ name: 'none', set: { 'vms.1.count': 0 } }, { name: 'three', set: { 'vms.1.count': 3 } }],
    });
    expect(s.points.map((p) => p.config(0).vms.length)).toEqual([1, 4]);
  });

  it('bad host forms: one message naming the field', () => {
    const vms = [{ vm: { vcpus: 1 } }];
    expect(() => scenario({ vms, job: qd(1) })).toThrow(/test\.yaml:\d+: job: with vms: \(the host form\), each VM's settings go in its vms entry/);
    expect(() => scenario({ vms: [{ count: 0, vm: { vcpus: 1 } }] })).toThrow(/vms: no VM to run/);
    expect(() => scenario({ host: { cores: 4 }, vms: [{ vm: { vcpus: 1 }, cpuset: '2-5' }] })).toThrow(/vms\.0\.cpuset: core 4 is not among the 4 host cores/);
    expect(() => scenario({ host: { cores: 4, numa_nodes: 2 }, vms: [{ vm: { vcpus: 1 }, numa_node: 2 }] })).toThrow(/vms\.0\.numa_node: the host has 2 NUMA nodes/);
    expect(() => scenario({ vms: [{ name: 'x', vm: { vcpus: 1 } }, { name: 'x', vm: { vcpus: 1 } }] })).toThrow(/vms\.1\.name: VM name "x" is used twice/);
    expect(() => scenario({ vms: [{ vm: { vcpus: 1 }, disk: { device: 'nvme9' } }] })).toThrow(/vms\.0\.disk\.device: no device named "nvme9"/);
    expect(() => scenario({ job: qd(1) })).toThrow(/vm: required/);
  });
});
