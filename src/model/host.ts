import { BlkWorld } from './blk/world.js';
import type { ModelConfig } from './config.js';
import { Ev } from './events.js';
import type { CpuAccount, ThreadUse } from './host/cpu-account.js';
import { HostCpu, type HostThread } from './host/host-cpu.js';
import { setUpThread, type ThreadSetup } from './host/thread-setup.js';
import { Vcpu, type GuestDriver } from './host/vcpu.js';
import { InvariantError } from './invariants.js';
import { NetWorld } from './net/world.js';
import type { HostResult, VmResult } from './result.js';
import type { DeviceSide, ResultFrame } from './host/device-side.js';
import type { EventReceiver } from './world.js';
import { SimulatedRun } from './simulated-run.js';
import { VIRTIO_BLK } from './blk/emulation.js';
import { VIRTIO_SCSI } from './scsi/emulation.js';
import { VHOST_SCSI } from './vhost-scsi/backend.js';
import { VHOST_USER_BLK } from './vhost-user-blk/backend.js';
import { MAIN_LOOP } from './qemu/iothread-mapping.js';

/** The guest drivers' numbers in the vCPUs' driver table. */
const BLK = 0, NET = 1;

/**
 * A host and its VMs, one simulation: the host's cores, its storage devices and wires; each VM's
 * vCPUs running fio and network applications at once, its QEMU threads, vhost workers and devices.
 * Builds the components from a ModelConfig, places every thread on the host, routes events to the
 * components by index, and gives each VM's measurements.
 */
export class Host extends SimulatedRun<HostResult> {
  readonly vcpus: Vcpu[] = [];
  readonly cpu: HostCpu | null = null;
  readonly blk: BlkWorld;
  readonly net: NetWorld;
  private readonly setups: ThreadSetup[];
  /** Per VM: its first vCPU in the host's table. */
  private readonly vcpuBase: number[] = [];
  /** The device types' sides, and per event kind the side that declared it. */
  private readonly sides: DeviceSide[];
  private readonly receivers: EventReceiver[] = [];

  constructor(readonly config: ModelConfig) {
    super(config);
    const c = config.costs;
    this.setups = config.vms.map((vm) => ({
      seed: config.seed, pointKey: config.pointKey, replication: config.replication, jitter: config.jitter,
      vm: vm.name, streams: vm.streams, cpusets: vm.cpusets, pins: vm.pins, numaRemote: vm.numaRemote, numaRemoteFactor: vm.numaRemoteFactor,
    }));
    let n = 0;
    for (const vm of config.vms) {
      this.vcpuBase.push(n);
      n += vm.vcpus;
    }
    const place = (t: HostThread, vm: number) => setUpThread(t, this.setups[vm], this.cpu);
    this.blk = new BlkWorld(this.sim, config, this.vcpus, this.vcpuBase, BLK, place,
      { virtio: VIRTIO_BLK, scsi: VIRTIO_SCSI }, { vhost: VHOST_SCSI, 'vhost-user': VHOST_USER_BLK });
    this.net = new NetWorld(this.sim, config, this.vcpus, this.vcpuBase, NET, (v) => this.blk.qemu.contextOf(v, MAIN_LOOP));
    this.blk.setUpPolling();
    this.sides = [this.blk, this.net];
    for (const side of this.sides) for (const k of side.eventKinds) this.receivers[k] = side;
    const drivers: GuestDriver[] = this.sides.map((side) => side.guest);
    config.vms.forEach((vm) => {
      for (let i = 0; i < vm.vcpus; i++) {
        this.vcpus.push(new Vcpu(this.vcpus.length, `vcpu${i}`, this.sim, drivers, vm.haltPoll, c.vcpu_wakeup_ns, c.vmexit_ns, c.halt_poll_reentry_ns));
      }
    });
    if (config.cpu) {
      const threads = this.vcpus.length + this.sides.reduce((n, side) => n + side.maxThreads, 0);
      this.cpu = new HostCpu(config.cpu, this.sim, threads, c.context_switch_ns);
    }
    // The host's own threads first (the vhost-user target's reactors), on cores of their own when a
    // cpuset gives them; then VM by VM: its vCPUs, then each side's threads (the order cores are handed
    // out in).
    for (const side of this.sides) {
      const own = side.hostThreads();
      const setup: ThreadSetup = { ...this.setups[0], vm: '', streams: own.streams, cpusets: own.cpusets, pins: {}, numaRemote: [] };
      for (const t of own.threads) setUpThread(t, setup, this.cpu);
    }
    config.vms.forEach((_, v) => {
      for (const t of this.vcpusOf(v)) place(t, v);
      for (const side of this.sides) for (const t of side.threadsOf(v)) place(t, v);
    });
  }

  private vcpusOf(v: number): Vcpu[] {
    return this.vcpus.slice(this.vcpuBase[v], this.vcpuBase[v] + this.config.vms[v].vcpus);
  }

  /** The host's own events (its vCPUs and cores, the end of warmup); every other kind goes to the side
   *  that declared it. */
  dispatch(kind: number, a: number, b: number): void {
    switch (kind) {
      case Ev.VcpuStepDone: this.vcpus[a].onStepDone(); break;
      case Ev.VcpuWake: this.vcpus[a].onWake(); break;
      case Ev.VcpuHaltPollEnd: this.vcpus[a].onHaltPollEnd(); break;
      case Ev.CoreGranted: this.cpu!.onGrantedEvent(a); break;
      case Ev.WarmupEnd: this.resetStats(); break;
      default: this.receivers[kind].receive(kind, a, b);
    }
  }

  private resetStats(): void {
    const now = this.sim.now;
    for (const v of this.vcpus) { v.acct.reset(now); v.kicks.fill(0); }
    for (const side of this.sides) side.resetStats(now);
    this.cpu?.resetStats(now);
  }

  /** The loads start and the end of warmup is due. */
  start(): void {
    for (const side of this.sides) side.start();
    this.sim.at(this.config.warmupNs, Ev.WarmupEnd, 0, 0);
  }

  /** The measurements of the window after warmup, once the end is reached; checks the invariants. */
  finish(): HostResult {
    const cfg = this.config, end = this.endNs, T = cfg.durationNs;
    for (const side of this.sides) side.close(end);
    const accounts: CpuAccount[][] = cfg.vms.map((_, v) => [
      ...this.vcpusOf(v).map((x) => x.acct),
      ...this.sides.flatMap((side) => side.accountsOf(v)),
    ]);
    // The host's own threads serve its VMs: the single VM of the single-VM form counts them among its
    // threads; the host form lists them once, beside every VM's.
    const hostThreads = this.sides.flatMap((side) => side.hostThreads().threads.map((t) => t.acct));
    if (cfg.form === 'vm') accounts[0].push(...hostThreads);
    for (const t of [...accounts.flat(), ...(cfg.form === 'vm' ? [] : hostThreads)]) t.close(end);
    const use = (t: CpuAccount): ThreadUse => ({ name: t.name, role: t.role, vm: t.vm, busyNs: t.busyNs, pollNs: t.pollNs });
    const coreUtil = this.cpu && cfg.cpu!.cores > 0 ? this.cpu.coreUtilization(end, T) : [];
    const host = {
      coreUtil, runqWaitNs: this.cpu ? this.cpu.waitNs : 0, coreAcquisitions: this.cpu ? this.cpu.acquisitions : 0,
      events: this.sim.events,
    };
    const vms: VmResult[] = cfg.vms.map((vm, v) => {
      const threads = accounts[v].map(use);
      const frame = (driver: number): ResultFrame => ({
        variant: cfg.variant, replication: cfg.replication, windowNs: T, endNs: end, threads, host,
        kicks: this.vcpusOf(v).reduce((s, x) => s + x.kicks[driver], 0),
      });
      return { name: vm.name, group: vm.group, threads, blk: this.blk.resultOf(v, frame(BLK)), net: this.net.resultOf(v, frame(NET)) };
    });
    const broken = this.sides.flatMap((side) => side.violations(T));
    if (broken.length > 0) throw new InvariantError(`invariants broken in variant ${cfg.variant}: ${broken.join('; ')}`);
    return {
      variant: cfg.variant, replication: cfg.replication, windowNs: T, vms,
      threads: [...vms.flatMap((v) => v.threads), ...(cfg.form === 'vm' ? [] : hostThreads.map(use))],
      devices: this.blk.devices.map((d) => ({ name: d.name, util: d.utilization(end, T) })),
      ...host,
    };
  }
}
