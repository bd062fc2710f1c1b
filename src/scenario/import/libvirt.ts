import { XMLParser } from 'fast-xml-parser';
import { defaultWorkload, Draft, setMachine, whole } from './draft.js';

type El = Record<string, unknown>;

/** Domain children that do not touch the I/O path vqsim models. */
const QUIET = new Set(['name', 'uuid', 'title', 'description', 'metadata', 'memory', 'currentMemory', 'maxMemory', 'os',
  'features', 'clock', 'on_poweroff', 'on_reboot', 'on_crash', 'pm', 'seclabel', 'sysinfo', 'resource', 'genid', 'idmap']);
/** Devices that do not either. */
const QUIET_DEVICES = new Set(['emulator', 'console', 'serial', 'channel', 'input', 'graphics', 'video', 'sound', 'memballoon',
  'rng', 'watchdog', 'tpm', 'panic', 'audio']);

const list = (x: unknown): El[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]) as El[];
const attr = (e: El | undefined, name: string): string | undefined => (e?.[`@_${name}`] as string | undefined);
const text = (e: unknown): string | undefined => (typeof e === 'object' && e !== null ? (e as El)['#text'] as string | undefined : e === undefined ? undefined : String(e));

/** A Linux cpulist as libvirt writes cpuset attributes ("0-3,^2,8"), to core numbers. */
function cpuset(v: string): number[] {
  const on = new Set<number>();
  for (const part of v.split(',')) {
    const neg = part.startsWith('^');
    const [a, b] = part.replace('^', '').split('-').map(Number);
    for (let c = a; c <= (b ?? a); c++) (neg ? on.delete(c) : on.add(c));
  }
  return [...on].sort((x, y) => x - y);
}

/**
 * A libvirt domain XML (formatdomain) as a vqsim scenario: <vcpu> (current if set); <iothreads>,
 * <iothreadids> with <poll max grow shrink>; each virtio <disk> with <driver io cache queues
 * queue_size iothread packed event_idx> or <driver><iothreads><iothread id><queue id/> (queues
 * numbered from 0; round robin without <queue>); each scsi <disk> as a LUN of its virtio-scsi
 * <controller>, whose <driver queues iothread cmd_per_lun> (or <iothreads>) it shares; <disk type='vhostuser'> as
 * vhost-user-blk and <hostdev type='scsi_host'> with <source protocol='vhost'> as vhost-scsi; the first
 * virtio <interface> with <driver name queues packed>; <cputune> vcpupin, iothreadpin and emulatorpin
 * as host cpusets.
 */
export function importLibvirt(xml: string, file: string, fio?: string): Draft {
  let parsed: El;
  try {
    parsed = new XMLParser({
      ignoreAttributes: false, attributeNamePrefix: '@_', parseAttributeValue: false, parseTagValue: false,
      isArray: (name) => ['disk', 'interface', 'iothread', 'queue', 'vcpupin', 'iothreadpin', 'controller', 'hostdev'].includes(name),
    }).parse(xml) as El;
  } catch (e) {
    // The parser's message quotes the document around the fault: its first line says what is wrong.
    throw new Error(`${file}: not valid XML: ${(e as Error).message.split('\n')[0]}`);
  }
  const dom = parsed.domain as El | undefined;
  if (!dom) throw new Error(`${file}: no <domain> element: not a libvirt domain XML`);
  const d = new Draft(file);
  d.set(['name'], String(text(dom.name) ?? 'imported-domain').replace(/[^A-Za-z0-9_.-]/g, '-'), '<name>');

  for (const key of Object.keys(dom)) {
    if (!key.startsWith('@_') && !QUIET.has(key) && !['vcpu', 'iothreads', 'iothreadids', 'cputune', 'devices', 'cpu'].includes(key)) d.skip(`<${key}>`);
  }
  const machine = attr((dom.os as El | undefined)?.type as El | undefined, 'machine');
  setMachine(d, machine, `<os><type machine='${machine}'>`);
  const vcpuEl = dom.vcpu as El | string | undefined;
  const current = typeof vcpuEl === 'object' ? attr(vcpuEl, 'current') : undefined;
  const vcpus = whole(current ?? text(vcpuEl) ?? 1, `${file}: <vcpu>`);
  d.set(['vm', 'vcpus'], vcpus, current ? `<vcpu current='${current}'>` : `<vcpu>${vcpus}</vcpu>`);
  if (dom.cpu) d.skip('<cpu> (model and topology: vqsim takes the vCPU count from <vcpu>)');

  // IOThreads and their polling (all of vqsim's iothreads share one setting: the first thread's).
  const threads = list((dom.iothreadids as El | undefined)?.iothread);
  const polls = threads.map((t) => t.poll as El | undefined).filter((p): p is El => p !== undefined);
  if (polls.length > 0) {
    const p = polls[0];
    for (const [a, key] of [['max', 'poll-max-ns'], ['grow', 'poll-grow'], ['shrink', 'poll-shrink']] as const) {
      if (attr(p, a) !== undefined) d.set(['iothread', key], whole(attr(p, a), `${file}: <poll ${a}>`), `<iothread id='${attr(threads[0], 'id')}'><poll ${a}=>`);
    }
    if (polls.some((q) => JSON.stringify(q) !== JSON.stringify(p))) d.skip('<poll> settings that differ between iothreads (vqsim applies the first to all)');
  }

  cputune(dom.cputune as El | undefined, d);

  const devices = (dom.devices ?? {}) as El;
  for (const key of Object.keys(devices)) {
    if (!QUIET_DEVICES.has(key) && !['disk', 'interface', 'controller', 'hostdev'].includes(key)) d.skip(`<devices><${key}>`);
  }
  // virtio-scsi controllers by index: their LUNs share their queues and iothread.
  const scsi = new Map<string, El>();
  for (const c of list(devices.controller)) {
    if (attr(c, 'type') !== 'scsi') continue;
    if (attr(c, 'model') === 'virtio-scsi') scsi.set(attr(c, 'index') ?? '0', c);
    else d.skip(`<controller type='scsi' model='${attr(c, 'model') ?? ''}'> (vqsim models virtio-scsi)`);
  }
  let n = 0;
  for (const disk of list(devices.disk)) {
    const target = disk.target as El | undefined;
    const dev = attr(target, 'dev') ?? `disk${n}`;
    const bus = attr(target, 'bus');
    if (attr(disk, 'device') !== undefined && attr(disk, 'device') !== 'disk') { d.skip(`<disk device='${attr(disk, 'device')}'> ${dev}`); continue; }
    const index = attr(disk.address as El | undefined, 'controller') ?? '0';
    const controller = bus === 'scsi' ? scsi.get(index) : undefined;
    if (bus !== 'virtio' && !controller) { d.skip(`<disk> ${dev} on bus '${bus}' (vqsim models virtio-blk and virtio-scsi)`); continue; }
    const at = (k: string) => ['disks', n, k];
    const drv = (disk.driver ?? {}) as El;
    d.set(['disks', n, 'name'], dev, `<target dev='${dev}' bus='${bus}'/>`);
    if (attr(disk, 'type') === 'vhostuser') {
      // vhost-user-blk: a user-space target serves the queues; QEMU's iothreads and aio play no part.
      d.set(at('backend'), 'vhost-user', `<disk type='vhostuser'> (vhost-user-blk-pci, the target at ${attr(disk.source as El | undefined, 'path') ?? '?'})`);
      if (attr(drv, 'queues')) d.set(at('num-queues'), whole(attr(drv, 'queues'), `${file}: ${dev} <driver queues>`), `<driver queues='${attr(drv, 'queues')}'>`);
      if (attr(drv, 'queue_size')) d.set(at('queue-size'), whole(attr(drv, 'queue_size'), `${file}: ${dev} <driver queue_size>`), `<driver queue_size='${attr(drv, 'queue_size')}'>`);
      n++;
      continue;
    }
    if (controller) {
      d.set(at('bus'), 'scsi', `<target bus='scsi'/> on <controller type='scsi' index='${index}' model='virtio-scsi'>`);
      d.set(at('controller'), `scsi${index}`, `<address controller='${index}'/>`);
    }
    // Without cache= (or cache='default') libvirt passes none: QEMU's default, writeback.
    const cache = attr(drv, 'cache');
    const mode = cache === undefined || cache === 'default' ? 'writeback' : cache;
    d.set(at('cache'), mode, cache === undefined || cache === 'default' ? `no <driver cache>: QEMU's default, writeback` : `<driver cache='${cache}'>`);
    // QEMU's default without io=: aio=threads; io='native' needs O_DIRECT (QEMU refuses it otherwise).
    const io = attr(drv, 'io');
    if (io === 'native' && mode !== 'none' && mode !== 'directsync') {
      d.set(at('aio'), 'threads', `<driver io='native'> with cache ${mode}: QEMU refuses aio=native without O_DIRECT, so threads`);
      d.skip(`<driver io='native'> on ${dev} with cache ${mode} (QEMU needs cache none or directsync for it: taken as threads)`);
    } else {
      d.set(at('aio'), io ?? 'threads', io ? `<driver io='${io}'>` : 'no <driver io>: QEMU\'s default, threads');
    }
    // A virtio-blk disk's queues and iothreads are its own <driver>'s; a LUN's, its controller's.
    const qdrv = (controller ? controller.driver ?? {} : drv) as El;
    const of = controller ? `<controller index='${index}'><driver` : '<driver';
    if (attr(qdrv, 'queues')) d.set(at('num-queues'), whole(attr(qdrv, 'queues'), `${file}: ${dev} ${of} queues>`), `${of} queues='${attr(qdrv, 'queues')}'>`);
    if (controller && attr(qdrv, 'cmd_per_lun')) d.set(at('cmd_per_lun'), whole(attr(qdrv, 'cmd_per_lun'), `${file}: ${dev} ${of} cmd_per_lun>`), `${of} cmd_per_lun='${attr(qdrv, 'cmd_per_lun')}'>`);
    if (attr(drv, 'queue_size')) d.set(at('queue-size'), whole(attr(drv, 'queue_size'), `${file}: ${dev} <driver queue_size>`), `<driver queue_size='${attr(drv, 'queue_size')}'>`);
    if (attr(drv, 'packed') === 'on') d.set(at('ring'), 'packed', '<driver packed=\'on\'>');
    if (attr(drv, 'event_idx') === 'off') d.set(at('event_idx'), false, '<driver event_idx=\'off\'>');
    const mapped = list((qdrv.iothreads as El | undefined)?.iothread);
    if (mapped.length > 0) {
      const explicit = mapped.some((t) => list(t.queue).length > 0);
      d.set(at('handler'), 'pool', `${of}><iothreads>: QEMU iothread-vq-mapping`);
      d.set(at('iothread-vq-mapping'), mapped.map((t) => ({
        iothread: `iothread${attr(t, 'id')}`,
        ...(explicit ? { vqs: list(t.queue).map((q) => whole(attr(q, 'id'), `${file}: ${dev} <queue id>`)) } : {}),
      })), explicit ? `${of}><iothreads><iothread id><queue id/> (queues from 0)` : `${of}><iothreads>: queues round-robin`);
    } else if (attr(qdrv, 'iothread')) {
      d.set(at('handler'), 'shared', `${of} iothread='${attr(qdrv, 'iothread')}'>`);
      d.set(at('iothread'), `iothread${attr(qdrv, 'iothread')}`, `${of} iothread='${attr(qdrv, 'iothread')}'>`);
    } else {
      d.set(at('handler'), 'main-loop', 'no iothread: QEMU\'s main loop');
    }
    if (disk.iotune) d.skip(`<iotune> on ${dev} (I/O throttling is not modelled)`);
    n++;
  }
  // vhost-scsi: <hostdev type='scsi_host'><source protocol='vhost' wwpn=.../>, the kernel's LIO target.
  for (const h of list(devices.hostdev)) {
    const src = h.source as El | undefined;
    if (attr(h, 'type') !== 'scsi_host' || attr(src, 'protocol') !== 'vhost') { d.skip(`<hostdev type='${attr(h, 'type') ?? ''}'> (device assignment is not modelled)`); continue; }
    const wwpn = attr(src, 'wwpn') ?? '';
    d.set(['disks', n, 'name'], `vhost-scsi${n}`, `<hostdev type='scsi_host'><source protocol='vhost' wwpn='${wwpn}'/>`);
    d.set(['disks', n, 'bus'], 'scsi', '<hostdev type=\'scsi_host\'>: a vhost-scsi-pci controller');
    d.set(['disks', n, 'backend'], 'vhost', `<source protocol='vhost'>: the kernel's vhost-scsi with the LIO target ${wwpn}`);
    n++;
  }
  if (n > 0) d.set(['disk', 'device'], 'nvme-tlc', 'the backing device is not in the domain XML: vqsim\'s preset nvme-tlc');

  const nics = list(devices.interface).filter((i) => attr(i.model as El | undefined, 'type') === 'virtio');
  list(devices.interface).filter((i) => !nics.includes(i)).forEach((i) => d.skip(`<interface> with model '${attr(i.model as El | undefined, 'type')}' (vqsim models virtio-net)`));
  nics.slice(1).forEach(() => d.skip('a second virtio <interface> (vqsim models one NIC per VM)'));
  if (nics.length > 0) {
    const drv = (nics[0].driver ?? {}) as El;
    const queues = whole(attr(drv, 'queues') ?? 1, `${file}: <interface><driver queues>`);
    d.set(['nic', 'queues'], queues, attr(drv, 'queues') ? `<interface><driver queues='${queues}'>` : 'no <driver queues>: one queue pair');
    d.set(['nic', 'mq'], queues > 1, 'libvirt turns mq on with queues > 1');
    d.set(['nic', 'vhost'], attr(drv, 'name') !== 'qemu', attr(drv, 'name') ? `<driver name='${attr(drv, 'name')}'>` : 'libvirt uses vhost-net when the host has it');
    if (attr(drv, 'packed') === 'on') d.set(['nic', 'ring'], 'packed', '<driver packed=\'on\'>');
    if (n === 0) d.set(['net'], { mode: 'stream', direction: 'tx', flows: vcpus }, 'workload: not in the domain XML; a TCP stream per vCPU');
  }
  if (n > 0) defaultWorkload(d, vcpus, fio);
  if (n === 0 && nics.length === 0) throw new Error(`${file}: no virtio disk or virtio interface: nothing for vqsim to simulate`);
  return d;
}

/** <cputune>: vCPU, iothread and emulator (QEMU's main loop) pinning as host cpusets per role, per
 *  thread where they differ between threads, and as many host cores as the highest pinned one needs. */
function cputune(t: El | undefined, d: Draft): void {
  if (!t) return;
  const union = (pins: El[]) => [...new Set(pins.flatMap((p) => cpuset(attr(p, 'cpuset') ?? '')))].sort((a, b) => a - b);
  const sets: [string, number[], string][] = [
    ['vcpu', union(list(t.vcpupin)), '<cputune><vcpupin>'],
    ['iothread', union(list(t.iothreadpin)), '<cputune><iothreadpin>'],
    ['main-loop', t.emulatorpin ? cpuset(attr(t.emulatorpin as El, 'cpuset') ?? '') : [], '<cputune><emulatorpin>'],
  ];
  let max = -1;
  for (const [role, cores, from] of sets) {
    if (cores.length === 0) continue;
    d.set(['host', 'cpusets', role], cores.join(','), from);
    max = Math.max(max, ...cores);
  }
  if (max >= 0) d.set(['host', 'cores'], max + 1, 'enough host cores for the highest pinned one');
  // Pins that differ thread by thread (vCPU 0 on core 2, vCPU 1 on core 3) are kept per thread.
  for (const [pins, key, name] of [[list(t.vcpupin), 'vcpu', (id: string) => `vcpu${id}`], [list(t.iothreadpin), 'iothread', (id: string) => `iothread${id}`]] as const) {
    const sets = pins.map((p) => cpuset(attr(p, 'cpuset') ?? '').join(','));
    if (new Set(sets).size < 2) continue;
    pins.forEach((p, i) => d.set(['host', 'pins', name(attr(p, key) ?? '')], sets[i], `<cputune><${key}pin ${key}='${attr(p, key)}' cpuset='${attr(p, 'cpuset')}'>`));
  }
  for (const key of Object.keys(t)) {
    if (!['vcpupin', 'iothreadpin', 'emulatorpin'].includes(key)) d.skip(`<cputune><${key}>`);
  }
}
