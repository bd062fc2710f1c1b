import { Distribution, type DistSpec } from '../../engine/distribution.js';
import { IntFifo } from '../../engine/int-fifo.js';
import type { Rng } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import { Ev } from '../events.js';
import { Stage, type RequestTable } from './requests.js';

/** What a device needs from the world that submits to it. */
export interface DeviceOwner {
  readonly sim: Simulation;
  readonly requests: RequestTable;
  /** A request that waited in the host got its slot. */
  onAdmitted(r: number): void;
  onDeviceDone(r: number): void;
}

/**
 * Which unit serves a request: `die`, the one that holds its data (a random one, since an SSD's FTL
 * spreads logical blocks over its dies), in that unit's FIFO order; `any`, the first free one, in one
 * FIFO (a device whose every unit can serve any request: null_blk, a RAM disk, a target with a core
 * per request).
 */
export type Dispatch = 'die' | 'any';

/**
 * The host's Linux driver of the device: `nvme`, a drive, whose requests cost the CPU that submits them
 * nvme_queue_rq's command and a completion interrupt (the queue's vector is affine to that CPU); or
 * `null_blk`, which has neither (irqmode=0 completes inside submit_bio).
 */
export type HostDriver = 'nvme' | 'null_blk';

/** A backing device as a resolved scenario gives it. Times in ns. */
export interface DeviceConfig {
  name: string;
  queueDepth: number;
  parallelism: number;
  dispatch: Dispatch;
  read: DistSpec;
  write: DistSpec;
  iopsCap: number;
  /** Bytes per second; 0 = none. */
  bwCap: number;
  /** Writes only (NAND's program rate behind the controller's); 0 = none. */
  writeIopsCap: number;
  writeBwCap: number;
  /** Largest host I/O, bytes (the host queue's max_sectors_kb, QEMU's blk_get_max_transfer). */
  maxTransfer: number;
  driver: HostDriver;
}

/** A backing device as the model runs it (a preset or inline). Times in ns. */
export interface DeviceParams {
  /** Hardware queue depth: requests the device accepts at once; more wait in the host. */
  queueDepth: number;
  /** Units (flash dies) that each serve one request at a time. */
  parallelism: number;
  dispatch: Dispatch;
  read: Distribution;
  write: Distribution;
  /** 0 = no cap. */
  iopsCap: number;
  /** Bytes per second, 0 = no cap. */
  bwCap: number;
  /** The same for writes alone, on top of the controller's caps: what the media absorbs. */
  writeIopsCap: number;
  writeBwCap: number;
}

/** The size the service-time distributions describe (4 KiB random reads and writes). */
const BASE_BYTES = 4096;

/**
 * An NVMe-like device: at most queueDepth requests admitted (the excess waits in the host, in FIFO
 * order, as blk-mq tag waiters do). An admitted request goes to the unit (flash die) that holds its
 * data, a random one since the FTL spreads logical blocks over the dies, and waits there behind that
 * die's earlier requests: requests collide on dies well before the device is saturated, which is how a
 * neighbour's load raises a light tenant's latency on a shared SSD (per-die queues, as in MQSim). Optional
 * IOPS and bandwidth caps (the controller's) pace service starts with no burst; writes have caps of
 * their own besides (a NAND drive's write cache absorbs a write in ~20 us but drains to flash only at
 * the program rate, its datasheet's sequential write: sustained, writes are paced there).
 */
export class Device {
  /** Requests waiting in the host for a slot. */
  readonly hostWait = new IntFifo(64);
  /** Per unit: admitted requests waiting for it, and whether it is serving one. */
  private readonly unitQueue: IntFifo[];
  private readonly unitBusy: Uint8Array;
  admitted = 0;
  maxAdmitted = 0;
  inService = 0;
  /** Time-integral of inService, for utilization. */
  busyArea = 0;
  private lastChange = 0;
  private nextStart = 0;
  private nextWriteStart = 0;
  /** A read's and a write's transfer time per byte past 4 KiB, ns (a write's at the slower of the two
   *  bandwidths; 0: uncapped). */
  private readonly readNsPerByte: number;
  private readonly writeNsPerByte: number;
  completions = 0;
  /** Bytes of the completed requests. */
  bytesDone = 0;
  writesDone = 0;
  writeBytesDone = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    private readonly p: DeviceParams,
    private readonly rng: Rng,
    private readonly owner: DeviceOwner,
  ) {
    this.unitQueue = Array.from({ length: p.parallelism }, () => new IntFifo(4));
    this.unitBusy = new Uint8Array(p.parallelism);
    this.readNsPerByte = p.bwCap > 0 ? 1e9 / p.bwCap : 0;
    const writeBw = Math.min(p.bwCap || Infinity, p.writeBwCap || Infinity);
    this.writeNsPerByte = Number.isFinite(writeBw) ? 1e9 / writeBw : 0;
  }

  get queueDepth(): number {
    return this.p.queueDepth;
  }

  /** The host submits a request; false when it has to wait for a slot. */
  /** A device serves nothing inside the caller's syscall. */
  submitInline(r: number): number {
    this.submit(r);
    return -1;
  }

  submit(r: number): boolean {
    if (this.admitted < this.p.queueDepth) {
      this.admit(r);
      return true;
    }
    this.owner.requests.stage[r] = Stage.HostWait;
    this.hostWait.push(r);
    return false;
  }

  /** The request waits for its unit: the one that holds its data, behind that unit's earlier
   *  requests; or (dispatch any) the first free one, behind every earlier request. */
  private admit(r: number): void {
    const req = this.owner.requests;
    req.stage[r] = Stage.Device;
    if (++this.admitted > this.maxAdmitted) this.maxAdmitted = this.admitted;
    if (this.p.dispatch === 'any') {
      req.unit[r] = 0;
      if (this.inService < this.p.parallelism) this.start(r);
      else this.unitQueue[0].push(r);
      return;
    }
    const u = Math.floor(this.rng() * this.p.parallelism);
    req.unit[r] = u;
    if (this.unitBusy[u]) this.unitQueue[u].push(r);
    else this.start(r);
  }

  /** Service starts now, or when the controller's cap allows (paced starts, no burst); its end is
   *  the one event: nothing observes the start itself. */
  private start(r: number): void {
    const now = this.owner.sim.now;
    if (this.p.dispatch === 'die') this.unitBusy[this.owner.requests.unit[r]] = 1;
    this.account(now);
    this.inService++;
    const p = this.p, req = this.owner.requests;
    const bytes = req.hostBytes[r], write = req.write[r] === 1;
    let at = now;
    if (p.iopsCap > 0 || p.bwCap > 0) {
      const gap = Math.max(p.iopsCap > 0 ? 1e9 / p.iopsCap : 0, p.bwCap > 0 ? (bytes * 1e9) / p.bwCap : 0);
      at = Math.max(now, this.nextStart);
      this.nextStart = at + gap;
    }
    if (write && (p.writeIopsCap > 0 || p.writeBwCap > 0)) {
      const gap = Math.max(p.writeIopsCap > 0 ? 1e9 / p.writeIopsCap : 0, p.writeBwCap > 0 ? (bytes * 1e9) / p.writeBwCap : 0);
      at = Math.max(at, this.nextWriteStart);
      this.nextWriteStart = at + gap;
    }
    // The distribution's time for 4 KiB, plus the transfer of the rest at the device's bandwidth (a
    // large I/O is striped over the dies).
    const dist = write ? p.write : p.read;
    const nsPerByte = write ? this.writeNsPerByte : this.readNsPerByte;
    const extra = bytes > BASE_BYTES ? (bytes - BASE_BYTES) * nsPerByte : 0;
    this.owner.sim.at(at + dist.sample(this.rng) + extra, Ev.DeviceDone, this.index, r);
  }

  /** Service complete: the unit takes its next request, the slot admits the oldest host waiter. */
  onDone(r: number): void {
    this.account(this.owner.sim.now);
    this.inService--;
    this.admitted--;
    this.completions++;
    const bytes = this.owner.requests.hostBytes[r];
    this.bytesDone += bytes;
    if (this.owner.requests.write[r]) {
      this.writesDone++;
      this.writeBytesDone += bytes;
    }
    // Its unit (under dispatch any, the one shared queue) takes its next request.
    const q = this.unitQueue[this.owner.requests.unit[r]];
    if (q.size > 0) this.start(q.shift());
    else this.unitBusy[this.owner.requests.unit[r]] = 0;
    if (this.hostWait.size > 0) {
      const w = this.hostWait.shift();
      this.admit(w);
      this.owner.onAdmitted(w);
    }
    this.owner.onDeviceDone(r);
  }

  private account(now: number): void {
    this.busyArea += this.inService * (now - this.lastChange);
    this.lastChange = now;
  }

  resetStats(now: number): void {
    this.account(now);
    this.busyArea = 0;
    this.completions = 0;
    this.bytesDone = 0;
    this.writesDone = 0;
    this.writeBytesDone = 0;
  }

  /** How near the device ran to a limit over the window ending now: the mean fraction of its units
   *  busy, or of its controller's IOPS or bandwidth cap used, or of its write caps, whichever is higher.
   *  A cap's share counts the window's completions, some of them paced before it began, so a saturated
   *  cap can tip past 1 by an I/O's worth: it is reported as 1. */
  utilization(now: number, window: number): number {
    this.account(now);
    if (window <= 0) return 0;
    const p = this.p, sec = window / 1e9;
    const units = this.busyArea / window / p.parallelism;
    const iops = p.iopsCap > 0 ? this.completions / sec / p.iopsCap : 0;
    const bw = p.bwCap > 0 ? this.bytesDone / sec / p.bwCap : 0;
    const writeIops = p.writeIopsCap > 0 ? this.writesDone / sec / p.writeIopsCap : 0;
    const writeBw = p.writeBwCap > 0 ? this.writeBytesDone / sec / p.writeBwCap : 0;
    return Math.min(1, Math.max(units, iops, bw, writeIops, writeBw));
  }
}
