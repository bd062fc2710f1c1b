import { describe, expect, it } from 'vitest';
import { dedicatedPins } from '../../src/scenario/kubevirt.js';
import { scenario, simulate } from '../helpers.js';

const vm = (policy: string, extra: object = {}, disks: object[] = [{ name: 'root', io: 'native' }]) => scenario({
  vm: { vcpus: 16 },
  kubevirt: { domain: { ioThreadsPolicy: policy, ioThreads: { supplementalPoolThreadCount: 4 }, devices: { blockMultiQueue: true, disks } }, ...extra },
});

describe('KubeVirt topology', () => {
  it('supplementalPool: queues = vCPUs round-robin over the pool; CPU request (16 + 4) x 0.1 = 2 cores', () => {
    const cfg = vm('supplementalPool').points[0].config(0);
    expect(cfg.vms[0].disks[0].numQueues).toBe(16);
    expect(new Set(cfg.vms[0].disks[0].vqContexts)).toEqual(new Set(['pool0', 'pool1', 'pool2', 'pool3']));
    expect(cfg.cpu!.cores).toBe(2);
    expect(vm('supplementalPool', { cpuAllocationRatio: 1 }).points[0].config(0).cpu!.cores).toBe(20);
  });

  it('the pool is shared across the VM\'s disks', () => {
    const cfg = vm('supplementalPool', {}, [{ name: 'a', io: 'native' }, { name: 'b', io: 'native' }]).points[0].config(0);
    expect(new Set([...cfg.vms[0].disks[0].vqContexts, ...cfg.vms[0].disks[1].vqContexts]).size).toBe(4);
  });

  it('shared: one iothread for every disk but dedicated ones; auto spreads disks; non-virtio gets the main loop', () => {
    const disks = [{ name: 'a' }, { name: 'b' }, { name: 'c', dedicatedIOThread: true }, { name: 'd', disk: { bus: 'sata' } }];
    const shared = vm('shared', {}, disks);
    const s = shared.points[0].config(0).vms[0].disks.map((d) => d.vqContexts[0]);
    expect(s).toEqual(['kubevirt-iothread1', 'kubevirt-iothread1', 'c-iothread', 'main-loop']);
    expect(shared.points[0].warnings.join('\n')).toMatch(/disk d on the sata bus gets no iothread/);
    expect(shared.points[0].config(0).cpu!.cores).toBe(2); // 16 / 10, rounded up
  });

  it('auto: a thread per shared disk, at most twice the VMI\'s CPU request less the dedicated ones', () => {
    const disks = [{ name: 'a' }, { name: 'b' }, { name: 'c', dedicatedIOThread: true }, { name: 'd', disk: { bus: 'sata' } }];
    const contexts = (resources?: object) => scenario({
      vm: { vcpus: 16 },
      kubevirt: { domain: { ioThreadsPolicy: 'auto', ...(resources ? { resources } : {}), devices: { disks } } },
    }).points[0].config(0).vms[0].disks.map((d) => d.vqContexts[0]);
    // No request: 1 CPU, so 2 threads, one of them the dedicated disk's (the sata disk counts too).
    expect(contexts()).toEqual(['kubevirt-iothread1', 'kubevirt-iothread1', 'c-iothread', 'main-loop']);
    // "1500m" rounds up to 2 CPUs: 4 threads, 3 shared.
    expect(contexts({ requests: { cpu: '1500m' } }).slice(0, 2)).toEqual(['kubevirt-iothread1', 'kubevirt-iothread2']);
    expect(contexts({ limits: { cpu: 2 } }).slice(0, 2)).toEqual(['kubevirt-iothread1', 'kubevirt-iothread2']);
  });

  it('no ioThreadsPolicy: no IOThreads, every disk in the main loop, unless a disk asks for a dedicated one', () => {
    const contexts = (disks: object[]) => scenario({ vm: { vcpus: 4 }, kubevirt: { domain: { devices: { disks } } } })
      .points[0].config(0).vms[0].disks.map((d) => d.vqContexts[0]);
    expect(contexts([{ name: 'a' }, { name: 'b' }])).toEqual(['main-loop', 'main-loop']);
    expect(contexts([{ name: 'a' }, { name: 'b', dedicatedIOThread: true }])).toEqual(['kubevirt-iothread1', 'b-iothread']);
  });

  it('networkInterfaceMultiqueue: a queue pair per vCPU, with mq', () => {
    const nic = scenario({
      vm: { vcpus: 6 },
      nic: { queues: 1 },
      net: { mode: 'rr' },
      kubevirt: { domain: { ioThreadsPolicy: 'shared', devices: { networkInterfaceMultiqueue: true, disks: [{ name: 'a' }] } } },
    }).points[0].config(0).vms[0].net!;
    expect([nic.nic.queues, nic.nic.combined]).toEqual([6, 6]);
  });

  it('warns where a disk does not qualify for the pool, and falls back as KubeVirt does', () => {
    const s = (machine: string) => scenario({
      vm: { vcpus: 8 },
      versions: { machine },
      kubevirt: { domain: { ioThreadsPolicy: 'supplementalPool', ioThreads: { supplementalPoolThreadCount: 4 }, devices: { blockMultiQueue: false, disks: [{ name: 'r', io: 'threads' }] } } },
    });
    // Without blockMultiQueue KubeVirt sets no queues: QEMU's default, one queue before 5.2 machine types.
    const old = s('5.1');
    const w = old.points[0].warnings.join('\n');
    expect(w).toMatch(/one queue without blockMultiQueue on a machine type before 5.2/);
    expect(w).toMatch(/io: threads; the supplementalPool guide asks for io: native/);
    const cfg = old.points[0].config(0);
    expect(cfg.vms[0].disks[0].numQueues).toBe(1);
    expect(cfg.vms[0].disks[0].aio).toBe('threads');
    const now = s('9.2');
    expect(now.points[0].config(0).vms[0].disks[0].numQueues).toBe(8);
    expect(now.points[0].warnings.join('\n')).not.toMatch(/one queue/);
  });

  it('supplementalPool needs its thread count', () => {
    expect(() => scenario({ vm: { vcpus: 2 }, kubevirt: { domain: { ioThreadsPolicy: 'supplementalPool', devices: { disks: [{ name: 'r' }] } } } }))
      .toThrow(/supplementalPoolThreadCount: required/);
  });
});

describe('KubeVirt dedicatedCpuPlacement', () => {
  const dedicated = (cpu: object, domain: object = {}, extra: object = {}) => ({
    vm: { vcpus: 4 },
    disk: { device: 'nvme-gen4' },
    kubevirt: { domain: { cpu: { dedicatedCpuPlacement: true, ...cpu }, ioThreadsPolicy: 'shared', devices: { blockMultiQueue: true, disks: [{ name: 'root' }] }, ...domain } },
    ...extra,
  });

  it('pins as FormatDomainIOThreadPin does: balanced slices, one core each, or IOThread 1 on the emulator\'s core', () => {
    const names = (n: number) => Array.from({ length: n }, (_, k) => `t${k + 1}`);
    // The converter's own example: 3 IOThreads over 8 vCPUs take 0-2, 3-5, 6-7.
    expect(dedicatedPins(8, names(3), false)).toMatchObject({ t1: [0, 1, 2], t2: [3, 4, 5], t3: [6, 7], vcpu7: [7] });
    // At least as many IOThreads as vCPUs: IOThread t on core t mod vCPUs.
    expect(dedicatedPins(2, names(3), false)).toMatchObject({ t1: [1], t2: [0], t3: [1] });
    const iso = dedicatedPins(4, names(2), true);
    expect([iso['main-loop'], iso.t1, iso.t2]).toEqual([[4], [4], undefined]);
  });

  it('the pod has a core per vCPU (and the emulator\'s), the guest its haltpoll driver', () => {
    const cfg = (cpu: object, extra?: object) => scenario(dedicated(cpu, {}, extra)).points[0].config(0);
    const plain = cfg({}), iso = cfg({ isolateEmulatorThread: true });
    expect([plain.cpu!.cores, iso.cpu!.cores]).toEqual([4, 5]);
    expect(plain.vms[0].pins).toMatchObject({ vcpu0: [0], 'kubevirt-iothread1': [0, 1, 2, 3] });
    expect(iso.vms[0].pins).toMatchObject({ vcpu3: [3], 'kubevirt-iothread1': [4], 'main-loop': [4] });
    expect(iso.vms[0].cpusets.vhost).toEqual([0, 1, 2, 3, 4]);
    // auto beside an isolated emulator: one IOThread for the shared disks, on the emulator's core.
    const auto = scenario(dedicated({ isolateEmulatorThread: true }, { ioThreadsPolicy: 'auto', resources: { requests: { cpu: 4 } }, devices: { disks: [{ name: 'a' }, { name: 'b' }] } }));
    expect(auto.points[0].config(0).vms[0].disks.map((d) => d.vqContexts[0])).toEqual(['kubevirt-iothread1', 'kubevirt-iothread1']);
    // hint-dedicated loads cpuidle-haltpoll (guest Linux 5.4 on), which turns KVM's polling off.
    expect(plain.vms[0].haltPoll.yieldsToRunnable).toBe(false);
    expect(cfg({}, { versions: { guest_kernel: '4.18' } }).vms[0].haltPoll.yieldsToRunnable).toBe(true);
    expect(cfg({}, { host: { guest_haltpoll: false } }).vms[0].haltPoll.yieldsToRunnable).toBe(true);
    expect(() => scenario(dedicated({}, {}, { host: { cores: 3 } }))).toThrow(/host\.cores: the VM's dedicatedCpuPlacement takes 4 cores/);
    expect(() => scenario(dedicated({ dedicatedCpuPlacement: false, isolateEmulatorThread: true })))
      .toThrow(/kubevirt\.domain\.cpu\.isolateEmulatorThread: only with dedicatedCpuPlacement/);
  });

  it('on a node, each dedicated VM takes cores of its own and the other VMs share the rest', () => {
    const vmEntry = (count: number, cpu?: object) => ({ count, ...dedicated(cpu ?? {}), ...(cpu ? {} : { kubevirt: undefined }) });
    const cfg = scenario({ host: { cores: 12 }, vms: [{ name: 'd', ...vmEntry(2, {}) }, { name: 's', ...vmEntry(1) }] }).points[0].config(0);
    expect(cfg.vms.map((v) => v.pins.vcpu0 ?? v.cpusets.vcpu)).toEqual([[0], [4], [8, 9, 10, 11]]);
    expect(() => scenario({ host: { cores: 7 }, vms: [{ name: 'd', ...vmEntry(2, {}) }] }))
      .toThrow(/vms\.0\.kubevirt\.domain\.cpu\.dedicatedCpuPlacement: the dedicated-CPU VMs need 8 or more cores/);
  });

  it('isolateEmulatorThread gives IOThread 1 a core the polling vCPUs do not hold; its thread-pool workers follow it', () => {
    const run = (cpu: object, io = 'native') => simulate({
      duration: '40ms', warmup: '5ms', ...dedicated(cpu, { devices: { blockMultiQueue: true, disks: [{ name: 'root', io }] } }),
      job: { rw: 'randread', bs: '4k', iodepth: 16, numjobs: 4 },
    }).result;
    const p99 = (r: ReturnType<typeof run>) => r.latency.quantile(0.99);
    const onVcpuCores = run({}), isolated = run({ isolateEmulatorThread: true });
    // On the vCPUs' cores the iothread waits out the slices of vCPUs that poll in the guest.
    expect(p99(onVcpuCores)).toBeGreaterThan(3 * p99(isolated));
    const threads = run({ isolateEmulatorThread: true }, 'threads');
    const onCore4 = threads.threads.filter((t) => t.role !== 'vcpu').reduce((s, t) => s + t.busyNs + t.pollNs, 0) / threads.windowNs;
    expect(threads.threads.filter((t) => t.role === 'aio-worker').length).toBeGreaterThan(0);
    expect(onCore4).toBeLessThanOrEqual(1.0001); // iothread, main loop and workers share the emulator's core
  });
});
