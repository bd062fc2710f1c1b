import { defaultWorkload, Draft, setMachine, whole } from './draft.js';

type Opts = Record<string, unknown>;

/** Options that do not touch the I/O path vqsim models (their argument is skipped with them). */
const QUIET = new Set(['-machine', '-M', '-m', '-name', '-uuid', '-cpu', '-accel', '-display', '-vga', '-serial', '-monitor',
  '-qmp', '-chardev', '-boot', '-bios', '-kernel', '-initrd', '-append', '-rtc', '-vnc', '-spice', '-global', '-pidfile',
  '-runas', '-sandbox', '-msg', '-mon', '-overcommit', '-numa']);
const FLAGS = new Set(['-enable-kvm', '-nographic', '-nodefaults', '-no-user-config', '-daemonize', '-S', '-no-reboot', '-no-shutdown']);

/**
 * QEMU's option syntax: `k=v,k=v` with `,,` for a literal comma, an implied key for a leading bare
 * value (the driver of -device, the type of -netdev and -object, cpus of -smp), or JSON (`-device
 * {...}`, as libvirt writes since QEMU 6.0).
 */
export function qemuOpts(arg: string, implied: string): Opts {
  if (arg.trimStart().startsWith('{')) {
    try {
      return JSON.parse(arg) as Opts;
    } catch (e) {
      // A shell takes the quotes out of an unquoted {"driver": ...}.
      throw new Error(`${arg}: not valid JSON (${(e as Error).message}); on a shell command line a JSON option is written in single quotes: '{"driver": ...}'`);
    }
  }
  const out: Opts = {};
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < arg.length; i++) {
    if (arg[i] === ',' && arg[i + 1] === ',') { cur += ','; i++; } else if (arg[i] === ',') { parts.push(cur); cur = ''; } else cur += arg[i];
  }
  parts.push(cur);
  parts.forEach((p, i) => {
    const eq = p.indexOf('=');
    if (eq < 0 && i === 0) out[implied] = p;
    else if (eq < 0) out[p] = 'on';
    else out[p.slice(0, eq)] = p.slice(eq + 1);
  });
  return out;
}

const on = (v: unknown) => v === true || v === 'on' || v === 'yes' || v === 'true';

/** What a drive's storage says of its caching: O_DIRECT, flushes ignored, a write cache the guest sees. */
interface Storage { aio: string; direct: boolean; noFlush: boolean; writeback: boolean; from: string }

/** -drive cache= as its flags (QEMU block.c bdrv_parse_cache_mode). */
const CACHE_MODES: Record<string, { direct: boolean; writeback: boolean; noFlush: boolean }> = {
  none: { direct: true, writeback: true, noFlush: false },
  directsync: { direct: true, writeback: false, noFlush: false },
  writeback: { direct: false, writeback: true, noFlush: false },
  writethrough: { direct: false, writeback: false, noFlush: false },
  unsafe: { direct: false, writeback: true, noFlush: true },
};

/** The named mode of a set of flags, or null for O_DIRECT with flushes ignored, which has none. */
function cacheModeOf(direct: boolean, writeback: boolean, noFlush: boolean): string | null {
  if (noFlush) return direct ? null : 'unsafe';
  if (direct) return writeback ? 'none' : 'directsync';
  return writeback ? 'writeback' : 'writethrough';
}

/**
 * A QEMU command line as a vqsim scenario: -smp; -object iothread (poll-max-ns, poll-grow,
 * poll-shrink, aio-max-batch); -drive and -blockdev (aio, cache, following a format node's `file` to
 * its protocol node); -device virtio-blk-pci (drive, num-queues, queue-size, iothread, packed,
 * event_idx, iothread-vq-mapping in its JSON form); virtio-scsi-pci with its scsi-hd LUNs and
 * vhost-scsi-pci (num_queues, virtqueue_size, cmd_per_lun; vhost-scsi's worker_per_virtqueue) and vhost-user-blk-pci (num-queues, queue-size); -netdev tap (vhost, queues, poll-us) with
 * -device virtio-net-pci (netdev, mq, packed, vectors).
 */
export function importQemu(argv: string[], fio?: string): Draft {
  const d = new Draft(`the QEMU command line (${argv[0] ?? ''} ...)`);
  const objects: Opts[] = [], drives = new Map<string, Opts>(), blockdevs = new Map<string, Opts>(), netdevs = new Map<string, Opts>();
  const devices: { opts: Opts; raw: string }[] = [];
  let smp: Opts | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].replace(/^--/, '-');
    if (i === 0 && !flag.startsWith('-')) continue; // the binary
    const arg = argv[i + 1] ?? '';
    // An option's error names the option.
    const opts = (implied: string): Opts => {
      try {
        return qemuOpts(arg, implied);
      } catch (e) {
        throw new Error(`${flag} ${(e as Error).message}`);
      }
    };
    if (FLAGS.has(flag)) continue;
    if (flag === '-machine' || flag === '-M') {
      const type = opts('type').type;
      setMachine(d, type === undefined ? undefined : String(type), `${flag} ${arg}`);
      i++;
      continue;
    }
    if (QUIET.has(flag)) { i++; continue; }
    switch (flag) {
      case '-smp': smp = opts('cpus'); i++; break;
      case '-object': objects.push(opts('qom-type')); i++; break;
      case '-drive': { const o = opts('file'); drives.set(String(o.id ?? `drive${drives.size}`), o); i++; break; }
      case '-blockdev': { const o = opts('driver'); blockdevs.set(String(o['node-name'] ?? `node${blockdevs.size}`), o); i++; break; }
      case '-netdev': { const o = opts('type'); netdevs.set(String(o.id), o); i++; break; }
      case '-device': devices.push({ opts: opts('driver'), raw: arg }); i++; break;
      default:
        d.skip(`${argv[i]}${arg && !arg.startsWith('-') ? ` ${arg}` : ''}`);
        if (arg && !arg.startsWith('-')) i++;
    }
  }

  const vcpus = smp ? (smp.cpus !== undefined ? whole(smp.cpus, '-smp cpus') : ['sockets', 'dies', 'clusters', 'cores', 'threads'].reduce((p, k) => p * whole(smp![k] ?? 1, `-smp ${k}`), 1)) : 1;
  d.set(['name'], 'qemu-vm', 'the command line');
  d.set(['vm', 'vcpus'], vcpus, smp ? `-smp ${Object.entries(smp).map(([k, v]) => `${k}=${v}`).join(',')}` : 'no -smp: QEMU\'s default, 1');

  const iothreads = objects.filter((o) => o['qom-type'] === 'iothread');
  objects.filter((o) => o['qom-type'] !== 'iothread').forEach((o) => d.skip(`-object ${o['qom-type']}`));
  if (iothreads.length > 0) {
    const t = iothreads[0];
    for (const key of ['poll-max-ns', 'poll-grow', 'poll-shrink', 'aio-max-batch']) {
      if (t[key] !== undefined) d.set(['iothread', key], whole(t[key], `-object iothread ${key}`), `-object iothread,id=${t.id},${key}=${t[key]}`);
    }
    if (iothreads.some((o) => ['poll-max-ns', 'poll-grow', 'poll-shrink', 'aio-max-batch'].some((k) => o[k] !== t[k]))) {
      d.skip('iothread polling settings that differ between iothreads (vqsim applies the first\'s to all)');
    }
  }

  // A drive's aio and cache: -drive's own, or the -blockdev chain's (format node -> its file node).
  // cache.direct and cache.no-flush are the node's; writeback is -drive's (its cache= or
  // cache.writeback), else the device's write-cache (auto: on, for -blockdev).
  const storage = (ref: string): Storage => {
    const drive = drives.get(ref);
    if (drive) {
      const mode = String(drive.cache ?? 'writeback');
      if (!(mode in CACHE_MODES)) d.skip(`-drive id=${ref},cache=${mode} (not a QEMU cache mode: taken as writeback)`);
      const named = CACHE_MODES[mode] ?? CACHE_MODES.writeback;
      const flag = (k: string, dflt: boolean) => (drive[k] === undefined ? dflt : on(drive[k]));
      return {
        aio: String(drive.aio ?? 'threads'), direct: flag('cache.direct', named.direct), noFlush: flag('cache.no-flush', named.noFlush),
        writeback: flag('cache.writeback', named.writeback), from: `-drive id=${ref}${drive.cache === undefined ? ' (no cache=: QEMU\'s default, writeback)' : `,cache=${mode}`}`,
      };
    }
    let node = blockdevs.get(ref);
    for (let hop = 0; node && hop < 8; hop++) {
      if (node.aio !== undefined || ['file', 'host_device'].includes(String(node.driver))) {
        const cache = node.cache as Opts | undefined;
        return {
          aio: String(node.aio ?? 'threads'), direct: on(node['cache.direct']) || on(cache?.direct), noFlush: on(node['cache.no-flush']) || on(cache?.['no-flush']),
          writeback: true, from: `-blockdev node-name=${String(node['node-name'])}`,
        };
      }
      const file = node.file;
      node = typeof file === 'string' ? blockdevs.get(file) : (file as Opts | undefined);
    }
    return { aio: 'threads', direct: true, noFlush: false, writeback: true, from: `no -drive or -blockdev named ${ref}: taken as cache none` };
  };
  // The disk's cache mode and aio, from its storage and the device's write-cache.
  const setStorage = (at: (k: string) => (string | number)[], dev: Opts, driver: string): void => {
    const st = storage(String(dev.drive));
    const wc = dev['write-cache'];
    const writeback = wc === undefined || wc === 'auto' ? st.writeback : on(wc);
    const mode = cacheModeOf(st.direct, writeback, st.noFlush);
    const why = `${st.from}: cache.direct=${st.direct ? 'on' : 'off'}, writeback ${writeback ? 'on' : 'off'}${wc !== undefined ? ` (-device ${driver},write-cache=${String(wc)})` : ''}${st.noFlush ? ', cache.no-flush=on' : ''}`;
    if (mode === null) d.skip(`${why} (O_DIRECT with flushes ignored is no named cache mode: taken as none)`);
    d.set(at('cache'), mode ?? 'none', why);
    const direct = mode === null || mode === 'none' || mode === 'directsync';
    if (st.aio === 'native' && !direct) {
      d.skip(`${st.from} aio=native without cache.direct=on (QEMU refuses it: taken as threads)`);
      d.set(at('aio'), 'threads', `${st.from} aio=native without O_DIRECT: threads`);
    } else {
      d.set(at('aio'), st.aio === 'io_uring' || st.aio === 'native' ? st.aio : 'threads', `${st.from} aio=${st.aio}`);
    }
  };

  // virtio-scsi controllers by id: their LUNs (scsi-hd, bus=<id>.0) share their queues and iothreads.
  const controllers = new Map(devices.filter(({ opts: o }) => String(o.driver).startsWith('virtio-scsi')).map(({ opts: o }) => [String(o.id ?? 'scsi0'), o]));
  let n = 0;
  let nic: Opts | undefined;
  for (const { opts: o } of devices) {
    const driver = String(o.driver);
    if (driver.startsWith('virtio-scsi')) continue;
    if (driver === 'scsi-hd' || driver === 'scsi-block') {
      const id = String(o.bus ?? 'scsi0.0').split('.')[0];
      const ctl = controllers.get(id);
      if (!ctl) { d.skip(`-device ${driver},drive=${String(o.drive)} on ${id}, not a virtio-scsi controller`); continue; }
      const at = (k: string) => ['disks', n, k];
      const name = String(o.id ?? o.drive ?? `sd${String.fromCharCode(97 + n)}`);
      d.set(at('name'), name, `-device ${driver},drive=${String(o.drive)}`);
      d.set(at('bus'), 'scsi', `-device ${driver},bus=${id}.0 on -device ${String(ctl.driver)},id=${id}`);
      d.set(at('controller'), id, `-device ${driver},bus=${id}.0`);
      setStorage(at, o, driver);
      if (ctl.num_queues !== undefined) d.set(at('num-queues'), whole(ctl.num_queues, `-device ${String(ctl.driver)},num_queues`), `-device ${String(ctl.driver)},num_queues=${String(ctl.num_queues)}`);
      if (ctl.virtqueue_size !== undefined) d.set(at('queue-size'), whole(ctl.virtqueue_size, `-device ${String(ctl.driver)},virtqueue_size`), `-device ${String(ctl.driver)},virtqueue_size=${String(ctl.virtqueue_size)}`);
      if (ctl.cmd_per_lun !== undefined) d.set(at('cmd_per_lun'), whole(ctl.cmd_per_lun, `-device ${String(ctl.driver)},cmd_per_lun`), `-device ${String(ctl.driver)},cmd_per_lun=${String(ctl.cmd_per_lun)}`);
      placeQueues(d, at, ctl, String(ctl.driver));
      n++;
      continue;
    }
    if (driver === 'vhost-user-blk-pci' || driver === 'vhost-user-blk' || driver === 'vhost-scsi-pci' || driver === 'vhost-scsi') {
      // Served outside QEMU: the kernel's vhost-scsi (LIO) or a vhost-user target behind its chardev.
      const scsi = driver.startsWith('vhost-scsi');
      const at = (k: string) => ['disks', n, k];
      const name = String(o.id ?? `${scsi ? 'vhost-scsi' : 'vhost-user-blk'}${n}`);
      d.set(at('name'), name, `-device ${driver}`);
      if (scsi) d.set(at('bus'), 'scsi', `-device ${driver}: a virtio-scsi controller in the guest`);
      d.set(at('backend'), scsi ? 'vhost' : 'vhost-user', scsi ? `-device ${driver},wwpn=${String(o.wwpn ?? '?')}: the kernel's vhost-scsi with LIO` : `-device ${driver},chardev=${String(o.chardev ?? '?')}: a vhost-user target`);
      const queues = o[scsi ? 'num_queues' : 'num-queues'], size = o[scsi ? 'virtqueue_size' : 'queue-size'];
      if (queues !== undefined) d.set(at('num-queues'), whole(queues, `-device ${driver},num-queues`), `-device ${driver},${scsi ? 'num_queues' : 'num-queues'}=${String(queues)}`);
      if (size !== undefined) d.set(at('queue-size'), whole(size, `-device ${driver},queue-size`), `-device ${driver},${scsi ? 'virtqueue_size' : 'queue-size'}=${String(size)}`);
      if (scsi && o.cmd_per_lun !== undefined) d.set(at('cmd_per_lun'), whole(o.cmd_per_lun, `-device ${driver},cmd_per_lun`), `-device ${driver},cmd_per_lun=${String(o.cmd_per_lun)}`);
      if (scsi && o.worker_per_virtqueue !== undefined) d.set(at('worker_per_virtqueue'), on(o.worker_per_virtqueue), `-device ${driver},worker_per_virtqueue=${String(o.worker_per_virtqueue)}`);
      n++;
      continue;
    }
    if (driver === 'virtio-blk-pci' || driver === 'virtio-blk') {
      const at = (k: string) => ['disks', n, k];
      const name = String(o.id ?? o.drive ?? `vd${String.fromCharCode(97 + n)}`);
      d.set(at('name'), name, o.id !== undefined ? `-device ${driver},id=${name}` : `-device ${driver},drive=${name}`);
      setStorage(at, o, driver);
      if (o['num-queues'] !== undefined) d.set(at('num-queues'), whole(o['num-queues'], `-device ${driver},num-queues`), `-device ${driver},num-queues=${o['num-queues']}`);
      if (o['queue-size'] !== undefined) d.set(at('queue-size'), whole(o['queue-size'], `-device ${driver},queue-size`), `-device ${driver},queue-size=${o['queue-size']}`);
      if (on(o.packed)) d.set(at('ring'), 'packed', `-device ${driver},packed=on`);
      if (o.event_idx !== undefined && !on(o.event_idx)) d.set(at('event_idx'), false, `-device ${driver},event_idx=off`);
      placeQueues(d, at, o, driver);
      n++;
    } else if (driver === 'virtio-net-pci' || driver === 'virtio-net') {
      if (nic) d.skip(`-device ${driver} (a second NIC: vqsim models one per VM)`);
      else nic = o;
    } else {
      d.skip(`-device ${driver}`);
    }
  }
  for (const [id, o] of drives) {
    if (o.if === 'virtio') {
      const at = (k: string) => ['disks', n, k];
      d.set(at('name'), id, `-drive if=virtio,id=${id}`);
      // QEMU makes it a virtio-blk-pci with drive=<id> and write-cache=auto: its cache mode and aio.
      setStorage(at, { drive: id }, 'virtio-blk-pci');
      d.set(at('handler'), 'main-loop', '-drive if=virtio: no iothread, QEMU\'s main loop');
      n++;
    }
  }
  if (n > 0) d.set(['disk', 'device'], 'nvme-tlc', 'the backing device is not on the command line: vqsim\'s preset nvme-tlc');

  if (nic) {
    const tap = netdevs.get(String(nic.netdev));
    const queues = whole(tap?.queues ?? 1, '-netdev tap,queues');
    d.set(['nic', 'queues'], queues, tap?.queues ? `-netdev tap,queues=${tap.queues}` : 'no queues=: one queue pair');
    d.set(['nic', 'mq'], on(nic.mq), `-device ${String(nic.driver)},mq=${String(nic.mq ?? 'off')}`);
    d.set(['nic', 'vhost'], on(tap?.vhost), `-netdev tap,vhost=${String(tap?.vhost ?? 'off')}`);
    if (tap?.['poll-us'] !== undefined) d.set(['nic', 'poll-us'], whole(tap['poll-us'], '-netdev tap,poll-us'), `-netdev tap,poll-us=${tap['poll-us']}`);
    if (on(nic.packed)) d.set(['nic', 'ring'], 'packed', `-device ${String(nic.driver)},packed=on`);
    if (nic.vectors !== undefined) d.set(['nic', 'vectors'], whole(nic.vectors, `-device ${String(nic.driver)},vectors`), `-device ${String(nic.driver)},vectors=${nic.vectors}`);
    if (tap && tap.type !== 'tap') d.skip(`-netdev ${tap.type} (vqsim models a tap with vhost-net or QEMU)`);
    if (n === 0) d.set(['net'], { mode: 'stream', direction: 'tx', flows: vcpus }, 'workload: not on the command line; a TCP stream per vCPU');
  }
  if (n === 0 && !nic) throw new Error('the command line has no virtio-blk or virtio-net device: nothing for vqsim to simulate');
  if (n > 0) defaultWorkload(d, vcpus, fio);
  return d;
}

/** Where a device's virtqueues run: iothread-vq-mapping (JSON -device), one iothread=, or the main loop. */
function placeQueues(d: Draft, at: (k: string) => (string | number)[], o: Opts, driver: string): void {
  const mapping = o['iothread-vq-mapping'] as { iothread: string; vqs?: number[] }[] | undefined;
  if (mapping) {
    d.set(at('handler'), 'pool', `-device ${driver}: iothread-vq-mapping`);
    d.set(at('iothread-vq-mapping'), mapping.map((m) => ({ iothread: m.iothread, ...(m.vqs ? { vqs: m.vqs } : {}) })), '-device {... "iothread-vq-mapping": [...]}');
  } else if (o.iothread !== undefined) {
    d.set(at('handler'), 'shared', `-device ${driver},iothread=${String(o.iothread)}`);
    d.set(at('iothread'), String(o.iothread), `-device ${driver},iothread=${String(o.iothread)}`);
  } else {
    d.set(at('handler'), 'main-loop', 'no iothread=: QEMU\'s main loop');
  }
}
