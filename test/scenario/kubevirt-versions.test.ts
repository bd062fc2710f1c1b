import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { importCommand } from '../../src/cli/import.js';
import { podCpus } from '../../src/scenario/kubevirt.js';
import type { VmSection } from '../../src/scenario/schema.js';
import { scenario } from '../helpers.js';

/**
 * versions.kubevirt against what each release's renderer (pkg/virt-controller/services/renderresources.go)
 * and converter (pkg/virt-launcher/virtwrap/converter/vcpu/vcpu.go) produce for the same VM, the
 * expected values taken from their own tests and issues where they have them.
 */
const pooled = (vcpus: number, pool: number, cpu: object, kubevirt?: string, extra: object = {}) => ({
  ...(kubevirt ? { versions: { kubevirt } } : {}),
  vm: { vcpus },
  kubevirt: {
    domain: {
      cpu, ioThreadsPolicy: 'supplementalPool', ioThreads: { supplementalPoolThreadCount: pool },
      devices: { blockMultiQueue: true, disks: [{ name: 'root', io: 'native' }] },
    },
    ...extra,
  },
  job: { iodepth: 4 },
});
const config = (obj: object) => scenario(obj).points[0].config(0);
const dedicated = { dedicatedCpuPlacement: true };
const isolated = { dedicatedCpuPlacement: true, isolateEmulatorThread: true };
/** One dedicated-CPU VM of `first` cores ahead, so the VM under test's pod starts at host CPU `first`. */
const afterPod = (first: number, { versions, ...vm }: { versions?: object }) => ({
  versions,
  host: { cores: 16 },
  vms: [{ name: 'first', vm: { vcpus: first }, kubevirt: { domain: { cpu: dedicated, devices: { disks: [{ name: 'r' }] } } }, job: { iodepth: 1 } }, { name: 'vm', ...vm }],
});

describe('versions.kubevirt: the pod\'s CPUs', () => {
  it('counts a CPU per supplemental-pool thread in the request from 1.6 (kubevirt#14569): (8 + 4) / 10 = 1.2, two cores', () => {
    expect(config(pooled(8, 4, {}, '1.5')).cpu!.cores).toBe(1);
    expect(config(pooled(8, 4, {}, '1.6')).cpu!.cores).toBe(2);
    expect(config(pooled(8, 4, {})).cpu!.cores).toBe(2);
  });

  it('gives a dedicated pod vCPUs + pool + the emulator\'s (renderresources_test: 5 + 2 + 1 = 8; 2 + 4 + 1 = 7)', () => {
    // The pod as rendered; before 1.9 such a VM then fails at its pins (below).
    const pod = (vcpus: number, pool: number, cpu: object, release: string) => podCpus(pooled(vcpus, pool, cpu) as unknown as VmSection, release);
    expect(pod(5, 2, isolated, '1.8')).toBe(8);
    expect(pod(2, 4, isolated, '1.8')).toBe(7);
    expect(config(pooled(4, 2, dedicated, '1.9')).cpu!.cores).toBe(6);
    // 1.5: the emulator's CPU and the pool's were added to the limit, which then held vCPUs + 1 + pool;
    expect(pod(5, 2, isolated, '1.5')).toBe(8);
    // without the emulator's, the pool's count took the vCPUs' place.
    expect(pod(2, 4, dedicated, '1.5')).toBe(4);
    expect(() => config(pooled(4, 2, dedicated, '1.5'))).toThrow(/gives this dedicated-CPU pod 2 CPUs, the pool's count.*4 vCPUs do not fit/);
  });

  it('refuses supplementalPool before 1.5, and sockets that do not divide the vCPUs', () => {
    expect(() => config(pooled(4, 2, {}, '1.4'))).toThrow(/supplementalPool arrived in KubeVirt 1\.5/);
    expect(() => config(pooled(4, 2, { sockets: 3 }))).toThrow(/3 sockets do not divide vm\.vcpus 4/);
  });
});

describe('versions.kubevirt: where the pool\'s IOThreads are pinned', () => {
  it('1.9 (kubevirt#16996): each on a pod CPU of its own after the vCPUs, then the emulator (converter_test: cpuset 5-12)', () => {
    const vm = config(afterPod(5, pooled(2, 2, isolated, '1.9'))).vms[1];
    expect(vm.pins).toEqual({ vcpu0: [5], vcpu1: [6], pool0: [7], pool1: [8], 'main-loop': [9] });
    const noEmulator = config(afterPod(5, pooled(2, 2, dedicated, '1.9'))).vms[1];
    expect(noEmulator.pins).toEqual({ vcpu0: [5], vcpu1: [6], pool0: [7], pool1: [8] });
  });

  it('1.6-1.8: to host CPU (vCPUs with hot-plug) + i + 1, here 10, outside the pod\'s 1-4: the VM does not start (kubevirt#16992)', () => {
    expect(() => config(afterPod(1, pooled(2, 1, { ...isolated, sockets: 2 }, '1.8'))))
      .toThrow(/vms\.1\.kubevirt\.domain\.ioThreads\.supplementalPoolThreadCount: KubeVirt 1\.8 pins pool IOThread 1 to host CPU 10 \(the domain's 8 vCPUs.*kubevirt#16992.*the pod's CPUs: 1-4/);
  });

  it('before 1.6 (no hot-plug sockets by default) the number can fall inside the pod: then the IOThread runs there', () => {
    // 2 vCPUs + 1 + 1 = CPU 4: the pod's last CPU when it starts at 1, outside when it starts at 0.
    const vm = config(afterPod(1, pooled(2, 1, isolated, '1.5'))).vms[1];
    expect(vm.pins).toEqual({ vcpu0: [1], vcpu1: [2], 'main-loop': [3], pool0: [4] });
    expect(() => config(pooled(2, 1, isolated, '1.5'))).toThrow(/host CPU 4/);
    // A maxSockets of the VM's own sizes the domain as 1.6+ would.
    expect(() => config(afterPod(1, pooled(2, 1, { ...isolated, sockets: 2, maxSockets: 2 }, '1.8')))).not.toThrow();
  });

  it('leaves the shared and auto policies\' pins as they were', () => {
    const shared = { ...pooled(4, 2, isolated, '1.8'), kubevirt: { domain: { cpu: isolated, ioThreadsPolicy: 'shared', devices: { disks: [{ name: 'root' }] } } } };
    expect(config(shared).vms[0].pins).toEqual(config({ ...shared, versions: { kubevirt: '1.9' } }).vms[0].pins);
  });
});

describe('versions.kubevirt: the virtio-scsi controller (1.10, VEP 342, SCSIMultiIOThread)', () => {
  const scsi = (kubevirt: string, gates: string[]) => ({
    versions: { kubevirt, qemu: '10.0' },
    vm: { vcpus: 4 },
    kubevirt: {
      featureGates: gates,
      domain: { ioThreadsPolicy: 'supplementalPool', ioThreads: { supplementalPoolThreadCount: 2 }, devices: { disks: [{ name: 'lun', disk: { bus: 'scsi' } }] } },
    },
    job: { iodepth: 4 },
  });
  const contexts = (obj: object) => [...new Set(config(obj).vms[0].disks[0].vqContexts)];

  it('spreads the controller\'s queues over the whole pool with the gate on 1.10; the main loop otherwise', () => {
    expect(contexts(scsi('1.10', ['SCSIMultiIOThread']))).toEqual(['pool0', 'pool1']);
    expect(contexts(scsi('1.10', []))).toEqual(['main-loop']);
    expect(contexts(scsi('1.9', ['SCSIMultiIOThread']))).toEqual(['main-loop']);
  });

  it('gives it the shared IOThread, or every auto one', () => {
    const policy = (p: string) => ({ ...scsi('1.10', ['SCSIMultiIOThread']), kubevirt: { featureGates: ['SCSIMultiIOThread'], domain: { ioThreadsPolicy: p, devices: { disks: [{ name: 'lun', disk: { bus: 'scsi' } }] } } } });
    expect(contexts(policy('shared'))).toEqual(['kubevirt-iothread1']);
    expect(contexts(policy('auto'))).toEqual(['kubevirt-iothread1']);
  });

  it('needs QEMU 10.0 (iothread-vq-mapping on virtio-scsi) for a pool', () => {
    expect(() => config({ ...scsi('1.10', ['SCSIMultiIOThread']), versions: { kubevirt: '1.10', qemu: '9.2' } })).toThrow(/QEMU 10\.0/);
  });
});

describe('import kubevirt: the release and the hot-plug sockets', () => {
  const vmi = (status: object, cpu: object = { sockets: 2, cores: 2 }) => [
    'apiVersion: kubevirt.io/v1', 'kind: VirtualMachineInstance', 'metadata: { name: v }',
    `spec: { domain: { cpu: ${JSON.stringify(cpu)}, devices: { disks: [{ name: r, disk: { bus: virtio } }] } } }`,
    `status: ${JSON.stringify(status)}`,
  ].join('\n');
  const imported = (text: string, release?: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-kv-'));
    writeFileSync(join(dir, 'vmi.yaml'), text);
    return parse(importCommand('kubevirt', join(dir, 'vmi.yaml'), [], { kubevirt: release }).text) as { versions?: { kubevirt?: string }; kubevirt: { domain: { cpu: object } } };
  };

  it('reads it from the VMI\'s virt-launcher tag, or --kubevirt; a digest says nothing', () => {
    expect(imported(vmi({ launcherContainerImageVersion: 'quay.io/kubevirt/virt-launcher:v1.8.2' })).versions?.kubevirt).toBe('1.8');
    expect(imported(vmi({ launcherContainerImageVersion: 'registry.example/virt-launcher@sha256:0123abcd' })).versions?.kubevirt).toBeUndefined();
    expect(imported(vmi({}), '1.6').versions?.kubevirt).toBe('1.6');
    expect(() => imported(vmi({}), 'latest')).toThrow(/--kubevirt: expected a release such as 1\.8/);
  });

  it('keeps sockets and maxSockets, which size the domain a pre-1.9 pool pin counts from', () => {
    expect(imported(vmi({}, { sockets: 2, cores: 2, maxSockets: 8 })).kubevirt.domain.cpu).toEqual({ sockets: 2, maxSockets: 8 });
  });
});
