import { IntFifo } from '../../engine/int-fifo.js';
import type { Rng } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import type { Costs } from '../costs.js';
import { Ev } from '../events.js';
import type { Device } from './device.js';
import { CACHE_DIRECT, GUEST_WRITE_CACHE, type CacheMode, type PageCacheParams } from './cache-modes.js';
import { Stage, type RequestTable } from './requests.js';

/** Where a disk's requests go below QEMU: its device, or the host's page cache in front of it. */
export interface BlockTarget {
  /** Takes request r; false when it waits in the host for a device slot. */
  submit(r: number): boolean;
  /** For a caller in a syscall (a pool worker's preadv, io_uring_enter): takes r, and if it is served
   *  within the syscall (a page cache hit, a write into the cache) returns that CPU time, the caller
   *  completing r; else -1, its completion to come as submit's would. */
  submitInline(r: number): number;
}

/** take()'s answers besides an inline CPU time: r went on, or waits for a device slot. */
const ASYNC = -1, WAITS_FOR_SLOT = -2;

/** What the page cache needs from its world: the clock, costs, requests and devices, and the way to
 *  complete a guest request (as its device completion would). */
export interface PageCacheOwner {
  readonly sim: Simulation;
  readonly costs: Readonly<Costs>;
  readonly requests: RequestTable;
  readonly devices: readonly Device[];
  complete(r: number): void;
}

/** A disk in front of its device. */
interface CachedDisk {
  mode: CacheMode;
  device: number;
  /** The chance a random read finds its pages cached (the cache's share of the working set). */
  hitRatio: number;
  rng: Rng;
}

/** A sequential reader's read-ahead: bytes cached up to readyEnd, asked of the device up to fetchEnd. */
interface ReadAhead {
  readyEnd: number;
  fetchEnd: number;
  /** Windows in flight, oldest first. */
  windows: IntFifo;
}

const NONE = -1;

/**
 * The host's page cache in front of the disks whose cache mode is not O_DIRECT, QEMU's write-through
 * flush for those whose guest sees no write cache (writethrough, directsync), and the guest's flushes
 * of every disk QEMU serves. In steady state:
 * - A random read finds its pages with the cache's share of the working set (size / the working sets
 *   of every cached disk); a miss reads them from the device. A sequential reader reads ahead in
 *   windows of read_ahead_kb, one device read each, and keeps a window ahead of itself (the async
 *   read-ahead): a read waits only for a window still in flight.
 * - writeback and unsafe: a write is copied into the cache and completes; background writeback starts
 *   past dirty_background_ratio and writes the dirty data back in the order it was dirtied (sequential
 *   extents merged up to the device's largest I/O); a writer that would take dirty and writeback
 *   pages past dirty_ratio waits until writeback brings them down (balance_dirty_pages at its limit).
 * - writethrough: reads as above, writes copied and written to the device at once, then flushed.
 * - directsync: O_DIRECT, each write flushed.
 * - A guest flush (fio's fsync, where the guest sees a write cache: none, writeback, unsafe): see flush().
 * A hit or an absorbed write costs the lookup and the copy (`page_cache_op_ns`, per KiB
 * `page_cache_copy_per_kib_ns`): CPU time of the syscall's thread where the engine serves it inline
 * (submitInline: a pool worker's preadv/pwritev, io_uring_enter's read), else latency of the request;
 * a flush costs `fdatasync_ns` of latency.
 */
export class PageCache {
  private readonly disks: CachedDisk[] = [];
  /** A disk of ours on each device (the one writeback I/Os are accounted to). */
  private readonly diskOf: number[] = [];
  private readonly readAhead = new Map<number, ReadAhead>();
  /** Per request: the read-ahead window a waiting read hangs on, and the next waiter of that window. */
  private readonly waitHead: Int32Array;
  private readonly waitNext: Int32Array;
  private readonly windowEnd: Float64Array;
  private readonly windowDone: Uint8Array;
  /** The reader (job) a read-ahead window is for. */
  private readonly windowJob: Int32Array;
  /** Per device: dirty extents in the order they were dirtied, whether each continues the one before,
   *  and writeback I/Os in flight. */
  private readonly dirtyQ: IntFifo[];
  private readonly dirtyJoins: IntFifo[];
  private readonly lastEnd: Float64Array;
  private readonly inflight: Int32Array;
  /** Per device, bytes ever dirtied, sent to writeback, and written back; and the bytes an fsync has
   *  asked to be sent (writeback runs below dirty_background_ratio until they are). */
  private readonly dirtied: Float64Array;
  private readonly sentBack: Float64Array;
  private readonly cleaned: Float64Array;
  private readonly forced: Float64Array;
  /** Per device, fsyncs waiting for the data dirtied before them to be written back, oldest first;
   *  per request, the bytes written back it waits for. */
  private readonly syncWaiters: IntFifo[];
  private readonly syncTarget: Float64Array;
  /** Dirty bytes not yet under writeback, and under writeback. */
  dirty = 0;
  writeback = 0;
  /** Guest flushes that reached the host. */
  flushes = 0;
  /** The most dirty + writeback bytes ever held (an invariant keeps it within dirty_ratio). */
  maxHeld = 0;
  private readonly throttled = new IntFifo(16);
  /** The largest write let into an empty cache. */
  private soloMax = 0;
  private readonly limit: number;
  private readonly background: number;
  /** Device I/Os of the cache's own in flight at most per device (its queue depth). */
  private readonly writebackCap: number[];

  constructor(
    private readonly p: PageCacheParams,
    private readonly owner: PageCacheOwner,
    private readonly maxTransfer: readonly number[],
  ) {
    const n = owner.requests.capacity;
    this.waitHead = new Int32Array(n).fill(NONE);
    this.waitNext = new Int32Array(n).fill(NONE);
    this.windowEnd = new Float64Array(n);
    this.windowDone = new Uint8Array(n);
    this.windowJob = new Int32Array(n);
    const devices = owner.devices.length;
    this.dirtyQ = Array.from({ length: devices }, () => new IntFifo(64));
    this.dirtyJoins = Array.from({ length: devices }, () => new IntFifo(64));
    this.lastEnd = new Float64Array(devices).fill(NaN);
    this.inflight = new Int32Array(devices);
    this.dirtied = new Float64Array(devices);
    this.sentBack = new Float64Array(devices);
    this.cleaned = new Float64Array(devices);
    this.forced = new Float64Array(devices);
    this.syncWaiters = Array.from({ length: devices }, () => new IntFifo(4));
    this.syncTarget = new Float64Array(n);
    this.writebackCap = owner.devices.map((d) => d.queueDepth);
    this.limit = (p.dirtyRatio / 100) * p.sizeBytes;
    // domain_dirty_limits: a background threshold at or above the limit is taken as half of it.
    const background = (p.dirtyBackgroundRatio / 100) * p.sizeBytes;
    this.background = background >= this.limit ? this.limit / 2 : background;
  }

  /** The next disk (host-wide numbering) is in `mode` on `device`. */
  addDisk(mode: CacheMode, device: number, hitRatio: number, rng: Rng): void {
    if (mode !== 'none' && this.diskOf[device] === undefined) this.diskOf[device] = this.disks.length;
    this.disks.push({ mode, device, hitRatio, rng });
  }

  /** Whether disk d's reads and writes go through here (its cache mode is not none); flushes of
   *  every disk do. */
  serves(d: number): boolean {
    return this.disks[d].mode !== 'none';
  }

  submit(r: number): boolean {
    const ns = this.take(r);
    if (ns >= 0) this.after(ns, r);
    return ns !== WAITS_FOR_SLOT;
  }

  submitInline(r: number): number {
    const ns = this.take(r);
    if (ns >= 0) this.owner.requests.stage[r] = Stage.Device;
    return ns >= 0 ? ns : ASYNC;
  }

  /** Takes r: the CPU time of serving it from the cache at once, or ASYNC, or WAITS_FOR_SLOT. */
  private take(r: number): number {
    const req = this.owner.requests;
    const disk = this.disks[req.disk[r]];
    if (req.flush[r]) {
      this.flush(r, disk);
      return ASYNC;
    }
    if (req.write[r]) {
      if (disk.mode !== 'writeback' && disk.mode !== 'unsafe') return this.toDevice(r, disk); // written through, flushed on completion
      return this.absorb(r);
    }
    if (CACHE_DIRECT[disk.mode]) return this.toDevice(r, disk);
    if (Number.isNaN(req.offset[r])) return disk.rng() >= disk.hitRatio ? this.toDevice(r, disk) : this.copyNs(r);
    return this.readSequential(r, disk);
  }

  private toDevice(r: number, disk: CachedDisk): number {
    return this.owner.devices[disk.device].submit(r) ? ASYNC : WAITS_FOR_SLOT;
  }

  /** A guest request of one of our disks came back from its device. */
  onDeviceDone(r: number): void {
    const req = this.owner.requests;
    const disk = this.disks[req.disk[r]];
    if (req.write[r] && !GUEST_WRITE_CACHE[disk.mode]) {
      this.after(this.owner.costs.fdatasync_ns + (CACHE_DIRECT[disk.mode] ? 0 : this.copyNs(r)), r);
    } else if (!CACHE_DIRECT[disk.mode] && !req.write[r]) {
      this.copyDone(r);
    } else {
      this.owner.complete(r);
    }
  }

  /** One of our own I/Os (a read-ahead window, a writeback) came back. */
  onInternalDone(w: number): void {
    const req = this.owner.requests;
    if (req.write[w]) {
      const dev = this.disks[req.disk[w]].device;
      this.inflight[dev]--;
      this.writeback -= req.bytes[w];
      this.cleaned[dev] += req.bytes[w];
      req.release(w);
      this.wakeSyncs(dev);
      this.admitThrottled();
      this.startWriteback(dev);
      return;
    }
    this.windowDone[w] = 1;
    const ra = this.readAhead.get(this.windowJob[w])!;
    // Windows become readable in file order: a later one that finished first waits for those before it.
    while (ra.windows.size > 0 && this.windowDone[ra.windows.at(0)]) {
      const x = ra.windows.shift();
      ra.readyEnd = Math.max(ra.readyEnd, this.windowEnd[x]);
      for (let r = this.waitHead[x]; r !== NONE;) {
        const next = this.waitNext[r];
        this.waitNext[r] = NONE;
        this.copyDone(r);
        r = next;
      }
      this.waitHead[x] = NONE;
      this.windowDone[x] = 0;
      req.release(x);
    }
  }

  /** The cache's law, for the run's invariants: dirty and writeback data never past dirty_ratio (or
   *  one write larger than it, alone in the cache). */
  violations(): string[] {
    const allowed = Math.max(this.limit, this.soloMax);
    return this.maxHeld > allowed ? [`page cache held ${this.maxHeld} dirty and writeback bytes, dirty_ratio allows ${allowed}`] : [];
  }

  /** A hit's or absorbed write's copy is done: the request completes as its device completion would. */
  onCopyDone(r: number): void {
    this.owner.complete(r);
  }

  private readSequential(r: number, disk: CachedDisk): number {
    const req = this.owner.requests;
    const job = req.job[r];
    let ra = this.readAhead.get(job);
    const start = req.offset[r], end = start + req.hostBytes[r];
    if (!ra) {
      ra = { readyEnd: start, fetchEnd: start, windows: new IntFifo(4) };
      this.readAhead.set(job, ra);
    } else if (start > ra.fetchEnd) {
      // The reader jumps (its reads reach the cache out of order, through a thread pool): read-ahead
      // begins again at its offset; the windows still in flight keep their waiters and free them.
      ra.readyEnd = start;
      ra.fetchEnd = start;
    }
    let ns = ASYNC;
    if (end <= ra.readyEnd) {
      ns = this.copyNs(r);
    } else {
      while (ra.fetchEnd < end) this.fetchWindow(ra, job, req.disk[r], disk);
      // Wait on the oldest window in flight that reaches the read's end.
      let w = NONE;
      for (let i = 0; i < ra.windows.size; i++) {
        const x = ra.windows.at(i);
        if (this.windowEnd[x] >= end) { w = x; break; }
      }
      req.stage[r] = Stage.HostWait;
      this.waitNext[r] = this.waitHead[w];
      this.waitHead[w] = r;
    }
    // Async read-ahead: keep a window in flight ahead of the reader.
    if (ra.fetchEnd - end < this.p.readAheadBytes) this.fetchWindow(ra, job, req.disk[r], disk);
    return ns;
  }

  private fetchWindow(ra: ReadAhead, job: number, diskIndex: number, disk: CachedDisk): void {
    const req = this.owner.requests;
    const w = req.allocInternal(false, this.p.readAheadBytes, diskIndex, this.owner.sim.now);
    req.offset[w] = ra.fetchEnd;
    ra.fetchEnd += this.p.readAheadBytes;
    this.windowEnd[w] = ra.fetchEnd;
    this.windowJob[w] = job;
    ra.windows.push(w);
    this.owner.devices[disk.device].submit(w);
  }

  /** writeback / unsafe: the write is copied into the cache (its CPU time), or waits for writeback to
   *  make room. */
  private absorb(r: number): number {
    const req = this.owner.requests;
    if (this.throttled.size > 0 || !this.fits(req.hostBytes[r])) {
      req.stage[r] = Stage.HostWait;
      this.throttled.push(r);
      return ASYNC;
    }
    this.dirtyBy(r);
    return this.copyNs(r);
  }

  private dirtyBy(r: number): void {
    const req = this.owner.requests;
    const bytes = req.hostBytes[r];
    const dev = this.disks[req.disk[r]].device;
    this.dirty += bytes;
    this.dirtied[dev] += bytes;
    if (this.dirty + this.writeback > this.maxHeld) this.maxHeld = this.dirty + this.writeback;
    const joins = req.offset[r] === this.lastEnd[dev];
    this.lastEnd[dev] = Number.isNaN(req.offset[r]) ? NaN : req.offset[r] + bytes;
    this.dirtyQ[dev].push(bytes);
    this.dirtyJoins[dev].push(joins ? 1 : 0);
    if (this.dirty > this.background) this.startWriteback(dev);
  }

  /** A write of `bytes` may go in: it keeps dirty and writeback data within dirty_ratio, or the cache
   *  holds none (a write larger than the limit goes in page by page in Linux, never waiting forever). */
  private fits(bytes: number): boolean {
    const held = this.dirty + this.writeback;
    if (held === 0 && bytes > this.soloMax) this.soloMax = bytes;
    return held === 0 || held + bytes <= this.limit;
  }

  private admitThrottled(): void {
    const req = this.owner.requests;
    while (this.throttled.size > 0 && this.fits(req.hostBytes[this.throttled.at(0)])) {
      const r = this.throttled.shift();
      this.dirtyBy(r);
      this.copyDone(r);
    }
  }

  /** Writeback of a device's dirty extents, oldest first, while the device has tags and dirty data is
   *  past dirty_background_ratio or an fsync waits for it. */
  private startWriteback(dev: number): void {
    const q = this.dirtyQ[dev], joins = this.dirtyJoins[dev], req = this.owner.requests;
    while (q.size > 0 && (this.dirty > this.background || this.sentBack[dev] < this.forced[dev]) && this.inflight[dev] < this.writebackCap[dev]) {
      let bytes = q.shift();
      joins.shift();
      while (q.size > 0 && joins.at(0) === 1 && bytes + q.at(0) <= this.maxTransfer[dev]) {
        bytes += q.shift();
        joins.shift();
      }
      this.dirty -= bytes;
      this.writeback += bytes;
      this.sentBack[dev] += bytes;
      this.inflight[dev]++;
      const w = req.allocInternal(true, bytes, this.diskOf[dev], this.owner.sim.now);
      this.owner.devices[dev].submit(w);
    }
  }

  /**
   * A guest flush reached the host (QEMU's bdrv_co_flush -> raw_co_flush_to_disk): unsafe completes it
   * at once (BDRV_O_NO_FLUSH); otherwise an fdatasync of the disk's file, which in writeback first
   * writes back every page dirtied before it and waits for them (file_write_and_wait_range), on top
   * of those already under writeback. Flushes of one device are answered in order, so the data is
   * counted per device: an fsync waits until as many bytes were written back as had been dirtied.
   */
  private flush(r: number, disk: CachedDisk): void {
    this.flushes++;
    if (disk.mode === 'unsafe') {
      this.after(0, r);
      return;
    }
    const dev = disk.device;
    if (disk.mode !== 'writeback' || this.cleaned[dev] >= this.dirtied[dev]) {
      this.after(this.owner.costs.fdatasync_ns, r);
      return;
    }
    this.owner.requests.stage[r] = Stage.HostWait;
    this.syncTarget[r] = this.dirtied[dev];
    this.syncWaiters[dev].push(r);
    this.forced[dev] = this.dirtied[dev];
    this.startWriteback(dev);
  }

  /** Writeback completed on dev: the fsyncs whose data is all written back issue their flush. */
  private wakeSyncs(dev: number): void {
    const q = this.syncWaiters[dev];
    while (q.size > 0 && this.syncTarget[q.at(0)] <= this.cleaned[dev]) this.after(this.owner.costs.fdatasync_ns, q.shift());
  }

  private copyNs(r: number): number {
    const c = this.owner.costs;
    return c.page_cache_op_ns + (this.owner.requests.hostBytes[r] / 1024) * c.page_cache_copy_per_kib_ns;
  }

  /** r completes once its data is copied between the cache and QEMU's buffer. */
  private copyDone(r: number): void {
    this.after(this.copyNs(r), r);
  }

  private after(ns: number, r: number): void {
    this.owner.requests.stage[r] = Stage.Device;
    this.owner.sim.after(ns, Ev.CacheDone, 0, r);
  }
}
