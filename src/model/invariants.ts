import type { Simulation } from '../engine/simulation.js';
import type { Histogram } from '../stats/histogram.js';
import { THREAD_POOL_MAX, ThreadsAio } from './aio/threads.js';
import type { ModelConfig } from './config.js';
import type { Device } from './device.js';
import type { Job } from './guest.js';
import { VIRTIO_BLK_MAX_MERGE_REQS, type AioContext } from './iothread.js';
import { Stage, type RequestTable } from './requests.js';
import type { RunResult } from './result.js';
import type { Virtqueue } from './virtqueue.js';

/** What the end-of-run checks of a virtio-blk VM read. */
export interface BlkRunState {
  readonly config: ModelConfig;
  readonly sim: Simulation;
  readonly requests: RequestTable;
  readonly jobs: readonly Job[];
  readonly vqs: readonly Virtqueue[];
  readonly devices: readonly Device[];
  readonly ctxs: readonly AioContext[];
  readonly issuedTotal: number;
  readonly reapedTotal: number;
  readonly maxOutstanding: number;
}

export class InvariantError extends Error {}

/**
 * Little's law L = lambda W over a window of T ns, for `count` completions of latency `w`; what
 * straddles the window's edges (at most maxOutstanding items, each in the window for at most the
 * longer of w.max and `oldestAge`, the age of the oldest item still in flight at the end, and never
 * more than T) bounds the difference. Returns the broken law's description, or undefined.
 */
export function littleViolation(meanOutstanding: number, count: number, T: number, w: Histogram, maxOutstanding: number, oldestAge = 0): string | undefined {
  if (count === 0 || T <= 0) return undefined;
  const lambdaW = (count / T) * w.mean;
  const straddle = Math.min(T, Math.max(w.max, oldestAge));
  const slack = 0.01 * meanOutstanding + (2 * maxOutstanding * straddle) / T + 1e-9;
  if (Math.abs(meanOutstanding - lambdaW) <= slack) return undefined;
  return `Little's law: L = ${meanOutstanding.toFixed(4)} but lambda*W = ${lambdaW.toFixed(4)} (slack ${slack.toFixed(4)})`;
}

/**
 * Checked at the end of every run, not only in tests: requests are conserved, no queue exceeded its
 * bound, and Little's law holds. (Time never going back is checked by the engine on every event.)
 */
export function checkInvariants(vm: BlkRunState, r: RunResult): void {
  const broken: string[] = [];
  const req = vm.requests;
  const census = req.census();
  const live = census.reduce((s, n, stage) => (stage === Stage.Free ? s : s + n), 0);
  const inflight = vm.jobs.reduce((s, j) => s + j.inflight, 0);
  if (live !== req.live || live !== inflight || vm.issuedTotal - vm.reapedTotal !== live) {
    broken.push(`requests not conserved: issued ${vm.issuedTotal}, reaped ${vm.reapedTotal}, live ${live}, in flight ${inflight}`);
  }
  for (const j of vm.jobs) {
    if (j.maxInflight > j.iodepth) broken.push(`job ${j.index} had ${j.maxInflight} I/Os in flight, iodepth ${j.iodepth}`);
  }
  for (const vq of vm.vqs) {
    if (vq.maxInuse > vq.size) broken.push(`virtqueue ${vq.index} held ${vq.maxInuse} requests, queue-size ${vq.size}`);
  }
  vm.config.disks.forEach((d, i) => {
    const max = vm.devices[i].maxAdmitted;
    if (max > d.device.queueDepth) broken.push(`device of ${d.name} admitted ${max}, queue depth ${d.device.queueDepth}`);
  });
  for (const ctx of vm.ctxs) {
    if (ctx.largestPop > VIRTIO_BLK_MAX_MERGE_REQS) broken.push(`${ctx.name} popped ${ctx.largestPop} requests in one round`);
    for (const e of ctx.engines) {
      if (e instanceof ThreadsAio && e.workers.length > THREAD_POOL_MAX) {
        broken.push(`${ctx.name} spawned ${e.workers.length} pool workers`);
      }
    }
  }
  let oldest = Infinity;
  for (let i = 0; i < req.capacity; i++) if (req.stage[i] !== Stage.Free && req.issued[i] < oldest) oldest = req.issued[i];
  const oldestAge = oldest === Infinity ? 0 : vm.sim.now - oldest;
  const little = littleViolation(r.meanOutstanding, r.ios, r.windowNs, r.latency, vm.maxOutstanding, oldestAge);
  if (little) broken.push(little);
  if (broken.length > 0) throw new InvariantError(`invariants broken in variant ${r.variant}: ${broken.join('; ')}`);
}
