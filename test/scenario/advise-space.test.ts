import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { adviseSpace, currentSetting, poolSizes, vmFacts } from '../../src/scenario/advise/space.js';
import { settingTerms } from '../../src/scenario/advise/terms.js';
import { platformOf } from '../../src/cli/advise.js';
import { scenario } from '../helpers.js';
import { readFileSync } from 'node:fs';

const vm = { vm: { vcpus: 8 }, disk: { 'num-queues': 4, aio: 'native', handler: 'pool', iothreads: 6 }, job: { iodepth: 8 } };

describe('the settings advise tries', () => {
  it('tries every pool size to 8, then doublings and the bound', () => {
    expect(poolSizes(1)).toEqual([]);
    expect(poolSizes(6)).toEqual([2, 3, 4, 5, 6]);
    expect(poolSizes(32)).toEqual([2, 3, 4, 5, 6, 7, 8, 16, 32]);
    expect(poolSizes(24)).toEqual([2, 3, 4, 5, 6, 7, 8, 16, 24]);
  });

  it('reads the current setting from the resolved disks', () => {
    const f = vmFacts(scenario(vm).points[0].config(0));
    // A pool of 6 over 4 queues serves them with 4 threads.
    expect(currentSetting(f)).toEqual({ threads: 4, queues: 4, aio: 'native' });
  });

  it('crosses handlers, queues (as given and one per vCPU) and engines; no pool larger than the queues', () => {
    const f = vmFacts(scenario(vm).points[0].config(0));
    const { engines, candidates } = adviseSpace(vm, f, { platform: 'scenario' });
    expect(engines).toEqual(['native', 'io_uring']);
    const at4 = candidates.filter((c) => c.setting.queues === 4).map((c) => c.setting.threads);
    expect([...new Set(at4)]).toEqual([0, 1, 2, 3, 4]);
    const at8 = candidates.filter((c) => c.setting.queues === 8).map((c) => c.setting.threads);
    expect([...new Set(at8)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const pool = candidates.find((c) => c.name === 'iothreads-3-q8-io_uring')!;
    expect(pool.set).toMatchObject({ 'disk.handler': 'pool', 'disk.iothreads': 3, 'disk.num-queues': 8, 'disk.aio': 'io_uring', 'disk.iothread': null });
    // --max-iothreads bounds the pools; the current size is tried whatever the bound.
    expect([...new Set(adviseSpace(vm, f, { platform: 'scenario', maxIothreads: 2 }).candidates.map((c) => c.setting.threads))]).toEqual([0, 1, 2, 4]);
  });

  it('bounds a pool by the host cores the VM shares (and tries the current size beyond it)', () => {
    const sizes = (doc: typeof vm & object) => [...new Set(adviseSpace(doc, vmFacts(scenario(doc).points[0].config(0)), { platform: 'scenario' }).candidates.map((c) => c.setting.threads))];
    expect(sizes({ ...vm, disk: { ...vm.disk, iothreads: 2 }, host: { cores: 3 } } as typeof vm)).toEqual([0, 1, 2, 3]);
    expect(sizes({ ...vm, host: { cores: 3 } } as typeof vm)).toEqual([0, 1, 2, 3, 4]);
  });

  it('varies a KubeVirt VM through its own fields', () => {
    const doc = parse(readFileSync('scenarios/kubevirt-supplemental-pool.yaml', 'utf8')) as Record<string, unknown>;
    delete doc.variants;
    const f = vmFacts(scenario(doc).points[0].config(0));
    const { engines, candidates } = adviseSpace(doc, f, { platform: 'kubevirt' });
    expect(engines).toEqual(['native']);
    expect(Math.max(...candidates.map((c) => c.setting.threads))).toBe(16);
    const main = candidates.find((c) => c.setting.threads === 0)!;
    expect(main.set).toMatchObject({ 'kubevirt.domain.ioThreadsPolicy': null, 'kubevirt.domain.devices.blockMultiQueue': true });
    expect(candidates.find((c) => c.setting.threads === 8)!.set['kubevirt.domain.ioThreads']).toEqual({ supplementalPoolThreadCount: 8 });
    expect(settingTerms('kubevirt', candidates.find((c) => c.setting.threads === 8)!.setting, f))
      .toContain('spec.template.spec.domain.ioThreads.supplementalPoolThreadCount: 8');
  });

  it('names a setting as libvirt and QEMU spell it', () => {
    const f = vmFacts(scenario(vm).points[0].config(0));
    const s = { threads: 2, queues: 8, aio: 'io_uring' };
    expect(settingTerms('libvirt', s, f)).toEqual(['<iothreads>2</iothreads>',
      "<disk> vda: <driver name='qemu' queues='8' io='io_uring'><iothreads><iothread id='1'/><iothread id='2'/></iothreads></driver>"]);
    expect(settingTerms('qemu', s, f)[2]).toBe('-device \'{"driver": "virtio-blk-pci", "drive": "vda", "iothread-vq-mapping": [{"iothread": "iothread0"}, {"iothread": "iothread1"}], "num-queues": 8}\'');
    expect(settingTerms('scenario', { threads: 1, queues: 1, aio: 'native' }, f)).toEqual(['disk.handler: shared', 'disk.iothread: iothread0', 'disk.num-queues: 1', 'disk.aio: native']);
  });

  it('tells a file\'s kind from its text', () => {
    expect(platformOf(readFileSync('scenarios/vms/domain.xml', 'utf8'))).toBe('libvirt');
    expect(platformOf(readFileSync('scenarios/vms/vm.yaml', 'utf8'))).toBe('kubevirt');
    expect(platformOf(readFileSync('scenarios/vms/qemu.cmdline', 'utf8'))).toBe('qemu');
    expect(platformOf(readFileSync('scenarios/db-vm.yaml', 'utf8'))).toBe('scenario');
  });
});
