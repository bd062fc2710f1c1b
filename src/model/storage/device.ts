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

/** A backing device as a resolved scenario gives it. Times in ns. */
export interface DeviceConfig {
  name: string;
  queueDepth: number;
  parallelism: number;
  read: DistSpec;
  write: DistSpec;
  iopsCap: number;
  /** Bytes per second; 0 = none. */
  bwCap: number;
  /** Largest host I/O, bytes (the host queue's max_sectors_kb, QEMU's blk_get_max_transfer). */
  maxTransfer: number;
}

/** A backing device as the model runs it (a preset or inline). Times in ns. */
export interface DeviceParams {
  /** Hardware queue depth: requests the device accepts at once; more wait in the host. */
  queueDepth: number;
  /** Requests the device services concurrently (channels, dies). */
  parallelism: number;
  read: Distribution;
  write: Distribution;
  /** 0 = no cap. */
  iopsCap: number;
  /** Bytes per second, 0 = no cap. */
  bwCap: number;
}

/** The size the service-time distributions describe (4 KiB random reads and writes). */
const BASE_BYTES = 4096;

/**
 * An NVMe-like device: at most queueDepth requests admitted (the excess waits in the host, in FIFO
 * order, as blk-mq tag waiters do), of which at most `parallelism` are in service; optional IOPS and
 * bandwidth caps pace service starts with no burst.
 */
export class Device {
  /** Requests waiting in the host for a slot. */
  readonly hostWait = new IntFifo(64);
  /** Admitted requests waiting for a free channel. */
  private readonly queued = new IntFifo(64);
  admitted = 0;
  maxAdmitted = 0;
  inService = 0;
  /** Time-integral of inService, for utilization. */
  busyArea = 0;
  private lastChange = 0;
  private nextStart = 0;
  completions = 0;

  constructor(
    readonly index: number,
    readonly name: string,
    private readonly p: DeviceParams,
    private readonly rng: Rng,
    private readonly owner: DeviceOwner,
  ) {}

  get queueDepth(): number {
    return this.p.queueDepth;
  }

  /** The host submits a request; false when it has to wait for a slot. */
  submit(r: number): boolean {
    if (this.admitted < this.p.queueDepth) {
      this.admit(r);
      return true;
    }
    this.owner.requests.stage[r] = Stage.HostWait;
    this.hostWait.push(r);
    return false;
  }

  private admit(r: number): void {
    this.owner.requests.stage[r] = Stage.Device;
    if (++this.admitted > this.maxAdmitted) this.maxAdmitted = this.admitted;
    if (this.inService < this.p.parallelism) this.start(r);
    else this.queued.push(r);
  }

  private start(r: number): void {
    const now = this.owner.sim.now;
    this.account(now);
    this.inService++;
    const p = this.p;
    if (p.iopsCap > 0 || p.bwCap > 0) {
      const gap = Math.max(p.iopsCap > 0 ? 1e9 / p.iopsCap : 0, p.bwCap > 0 ? (this.owner.requests.hostBytes[r] * 1e9) / p.bwCap : 0);
      const at = Math.max(now, this.nextStart);
      this.nextStart = at + gap;
      if (at > now) {
        this.owner.sim.at(at, Ev.DeviceStart, this.index, r);
        return;
      }
    }
    this.serve(r);
  }

  /** Service: the distribution's time for 4 KiB, plus the transfer of the rest at the device's
   *  bandwidth (a large I/O is striped over the channels). */
  serve(r: number): void {
    const req = this.owner.requests;
    const dist = req.write[r] ? this.p.write : this.p.read;
    const extra = this.p.bwCap > 0 && req.hostBytes[r] > BASE_BYTES ? ((req.hostBytes[r] - BASE_BYTES) * 1e9) / this.p.bwCap : 0;
    this.owner.sim.after(dist.sample(this.rng) + extra, Ev.DeviceDone, this.index, r);
  }

  /** Service complete: free the channel and the slot, admit the oldest host waiter. */
  onDone(r: number): void {
    this.account(this.owner.sim.now);
    this.inService--;
    this.admitted--;
    this.completions++;
    if (this.queued.size > 0) this.start(this.queued.shift());
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
  }

  /** Mean channels busy over the window ending now, as a fraction of parallelism. */
  utilization(now: number, window: number): number {
    this.account(now);
    return window > 0 ? this.busyArea / window / this.p.parallelism : 0;
  }
}
