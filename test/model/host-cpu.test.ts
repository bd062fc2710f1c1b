import { describe, expect, it } from 'vitest';
import { CSTATE_TABLES, exitLatencyNs } from '../../src/model/host/cstates.js';
import { adjustHaltPollNs, GUEST_HALTPOLL, KVM_HALT_POLL } from '../../src/model/host/halt-polling.js';
import { summarize } from '../../src/stats/summary.js';
import { simulate } from '../helpers.js';

describe('KVM halt polling (kvm_vcpu_halt) and guest haltpoll', () => {
  it('grows from grow_start by x2 to halt_poll_ns after short halts, and drops after a long one', () => {
    let ns = 0;
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) seen.push((ns = adjustHaltPollNs(ns, Math.min(ns + 1, 199_999), KVM_HALT_POLL)));
    expect(seen).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 200_000]);
    expect(adjustHaltPollNs(80_000, 50_000, KVM_HALT_POLL)).toBe(80_000);
  });

  it('a long halt halves the window since Linux 6.11 (halt_poll_ns_shrink 2) and reset it before (0)', () => {
    expect(adjustHaltPollNs(200_000, 300_000, KVM_HALT_POLL)).toBe(100_000);
    expect(adjustHaltPollNs(15_000, 300_000, KVM_HALT_POLL)).toBe(0);
    expect(adjustHaltPollNs(200_000, 300_000, { ...KVM_HALT_POLL, shrink: 0 })).toBe(0);
    const b = (v: string) => simulate({ ...qd1, versions: { host_kernel: v } }).host.config.vms[0].haltPoll.shrink;
    expect([b('6.11'), b('6.10'), b('6.8'), b('5.14')]).toEqual([2, 0, 0, 0]);
  });

  it('the guest haltpoll governor shrinks by 2 and resets below grow_start', () => {
    expect(adjustHaltPollNs(0, 1000, GUEST_HALTPOLL)).toBe(50_000);
    expect(adjustHaltPollNs(200_000, 300_000, GUEST_HALTPOLL)).toBe(100_000);
    expect(adjustHaltPollNs(80_000, 300_000, GUEST_HALTPOLL)).toBe(0);
  });

  it('before Linux 4.3 every halt polls the whole halt_poll_ns: no growing, no shrinking', () => {
    const fixed = { ...KVM_HALT_POLL, adaptive: false };
    expect([adjustHaltPollNs(0, 1000, fixed), adjustHaltPollNs(200_000, 5e6, fixed)]).toEqual([200_000, 200_000]);
    // One I/O a millisecond: halts of ~1 ms, past the window. Linux 4.3 resets the window to 0 after
    // the first; 4.2 polls 200 us of each.
    const sparse = (v: string) => summarize(simulate({ ...qd1, versions: { host_kernel: v }, job: { iodepth: 1, rate_iops: 1000 } }).result);
    expect(sparse('4.3').vcpu_poll_pct).toBeLessThan(2);
    const fixedPoll = sparse('4.2').vcpu_poll_pct;
    expect(fixedPoll).toBeGreaterThan(15);
    expect(fixedPoll).toBeLessThan(25);
  });

  const qd1 = {
    duration: '100ms', warmup: '10ms', vm: { vcpus: 1 },
    disk: { device: 'optane' }, job: { iodepth: 1 },
  };

  it('a vCPU woken within its window pays no wake-up: lower latency, more CPU', () => {
    const on = summarize(simulate(qd1).result);
    const off = summarize(simulate({ ...qd1, host: { halt_poll_ns: 0 } }).result);
    expect(on.lat_mean_us).toBeLessThan(off.lat_mean_us - 3);
    expect(on.vcpu_poll_pct).toBeGreaterThan(10);
    expect(off.vcpu_poll_pct).toBe(0);
  });

  it('a hit of KVM\'s halt polling still pays the HLT exit and the VM entry; the guest\'s haltpoll, polling in guest mode, does not', () => {
    const exact = { ...qd1, exact_costs: true, costs: { halt_poll_reentry_ns: '1us' } };
    const kvm = summarize(simulate(exact).result);
    const guest = summarize(simulate({ ...exact, host: { guest_haltpoll: true } }).result);
    // One halt per I/O (waiting for its completion), nearly each caught by the window in both (1 us each).
    expect(kvm.vcpu_poll_pct).toBeGreaterThan(10);
    expect(guest.vcpu_poll_pct).toBeGreaterThan(10);
    expect(kvm.lat_mean_us - guest.lat_mean_us).toBeGreaterThan(0.8);
    expect(kvm.lat_mean_us - guest.lat_mean_us).toBeLessThan(1.1);
  });
});

describe('host cores shared by the VM\'s threads', () => {
  const base = {
    duration: '100ms', warmup: '10ms', vm: { vcpus: 8 },
    disk: { device: 'nvme-gen4', handler: 'pool', iothreads: 4 },
    job: { iodepth: 32, numjobs: 8 },
  };

  it('fewer cores than busy threads: throughput bounded by the cores, threads wait for one', () => {
    const free = summarize(simulate(base).result);
    const two = summarize(simulate({ ...base, host: { cores: 2 } }).result);
    expect(two.iops).toBeLessThan(free.iops * 0.6);
    expect(two.host_core_util_pct).toBeGreaterThan(95);
    expect(two.runq_wait_us).toBeGreaterThan(0);
    expect(two.host_cpus).toBeLessThanOrEqual(2.0001);
  });

  it('cpusets confine roles to their cores', () => {
    const { result } = simulate({ ...base, host: { cores: 4, cpusets: { vcpu: '0-2', iothread: '3' } } });
    const iothreads = result.threads.filter((t) => t.role === 'iothread');
    const total = iothreads.reduce((s, t) => s + t.busyNs + t.pollNs, 0) / result.windowNs;
    expect(total).toBeLessThanOrEqual(1.0001); // four iothreads on one core
  });

  it('a core handed from one thread straight to a waiting one pays a context switch', () => {
    // One core for the vCPU and the iothread, both with work: the core is the bound, and each hand-off
    // from one to the other (a halt, a block, a slice's end) costs it a switch.
    const oneCore = (ns: number) => simulate({
      duration: '100ms', warmup: '5ms', exact_costs: true, vm: { vcpus: 1 }, costs: { context_switch_ns: `${ns}ns` },
      host: { cores: 1, halt_poll_ns: 0 }, disk: { device: 'optane', handler: 'dedicated' }, job: { iodepth: 16 },
    });
    const free = oneCore(0), paid = oneCore(2000);
    const switchesOf = (r: typeof free) => r.host.cpu!.switches / r.result.ios;
    expect(switchesOf(paid)).toBeGreaterThan(0.05);
    // Core time per I/O grows by what its switches cost: their count per I/O moves with the cost (slower
    // hand-offs change how requests batch), so the mean of the two runs' counts is the measure.
    const switchesPerIo = (switchesOf(free) + switchesOf(paid)) / 2;
    const perIo = (r: typeof free) => r.result.windowNs / r.result.ios;
    const added = perIo(paid) - perIo(free);
    expect(added / (switchesPerIo * 2000)).toBeGreaterThan(0.8);
    expect(added / (switchesPerIo * 2000)).toBeLessThan(1.3);
  });

  it('a deep C-state adds its exit latency to a wake-up', () => {
    const light = { ...qd1Like(), host: { halt_poll_ns: 0 } };
    const shallow = summarize(simulate(light).result);
    const deep = summarize(simulate({ ...light, host: { halt_poll_ns: 0, cstates: [{ exit: '50us', residency: '20us' }] } }).result);
    expect(deep.lat_mean_us).toBeGreaterThan(shallow.lat_mean_us + 50);
  });

  it('a woken core pays the exit latency of the deepest idle state its idle period reached', () => {
    const skx = CSTATE_TABLES.skx;
    expect([1e3, 5e3, 25e3, 1e6].map((t) => exitLatencyNs(skx, t))).toEqual([0, 2e3, 10e3, 133e3]);
    expect(exitLatencyNs(CSTATE_TABLES.none, 1e9)).toBe(0);
  });

  it('C-states slow a QD1 main loop, which sleeps twice per I/O, and not an iothread that polls through', () => {
    const run = (handler: string, cstates: string) => summarize(simulate({
      duration: '100ms', warmup: '10ms', vm: { vcpus: 1 }, host: { cstates },
      disk: { device: 'optane', handler }, job: { iodepth: 1 },
    }).result).lat_mean_us;
    // Its two waits (for the kick, for the device's 10 us) reach C1 (2 us exit on Skylake-SP), not C1E's 20 us.
    const main = run('main-loop', 'skx') - run('main-loop', 'none');
    expect(main).toBeGreaterThan(3.5);
    expect(main).toBeLessThan(6);
    expect(Math.abs(run('dedicated', 'skx') - run('dedicated', 'none'))).toBeLessThan(0.05);
  });

  it('NUMA-remote threads pay the factor on their costs', () => {
    const local = summarize(simulate({ ...base, host: { cores: 0 } }).result);
    const remote = summarize(simulate({ ...base, host: { numa_remote: ['iothread'], numa_remote_factor: 1.5 } }).result);
    expect(remote.iops).toBeLessThan(local.iops * 0.8);
  });
});

function qd1Like() {
  return { duration: '100ms', warmup: '10ms', vm: { vcpus: 1 }, disk: { device: 'nvme-gen3', handler: 'dedicated' }, job: { iodepth: 1, rate_iops: 2000 } };
}
