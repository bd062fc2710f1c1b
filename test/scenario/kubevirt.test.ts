import { describe, expect, it } from 'vitest';
import { scenario } from '../helpers.js';

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
      kubevirt: { domain: { ioThreadsPolicy: 'shared', devices: { networkInterfaceMultiqueue: true, disks: [{ name: 'a' }] } } },
    }).points[0].config(0).vms[0].net!;
    expect([nic.nic.queues, nic.nic.combined]).toEqual([6, 6]);
  });

  it('warns where a disk does not qualify for the pool, and falls back as KubeVirt does', () => {
    const s = scenario({
      vm: { vcpus: 8 },
      kubevirt: { domain: { ioThreadsPolicy: 'supplementalPool', ioThreads: { supplementalPoolThreadCount: 4 }, devices: { blockMultiQueue: false, disks: [{ name: 'r', io: 'threads' }] } } },
    });
    const w = s.points[0].warnings.join('\n');
    expect(w).toMatch(/one queue without blockMultiQueue/);
    expect(w).toMatch(/io: threads; the supplementalPool guide asks for io: native/);
    const cfg = s.points[0].config(0);
    expect(cfg.vms[0].disks[0].numQueues).toBe(1);
    expect(cfg.vms[0].disks[0].aio).toBe('threads');
  });

  it('supplementalPool needs its thread count', () => {
    expect(() => scenario({ vm: { vcpus: 2 }, kubevirt: { domain: { ioThreadsPolicy: 'supplementalPool', devices: { disks: [{ name: 'r' }] } } } }))
      .toThrow(/supplementalPoolThreadCount: required/);
  });
});
