import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { HostResult } from '../../src/model/result.js';
import { reproduce, runGenerated } from './generated.js';

/** Generated scenarios per CI run, at a fixed seed; `npm run fuzz` runs 10,000 at a fresh one. */
const RUNS = Number(process.env.PROPS_RUNS ?? 300);
const SEED = Number(process.env.PROPS_SEED ?? (process.env.PROPS_RUNS ? Date.now() % 2 ** 31 : 20261206));

/** The releases either side of the versions table's boundaries. */
const QEMU = ['4.2', '5.0', '5.2', '6.0', '6.1', '7.2', '8.0', '8.1', '8.2', '9.0', '9.2', '10.0', '10.1'];
const KERNEL = ['4.19', '5.4', '5.14', '6.1', '6.8', '6.12'];

/** One disk on one of vqsim's storage paths, with the fields that path takes. */
const disk = fc.oneof(
  fc.record({
    device: fc.constantFrom('optane', 'nvme-tlc', 'null_blk'),
    bus: fc.constantFrom('virtio', 'scsi'),
    'num-queues': fc.integer({ min: 1, max: 8 }),
    ring: fc.constantFrom('split', 'packed'),
    aio: fc.constantFrom('native', 'io_uring', 'threads'),
    handler: fc.constantFrom('main-loop', 'dedicated', 'pool'),
    iothreads: fc.integer({ min: 1, max: 4 }),
    cache: fc.constantFrom('none', 'none', 'writeback', 'writethrough'),
    // The kernel's pick, or BFQ as Fedora and RHEL guests set it on sd* disks.
    scheduler: fc.constantFrom(undefined, undefined, 'bfq'),
  }).map((d) => ({
    ...d,
    iothreads: d.handler === 'pool' ? d.iothreads : undefined,
    // The page cache modes need an engine that can do buffered I/O.
    cache: d.aio === 'native' ? 'none' : d.cache,
  })),
  fc.record({ device: fc.constantFrom('optane', 'nvme-tlc'), bus: fc.constant('scsi'), backend: fc.constant('vhost'), 'num-queues': fc.integer({ min: 1, max: 4 }), scheduler: fc.constantFrom(undefined, 'bfq') }),
  fc.record({ device: fc.constantFrom('optane', 'nvme-tlc'), backend: fc.constant('vhost-user'), 'num-queues': fc.integer({ min: 1, max: 4 }) }),
);

const scenario = fc.record({
  seed: fc.nat(1000),
  versions: fc.record({ qemu: fc.constantFrom(...QEMU), host_kernel: fc.constantFrom(...KERNEL), guest_kernel: fc.constantFrom(...KERNEL) }),
  vm: fc.record({ vcpus: fc.integer({ min: 1, max: 8 }) }),
  disk,
  job: fc.record({
    rw: fc.constantFrom('randread', 'randwrite', 'randrw', 'read'),
    bs: fc.constantFrom('4k', '16k'),
    iodepth: fc.integer({ min: 1, max: 64 }),
    numjobs: fc.integer({ min: 1, max: 8 }),
    // An open loop now and then: fio's rate_iops, evenly spaced or Poisson arrivals.
    rate_iops: fc.option(fc.integer({ min: 2000, max: 100_000 }), { nil: undefined, freq: 4 }),
    rate_process: fc.constantFrom('linear', 'poisson'),
  }),
}).map((s) => ({ name: 'property', duration: '20ms', warmup: '10ms', ...s }));

type Doc = Record<string, unknown>;

/** Why a run breaks fio's view of its jobs, or null. */
function fioViolation(doc: Doc, r: HostResult): string | null {
  const vm = r.vms[0], blk = vm.blk!;
  const busy = new Map(vm.threads.filter((t) => t.role === 'vcpu').map((t) => [t.name, t.busyNs / r.windowNs]));
  const d = doc.disk as Doc, j = doc.job as Doc;
  const vcpus = (doc.vm as { vcpus: number }).vcpus;
  // Every job progresses, except where QEMU itself can starve a queue: an AioContext that notifies
  // each completion inside virtio_blk_handle_vq's do/while loop (the main loop in every release,
  // iothreads before 8.2's defer_call) stays in the handler of a queue its guest keeps refilling.
  const qemu = (doc.versions as { qemu: string }).qemu.split('.').map(Number);
  const notifiesInLoop = d.backend === undefined && (d.handler === 'main-loop' || qemu[0] < 8 || (qemu[0] === 8 && qemu[1] < 2));
  const starved = blk.clones.filter((c) => c.completions === 0);
  if (starved.length > 0) return notifiesInLoop ? null : `job clone ${starved[0].clone} on ${starved[0].vcpu} completed no I/O`;
  // Little's law per clone: iops x lat is its mean number in flight, unless some of its requests wait
  // longer than the window (the same handler loop holding its queue for a while, or jobs sleeping
  // for blk-mq tags, whose latency tail reaches back into the warmup).
  const perQueue = (j.numjobs as number) * (j.iodepth as number) / Math.min(vcpus, d['num-queues'] as number);
  for (const c of perQueue > 64 ? [] : blk.clones) {
    const lat = c.latSumNs / c.completions, l = (c.completions / r.windowNs) * lat;
    // The requests straddling the window's two edges, each counted in part: up to iodepth at each,
    // over a latency's share of the window, the latency length-biased (E[L^2] / E[L]: an edge falls in
    // a long request more often than in a short one; a job that waits for a SCSI LUN's budget has a
    // long tail).
    const straddler = Math.max(lat, c.latSqSumNs / c.latSumNs);
    const edges = 2 * c.iodepth * Math.min(1, straddler / r.windowNs);
    if (!notifiesInLoop && Math.abs(l - c.meanInFlight) > 0.05 * c.meanInFlight + edges + 1) {
      return `job clone ${c.clone} on ${c.vcpu}: iops x lat = ${l.toFixed(2)} but ${c.meanInFlight.toFixed(2)} in flight`;
    }
  }
  // Identical clones on one vCPU (one hardware queue, one thread scheduler) get equal shares. A 20 ms
  // window is short for that, the more so for jobs that sleep for blk-mq tags (2.7 to 4.7 times apart
  // in it, within 5 % in 2 s): this catches gross unfairness where tags are not short, and
  // test/model/fio-thread.test.ts checks fairness among sleeping jobs on a long window (they got 20
  // times less than their neighbours before the woken thread ran first).
  for (const v of perQueue > 64 ? [] : new Set(blk.clones.map((c) => c.vcpu))) {
    const n = blk.clones.filter((c) => c.vcpu === v).map((c) => c.completions);
    const lo = Math.min(...n), hi = Math.max(...n);
    if (hi >= 500 && hi > 4 * lo) return `clones on ${v} completed ${n.join(', ')} I/Os: unequal shares`;
  }
  // An open loop below saturation (no thread of the VM nor the device near its limit, its I/Os in
  // flight well under iodepth and its queue's tags) completes what it is offered: within the arrivals'
  // own noise and the I/Os straddling the window's edges.
  const saturated = vm.threads.some((t) => t.busyNs / r.windowNs > 0.8) || blk.deviceUtil.some((u) => u > 0.8);
  if (j.rate_iops !== undefined) {
    if (saturated || perQueue > 64) return null;
    const T = r.windowNs / 1e9, offered = (j.rate_iops as number) * T;
    for (const c of blk.clones) {
      if (c.meanInFlight > 0.5 * c.iodepth) continue;
      // 6 sigma of the Poisson count: npm run fuzz checks some 30,000 clones, among which a 4-sigma
      // window (6e-5 each, more with the catch-up of a backlog left at warmup's end, as fio's rate
      // limiter catches up too) turns up about twice (seed 1317153913: 480 of 391 offered, 4.5 sigma,
      // the same clone at 19.5 k IOPS over 200 ms) and a 5-sigma one now and then (seed 1324958568:
      // 422 of 324, the arrivals themselves, 421 in the window; the same scenario at 60 seeds offers
      // 1.0007 times its rate, none past 3.1 sigma).
      const slack = 6 * Math.sqrt(offered) + 2 * Math.ceil(c.meanInFlight) + 2;
      if (Math.abs(c.completions - offered) > slack) return `open-loop clone ${c.clone} on ${c.vcpu} completed ${c.completions} of ${offered.toFixed(0)} offered`;
    }
    return null;
  }
  // fio keeps iodepth issued (iodepth_low is iodepth): a slot is out of flight only while fio's thread
  // reaps and re-issues it, on its vCPU, so at most the vCPU's busy share of the time; unless the vCPU
  // is saturated, or the jobs on one hardware queue want more than its tags (they sleep in io_submit).
  if (perQueue > 64) return null;
  for (const c of blk.clones) {
    const u = busy.get(c.vcpu) ?? 0;
    if (u > 0.5) continue;
    if (c.meanInFlight < 0.95 * c.iodepth * (1 - u)) return `job clone ${c.clone} on ${c.vcpu} (vCPU ${(100 * u).toFixed(0)} % busy): ${c.meanInFlight.toFixed(2)} in flight of iodepth ${c.iodepth}`;
  }
  return null;
}

describe(`random valid scenarios (${RUNS} at seed ${SEED})`, () => {
  it('every run keeps its invariants and fio\'s view of every job', () => {
    fc.assert(
      fc.property(scenario, (doc) => {
        const r = runGenerated(doc);
        fc.pre(r !== null);
        const broken = fioViolation(doc, r!);
        if (broken) throw reproduce(broken, doc);
      }),
      { numRuns: RUNS, seed: SEED, maxSkipsPerRun: 10 },
    );
  }, Math.max(600_000, RUNS * 200));
});
