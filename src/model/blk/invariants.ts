import type { Simulation } from '../../engine/simulation.js';
import type { AioContext } from '../qemu/aio-context.js';
import type { Device } from '../storage/device.js';
import type { PageCache } from '../storage/page-cache.js';
import { Stage, type RequestTable } from '../storage/requests.js';
import type { Virtqueue } from '../virtio/virtqueue.js';
import { littleViolation } from '../invariants.js';
import type { DispatchBudget } from './dispatch-budget.js';
import type { Job } from './guest.js';
import type { BlkLoad } from './load.js';

/** What the laws read of the virtio-blk side. */
export interface BlkState {
  readonly sim: Simulation;
  readonly requests: RequestTable;
  readonly jobs: readonly Job[];
  readonly loads: readonly BlkLoad[];
  readonly vqs: readonly Virtqueue[];
  readonly pageCache: PageCache | null;
  readonly devices: readonly Device[];
  readonly ctxs: readonly AioContext[];
  readonly budget: DispatchBudget;
}

/**
 * The laws of the virtio-blk side, checked at the end of every run: requests are conserved, no queue
 * exceeded its bound, and Little's law holds for each VM's fio (a window of `windowNs` ending now).
 * Returns what is broken.
 */
export function blkViolations(w: BlkState, windowNs: number): string[] {
  const broken: string[] = [];
  const req = w.requests;
  const census = req.census();
  const live = census.reduce((s, n, stage) => (stage === Stage.Free ? s : s + n), 0);
  const inflight = w.jobs.reduce((s, j) => s + j.inflight, 0);
  const issued = w.loads.reduce((s, l) => s + l.issuedTotal, 0);
  const reaped = w.loads.reduce((s, l) => s + l.reapedTotal, 0);
  if (live !== req.live || live !== inflight || issued - reaped !== live) {
    broken.push(`requests not conserved: issued ${issued}, reaped ${reaped}, live ${live}, in flight ${inflight}`);
  }
  for (const j of w.jobs) {
    if (j.maxInflight > j.iodepth) broken.push(`job ${j.index} had ${j.maxInflight} I/Os in flight, iodepth ${j.iodepth}`);
  }
  for (const vq of w.vqs) {
    if (vq.maxInuse > vq.size) broken.push(`virtqueue ${vq.index} held ${vq.maxInuse} requests, queue-size ${vq.size}`);
  }
  if (w.budget.overruns > 0) broken.push(`SCSI LUNs went past their queue depth ${w.budget.overruns} times`);
  if (w.pageCache) broken.push(...w.pageCache.violations());
  for (const d of w.devices) {
    if (d.maxAdmitted > d.queueDepth) broken.push(`device ${d.name} admitted ${d.maxAdmitted}, queue depth ${d.queueDepth}`);
  }
  for (const ctx of w.ctxs) {
    const maxPop = Math.max(0, ...ctx.vqs.map((vq) => vq.maxPop));
    if (ctx.largestPop > maxPop) broken.push(`${ctx.name} popped ${ctx.largestPop} requests in one round`);
    for (const e of ctx.engines) for (const v of e.violations()) broken.push(`${ctx.name} ${v}`);
  }
  const oldest = w.loads.map(() => Infinity);
  for (let i = 0; i < req.capacity; i++) {
    if (req.stage[i] === Stage.Free || req.job[i] < 0) continue;
    const v = w.jobs[req.job[i]].vm;
    if (req.issued[i] < oldest[v]) oldest[v] = req.issued[i];
  }
  w.loads.forEach((l, v) => {
    const age = oldest[v] === Infinity ? 0 : w.sim.now - oldest[v];
    const lat = l.latency();
    lat.add(l.syncLatency());
    const little = littleViolation(l.inFlight.area / windowNs, l.ios + l.syncs, windowNs, lat, l.inFlight.max, age);
    if (little) broken.push(w.loads.length > 1 ? `VM ${v}: ${little}` : little);
  });
  return broken;
}
