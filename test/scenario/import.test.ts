import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCommand } from '../../src/cli/import.js';
import { Host } from '../../src/model/host.js';
import { qemuOpts } from '../../src/scenario/import/qemu.js';
import { scenarioFromText } from '../../src/scenario/load.js';

const FIX = 'scenarios/vms';

/** The imported scenario, loaded as vqsim loads it, and run for a short while; `nic`: its NIC as it
 *  would carry a load (the import gives it none, so the run has only the disks' jobs). */
function loaded(text: string) {
  const s = scenarioFromText('imported.yaml', `${text}duration: 20ms\nwarmup: 5ms\n`);
  const cfg = s.points[0].config(0);
  const result = new Host(cfg).run();
  expect(result.vms[0].net).toBeNull();
  const nic = () => scenarioFromText('imported.yaml', `${text}net: { mode: rr }\n`).points[0].config(0).vms[0].net!.nic;
  return { cfg, vm: cfg.vms[0], result, nic };
}

describe('vqsim import', () => {
  it('libvirt: vCPUs, iothreads and their polling, pinning, disks with their queues and mapping, the vhost NIC', () => {
    const { text, notUnderstood } = importCommand('libvirt', `${FIX}/domain.xml`, []);
    const { cfg, vm, result, nic } = loaded(text);
    expect(vm.vcpus).toBe(8);
    expect(vm.iothread.pollMaxNs).toBe(32768);
    expect(vm.cpusets).toMatchObject({ vcpu: [2, 3, 4, 5, 6, 7, 8, 9], iothread: [10, 11], 'main-loop': [0, 1] });
    expect(cfg.cpu!.cores).toBe(12);
    const [vda, vdb] = vm.disks;
    expect([vda.name, vda.numQueues, vda.aio]).toEqual(['vda', 3, 'native']);
    // <iothread id='2'><queue id='1'/>, <iothread id='3'><queue id='0'/><queue id='2'/>
    expect(vda.vqContexts).toEqual(['iothread3', 'iothread2', 'iothread3']);
    expect([vdb.name, vdb.aio, vdb.queueSize, vdb.vqContexts[0]]).toEqual(['vdb', 'io_uring', 256, 'iothread1']);
    // A LUN of the virtio-scsi controller: its queues and iothread are the controller's.
    expect(vm.disks[2]).toMatchObject({ name: 'sdb', bus: 'scsi', controller: 'scsi0', numQueues: 4, aio: 'native', vqContexts: ['iothread1', 'iothread1', 'iothread1', 'iothread1'] });
    expect(nic()).toMatchObject({ queues: 4, vhost: true });
    expect(notUnderstood).toEqual(['<memoryBacking>', '<disk device=\'cdrom\'> sda']);
    expect(text).toMatch(/aio: native # <driver io='native'>/);
    expect(result.vms[0].blk!.ios).toBeGreaterThan(0);
  });

  it('kubevirt: a VirtualMachine manifest into the kubevirt section, resolved as KubeVirt does', () => {
    const { text, notUnderstood } = importCommand('kubevirt', `${FIX}/vm.yaml`, []);
    const { cfg, vm, result, nic } = loaded(text);
    expect(vm.vcpus).toBe(8);
    expect(vm.disks.map((d) => d.name)).toEqual(['rootdisk', 'datadisk']);
    expect(vm.disks[0].numQueues).toBe(8); // blockMultiQueue
    expect(new Set(vm.disks[0].vqContexts)).toEqual(new Set(['pool0', 'pool1', 'pool2', 'pool3']));
    expect(nic().queues).toBe(8); // networkInterfaceMultiqueue
    expect(cfg.cpu!.cores).toBe(2); // (8 + 4) / 10
    expect(notUnderstood).toEqual(['spec.template.spec.domain.devices.disks[2] (cloudinitdisk): cdrom']);
    expect(result.vms[0].blk!.ios).toBeGreaterThan(0);
  });

  it('kubevirt: dedicated CPUs, the emulator thread isolated with IOThread 1 beside it', () => {
    const { text, notUnderstood } = importCommand('kubevirt', `${FIX}/vmi-dedicated.yaml`, []);
    const { cfg, vm, result } = loaded(text);
    expect(cfg.cpu!.cores).toBe(5); // 4 vCPUs and the emulator's core
    // auto: IOThread 1 serves datadisk, IOThread 2 is rootdisk's own; only IOThread 1 is pinned.
    expect(vm.disks.map((d) => d.vqContexts[0])).toEqual(['rootdisk-iothread', 'kubevirt-iothread1']);
    expect(vm.pins).toMatchObject({ vcpu0: [0], 'main-loop': [4], 'kubevirt-iothread1': [4] });
    expect(vm.pins['rootdisk-iothread']).toBeUndefined();
    expect(notUnderstood).toEqual([]);
    expect(result.vms[0].blk!.ios).toBeGreaterThan(0);
  });

  it('qemu: -smp, -object iothread, the -blockdev chain, JSON -device with iothread-vq-mapping, -netdev tap', () => {
    const { text, notUnderstood } = importCommand('qemu', `${FIX}/qemu.cmdline`, []);
    const { vm, result, nic } = loaded(text);
    expect(vm.vcpus).toBe(4);
    expect(vm.disks[0]).toMatchObject({ numQueues: 4, aio: 'native', vqContexts: ['iothread0', 'iothread1', 'iothread0', 'iothread1'] });
    expect(nic()).toMatchObject({ queues: 4, vhost: true, vectors: 10 });
    expect(notUnderstood).toEqual(['-device virtio-rng-pci']);
    expect(result.vms[0].blk!.ios).toBeGreaterThan(0);
    // The same from argv (after --), with -drive and a plain iothread=.
    const argv = ['qemu-system-x86_64', '-smp', 'sockets=1,cores=2,threads=2', '-object', 'iothread,id=io0', '-drive',
      'file=/dev/sdb,if=none,id=d0,aio=io_uring,cache=none', '-device', 'virtio-blk-pci,drive=d0,iothread=io0,queue-size=128'];
    const b = loaded(importCommand('qemu', undefined, argv).text).vm;
    expect([b.vcpus, b.disks[0].aio, b.disks[0].queueSize, b.disks[0].vqContexts[0]]).toEqual([4, 'io_uring', 128, 'io0']);
    // LUNs (scsi-hd) of one virtio-scsi controller: its queues and iothread, shared.
    const scsi = loaded(importCommand('qemu', undefined, ['qemu-system-x86_64', '-smp', '4', '-object', 'iothread,id=iot0',
      '-drive', 'file=/dev/sdb,if=none,id=d0,aio=native,cache=none', '-drive', 'file=/dev/sdc,if=none,id=d1,aio=native,cache=none',
      '-device', 'virtio-scsi-pci,id=scsi0,iothread=iot0,num_queues=4', '-device', 'scsi-hd,drive=d0,bus=scsi0.0',
      '-device', 'scsi-hd,drive=d1,bus=scsi0.0']).text + 'jobs: [{ name: a, disk: d0 }, { name: b, disk: d1 }]\n');
    expect(scsi.vm.disks.map((x) => [x.name, x.bus, x.controller, x.numQueues])).toEqual([['d0', 'scsi', 'scsi0', 4], ['d1', 'scsi', 'scsi0', 4]]);
    expect(scsi.result.vms[0].blk!.ios).toBeGreaterThan(0);
  });

  it('a virtio-scsi controller\'s cmd_per_lun, from libvirt and from QEMU: the LUN\'s queue depth in the guest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-lun-'));
    const domain = (driver: string) => `<domain type='kvm'><vcpu>2</vcpu><devices><controller type='scsi' index='0' model='virtio-scsi'>${driver}</controller>`
      + '<disk type=\'block\' device=\'disk\'><driver name=\'qemu\' type=\'raw\' cache=\'none\' io=\'native\'/><source dev=\'/dev/sdb\'/>'
      + '<target dev=\'sda\' bus=\'scsi\'/><address type=\'drive\' controller=\'0\' bus=\'0\' target=\'0\' unit=\'0\'/></disk></devices></domain>';
    const libvirt = (driver: string) => {
      writeFileSync(join(dir, 'd.xml'), domain(driver));
      return loaded(importCommand('libvirt', join(dir, 'd.xml'), []).text).vm.disks[0].lunQueueDepth;
    };
    expect(libvirt('<driver cmd_per_lun=\'64\'/>')).toBe(64);
    expect(libvirt('')).toBe(128);
    const qemu = (...args: string[]) => loaded(importCommand('qemu', undefined, ['qemu-system-x86_64', '-smp', '2', ...args]).text).vm.disks[0].lunQueueDepth;
    expect(qemu('-drive', 'file=/dev/sdb,if=none,id=d0,aio=native,cache=none', '-device', 'virtio-scsi-pci,id=scsi0,cmd_per_lun=32',
      '-device', 'scsi-hd,drive=d0,bus=scsi0.0')).toBe(32);
    // Capped by the ring: vhost-scsi's 128 descriptors.
    expect(qemu('-device', 'vhost-scsi-pci,wwpn=naa.1,cmd_per_lun=512')).toBe(128);
  });

  it('disks served outside QEMU: vhost-user-blk and vhost-scsi, from libvirt and from QEMU', () => {
    const lv = importCommand('libvirt', `${FIX}/vhost-domain.xml`, []);
    const a = loaded(lv.text + 'jobs: [{ name: a, disk: vdb }, { name: b, disk: vhost-scsi1 }]\n');
    expect(a.vm.disks.map((x) => [x.name, x.bus, x.backend, x.numQueues])).toEqual([['vdb', 'virtio', 'vhost-user', 4], ['vhost-scsi1', 'scsi', 'vhost', 4]]);
    expect(lv.text).toMatch(/backend: vhost # <source protocol='vhost'>: the kernel's vhost-scsi with the LIO target naa\.5001405df3e54061/);
    expect(lv.notUnderstood).toEqual(['<memoryBacking>']);
    expect(a.result.vms[0].blk!.ios).toBeGreaterThan(0);
    const q = loaded(importCommand('qemu', undefined, ['qemu-system-x86_64', '-smp', '4', '-chardev', 'socket,id=c0,path=/tmp/vhost.0',
      '-device', 'vhost-user-blk-pci,chardev=c0,num-queues=2', '-device', 'vhost-scsi-pci,wwpn=naa.1,num_queues=4,worker_per_virtqueue=true']).text
      + 'jobs: [{ name: a, disk: vhost-user-blk0 }, { name: b, disk: vhost-scsi1 }]\n');
    expect(q.vm.disks.map((x) => [x.backend, x.numQueues, x.workerPerVirtqueue])).toEqual([['vhost-user', 2, false], ['vhost', 4, true]]);
    expect(q.result.vms[0].blk!.ios).toBeGreaterThan(0);
  });

  it('cache modes: libvirt <driver cache> (QEMU\'s default writeback without it), QEMU\'s cache flags and write-cache, KubeVirt\'s cache', () => {
    const xml = (drv: string) => `<domain type='kvm'><vcpu>2</vcpu><devices><disk type='block' device='disk'><driver name='qemu' type='raw' ${drv}/>`
      + '<source dev=\'/dev/nvme0n1\'/><target dev=\'vda\' bus=\'virtio\'/></disk></devices></domain>';
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-cache-'));
    const libvirt = (drv: string) => {
      writeFileSync(join(dir, 'd.xml'), xml(drv));
      const { text, notUnderstood } = importCommand('libvirt', join(dir, 'd.xml'), []);
      const d = loaded(text).vm.disks[0];
      return [d.cache, d.aio, notUnderstood.length];
    };
    expect(libvirt('')).toEqual(['writeback', 'threads', 0]);
    expect(libvirt("cache='none' io='native'")).toEqual(['none', 'native', 0]);
    expect(libvirt("cache='unsafe' io='io_uring'")).toEqual(['unsafe', 'io_uring', 0]);
    // io='native' without O_DIRECT: QEMU refuses it; taken as threads, and said.
    expect(libvirt("cache='writethrough' io='native'")).toEqual(['writethrough', 'threads', 1]);

    const qemu = (...args: string[]) => loaded(importCommand('qemu', undefined, ['qemu-system-x86_64', ...args]).text).vm.disks[0].cache;
    expect(qemu('-drive', 'file=/dev/sdb,if=none,id=d0', '-device', 'virtio-blk-pci,drive=d0')).toBe('writeback');
    expect(qemu('-drive', 'file=/dev/sdb,if=none,id=d0,cache=unsafe', '-device', 'virtio-blk-pci,drive=d0')).toBe('unsafe');
    expect(qemu('-drive', 'file=/dev/sdb,if=none,id=d0,cache=none', '-device', 'virtio-blk-pci,drive=d0,write-cache=off')).toBe('directsync');
    expect(qemu('-blockdev', 'driver=host_device,node-name=f0,filename=/dev/sdb,cache.direct=off', '-device', 'virtio-blk-pci,drive=f0,write-cache=off')).toBe('writethrough');
    expect(qemu('-blockdev', 'driver=host_device,node-name=f0,filename=/dev/sdb,cache.direct=on', '-device', 'virtio-blk-pci,drive=f0')).toBe('none');

    // KubeVirt: cache none by default with io native; writethrough takes QEMU's threads.
    const kv = (cache: string) => loaded(`vm: { vcpus: 2 }\nkubevirt:\n  domain:\n    devices:\n      disks: [{ name: d, ${cache} }]\n`).vm.disks[0];
    expect([kv('').cache, kv('').aio]).toEqual(['none', 'native']);
    expect([kv('cache: writethrough').cache, kv('cache: writethrough').aio]).toEqual(['writethrough', 'threads']);
  });

  it('machine types keep their release\'s device defaults: pc-q35-4.2 gives a disk one queue of 128 descriptors on a newer QEMU', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-machine-'));
    const xml = (machine: string) => {
      const f = join(dir, `${machine}.xml`);
      writeFileSync(f, `<domain type='kvm'><name>m</name><vcpu>4</vcpu><os><type arch='x86_64' machine='${machine}'>hvm</type></os>`
        + `<devices><disk type='file' device='disk'><driver name='qemu' type='raw' io='native'/><source file='/d.img'/><target dev='vda' bus='virtio'/></disk></devices></domain>`);
      return importCommand('libvirt', f, []);
    };
    const old = xml('pc-q35-4.2');
    expect(old.text).toMatch(/machine: "4\.2" # <os><type machine='pc-q35-4\.2'>/);
    const disk = loaded(old.text).vm.disks[0];
    expect([disk.numQueues, disk.queueSize]).toEqual([1, 128]);
    expect(loaded(xml('q35').text).vm.disks[0].numQueues).toBe(4);
    expect(xml('pc-q35-rhel9.4.0').notUnderstood.join()).toMatch(/machine='pc-q35-rhel9\.4\.0'.*not mapped/);
    const cmd = importCommand('qemu', undefined, ['qemu-system-x86_64', '-machine', 'pc-i440fx-4.2,accel=kvm', '-smp', '2',
      '-drive', 'file=/d.img,if=none,id=d0', '-device', 'virtio-blk-pci,drive=d0']);
    expect(cmd.text).toMatch(/machine: "4\.2"/);
    expect(() => scenarioFromText('m.yaml', 'vm: { vcpus: 1 }\nversions: { qemu: "9.2", machine: "10.0" }\n').points[0].config(0))
      .toThrow(/versions\.machine.*at most versions\.qemu/);
  });

  it('reads QEMU\'s option syntax: implied keys, ",," escapes, JSON', () => {
    expect(qemuOpts('virtio-blk-pci,drive=d0,serial=a,,b', 'driver')).toEqual({ driver: 'virtio-blk-pci', drive: 'd0', serial: 'a,b' });
    expect(qemuOpts('4', 'cpus')).toEqual({ cpus: '4' });
    expect(qemuOpts('{"driver":"virtio-net-pci","mq":true}', 'driver')).toEqual({ driver: 'virtio-net-pci', mq: true });
  });

  it('names what it cannot import in one line', () => {
    expect(() => importCommand('qemu', undefined, ['qemu-system-x86_64', '-smp', 'many', '-device', 'virtio-blk-pci,drive=d'])).toThrow(/^the command line: -smp cpus: expected a whole number, got "many"$/);
    expect(() => importCommand('qemu', undefined, ['qemu-system-x86_64', '-device', 'virtio-blk-pci,drive=d,queue-size=100']))
      .toThrow(/imported as disks\.0\.queue-size, which must be a power of 2/);
    expect(() => importCommand('libvirt', `${FIX}/vm.yaml`, [])).toThrow(/no <domain> element/);
    expect(() => importCommand('qemu', undefined, ['qemu-system-x86_64', '-smp', '2'])).toThrow(/no virtio-blk or virtio-net device/);
  });
});

describe('vqsim import kubevirt of several VMs', () => {
  const vm = readFileSync(`${FIX}/vm.yaml`, 'utf8');
  const renamed = (name: string) => vm.replace(/^(  name:) .*$/m, `$1 ${name}`);
  const file = (text: string) => {
    const d = mkdtempSync(join(tmpdir(), 'vqsim-kv-'));
    writeFileSync(join(d, 'vms.yaml'), text);
    return join(d, 'vms.yaml');
  };

  it('takes a kind: List (kubectl get vm -o yaml) or several documents, one VM by --vm, and names them all without it', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${[renamed('db'), renamed('web')].map((t) => `- ${t.trim().split('\n').join('\n  ')}`).join('\n')}\n`;
    expect(importCommand('kubevirt', file(list), [], { vm: 'web' }).text).toMatch(/^name: web/m);
    const docs = `${renamed('db')}\n---\n${renamed('web')}`;
    expect(importCommand('kubevirt', file(docs), [], { vm: 'db' }).text).toMatch(/^name: db/m);
    expect(() => importCommand('kubevirt', file(docs), [])).toThrow(/holds 2 VMs \(db, web\): give --vm NAME/);
    expect(() => importCommand('kubevirt', file(docs), [], { vm: 'nope' })).toThrow(/no VM named nope \(db, web\)/);
    expect(() => importCommand('libvirt', `${FIX}/domain.xml`, [], { vm: 'db' })).toThrow(/--vm .* applies to import kubevirt only/);
  });
});

describe('vqsim import from a pipe', () => {
  const cli = (args: string[], input: string | Buffer) => spawnSync('node', [join(process.cwd(), 'dist/cli/main.js'), ...args], { input, encoding: 'utf8' });

  it('`-` reads standard input (virsh dumpxml VM | vqsim import libvirt -), named so in the header and in errors', () => {
    const piped = cli(['import', 'libvirt', '-'], readFileSync(`${FIX}/domain.xml`));
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stdout.split('\n')[0]).toBe('# Imported by vqsim import from standard input.');
    expect(piped.stdout.trimEnd().split('\n').slice(1)).toEqual(importCommand('libvirt', `${FIX}/domain.xml`, []).text.trimEnd().split('\n').slice(1));
    const kube = cli(['import', 'kubevirt', '-'], readFileSync(`${FIX}/vm.yaml`));
    expect(kube.status, kube.stderr).toBe(0);
    const binary = cli(['import', 'kubevirt', '-'], Buffer.from('abc\0'));
    expect([binary.status, binary.stderr.trim()]).toEqual([2, 'vqsim: standard input: is binary, not a KubeVirt manifest (vqsim --help for usage)']);
  });
});

describe('vqsim import qemu -drive if=virtio', () => {
  it('keeps the drive\'s cache mode (it was dropped while the header said every element was understood)', () => {
    const cfg = (cache: string) => scenarioFromText('i.yaml', importCommand('qemu', undefined, ['qemu-system-x86_64', '-drive', `file=x.img,if=virtio,cache=${cache},aio=threads`]).text).points[0].config(0).vms[0].disks[0];
    expect(cfg('writeback').cache).toBe('writeback');
    expect(cfg('none').cache).toBe('none');
    const native = importCommand('qemu', undefined, ['qemu-system-x86_64', '-drive', 'file=x.img,if=virtio,aio=native']);
    expect(native.notUnderstood).toEqual([expect.stringMatching(/aio=native without cache\.direct=on \(QEMU refuses it: taken as threads\)/)]);
  });
});

describe('vqsim import of a damaged file', () => {
  it('quotes a bad value on one line, however many lines it runs over (found by npm run fuzz)', () => {
    const d = mkdtempSync(join(tmpdir(), 'vqsim-import-'));
    const xml = readFileSync(`${FIX}/domain.xml`, 'utf8').replace("<poll max='32768'", "<poll max='32768\n  grow=\"0\"\n'");
    writeFileSync(join(d, 'domain.xml'), xml);
    expect(() => importCommand('libvirt', join(d, 'domain.xml'), [])).toThrow(/^domain\.xml: <poll max>: expected a whole number, got "32768\\n  grow=\\"0\\""$/);
  });
});

describe('import qemu: a JSON option the shell unquoted', () => {
  it('names the file and the option, and says how to quote it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-qemu-'));
    writeFileSync(join(dir, 'cmd'), 'qemu-system-x86_64 -smp 2 -device {"driver":"virtio-blk-pci","drive":"d0"}\n');
    expect(() => importCommand('qemu', join(dir, 'cmd'), [])).toThrow(/^cmd: -device \{driver:virtio-blk-pci,drive:d0\}: not valid JSON .*written in single quotes/);
  });
});

describe('per-thread pins (libvirt <vcpupin> and <iothreadpin> that differ thread by thread)', () => {
  it('are kept per thread, and the model runs each thread on its own core', () => {
    const text = importCommand('libvirt', `${FIX}/domain.xml`, []).text;
    const cfg = scenarioFromText('i.yaml', text).points[0].config(0);
    expect(cfg.vms[0].pins).toMatchObject({ vcpu0: [2], vcpu7: [9], iothread1: [10], iothread2: [11] });
    const host = new Host(scenarioFromText('i.yaml', `${text}\nduration: 5ms\nwarmup: 1ms\n`).points[0].config(0));
    const result = host.run();
    expect(result.vms[0].blk!.ios).toBeGreaterThan(0);
  });

  it('name a thread of the VM, on a core the host has; only in the single-VM form', () => {
    const base = 'vm: {vcpus: 2}\nhost: {cores: 4, pins: PINS}\ndisk: {handler: dedicated}\njob: {iodepth: 2}\n';
    const load = (pins: string) => scenarioFromText('p.yaml', base.replace('PINS', pins)).points[0];
    expect(load('{vcpu1: "3", disk0-iothread: "2"}').config(0).vms[0].pins).toEqual({ vcpu1: [3], 'disk0-iothread': [2] });
    expect(() => load('{vcpu2: "1"}')).toThrow(/host\.pins\.vcpu2: the VM has 2 vCPUs/);
    expect(() => load('{vcpu1: "4"}')).toThrow(/host\.pins\.vcpu1: core 4 is not among the 4 host cores/);
    expect(load('{iothread9: "1"}').warnings.join('\n')).toMatch(/host\.pins\.iothread9: no disk of the VM runs in an iothread named iothread9/);
    expect(() => scenarioFromText('h.yaml', 'host: {cores: 4, pins: {vcpu0: "1"}}\nvms: [{vm: {vcpus: 1}, job: {iodepth: 1}}]\n')).toThrow(/host\.pins: per-thread pins are for the single-VM form/);
  });
});
