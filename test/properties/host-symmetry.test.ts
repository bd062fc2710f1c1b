import fc from 'fast-check';
import { describe, it } from 'vitest';
import { reproduce, runGenerated } from './generated.js';

/** Generated hosts per CI run; `npm run fuzz` runs PROPS_RUNS / 10 of them at a fresh seed. */
const RUNS = Math.max(20, Math.round(Number(process.env.PROPS_RUNS ?? 400) / 10));
const SEED = Number(process.env.PROPS_SEED ?? (process.env.PROPS_RUNS ? Date.now() % 2 ** 31 : 20261206));

/** k identical VMs sharing a drive and the host's cores, on one of vqsim's storage paths. */
const host = fc.record({
  seed: fc.nat(1000),
  versions: fc.record({ qemu: fc.constantFrom('6.1', '8.2', '10.1'), host_kernel: fc.constantFrom('5.14', '6.12') }),
  cores: fc.constantFrom(0, 4, 8, 16),
  count: fc.integer({ min: 2, max: 4 }),
  vcpus: fc.integer({ min: 1, max: 4 }),
  disk: fc.constantFrom<Record<string, unknown>>(
    { handler: 'dedicated', aio: 'native' },
    { handler: 'dedicated', aio: 'io_uring', cache: 'writeback' },
    { handler: 'pool', iothreads: 2, aio: 'native' },
    { handler: 'dedicated', aio: 'threads' },
    { bus: 'scsi', handler: 'dedicated', aio: 'native' },
    { bus: 'scsi', backend: 'vhost' },
    { backend: 'vhost-user' },
  ),
  job: fc.record({ rw: fc.constantFrom('randread', 'randwrite'), iodepth: fc.integer({ min: 1, max: 32 }), numjobs: fc.integer({ min: 1, max: 4 }) }),
}).map((h) => ({
  // Threads queued for cores take turns by slices of milliseconds: a short window sees a VM ahead by
  // a slice or two (10 % in 60 ms, under 1 % in 600 ms); an uncontended host is fair at once. The
  // threads that contend are each VM's vCPUs and its iothread, and with aio=threads a pool of up to 64
  // workers (seed 1324945833: 4 such VMs of 1 vCPU on 8 cores, 98 % busy, 12 % apart in 60 ms and 2.7 %
  // in 300 ms).
  name: 'symmetry', duration: contended(h) ? '400ms' : '60ms', warmup: '20ms', seed: h.seed, versions: h.versions,
  host: { cores: h.cores, devices: { nvme0: { preset: 'nvme-tlc' } } },
  vms: [{ name: 'vm', count: h.count, vm: { vcpus: h.vcpus }, disk: { device: 'nvme0', ...h.disk }, job: h.job }],
}));

function contended(h: { cores: number; count: number; vcpus: number; disk: Record<string, unknown> }): boolean {
  return h.cores > 0 && (h.disk.aio === 'threads' || h.cores < 2 * h.count * (h.vcpus + 1));
}

describe(`random hosts of identical VMs (${RUNS} at seed ${SEED})`, () => {
  it('identical VMs get equal shares: per-VM IOPS within 10 % of each other; every VM progresses', () => {
    fc.assert(
      fc.property(host, (doc) => {
        const r = runGenerated(doc);
        if (r === null) return fc.pre(false);
        const ios = r.vms.map((v) => v.blk!.ios);
        const lo = Math.min(...ios), hi = Math.max(...ios);
        // Open question, not a tolerance to tighten blindly: VMs contending for cores can stay apart.
        // Under EEVDF (host Linux >= 6.6) far longer than under CFS (at 400 ms one seed gave 21 %, CFS
        // 1 %; at 4 s still 3-5 %), with no VM favoured across seeds. Under CFS one VM can settle ahead
        // for good (seed 1337723037: 3 VMs of kernel vhost-scsi, vCPU and worker each, on 4 cores: the
        // workers' wake-ups preempt the other VMs' vCPUs 4x as often, 1.11 apart at 0.4 s and at 2 s):
        // vqsim's scheduler has one run queue and no periodic load balancing, which in Linux moves tasks
        // between CPUs' queues (docs/model.md, simplifications).
        const contendedCores = doc.duration === '400ms';
        // One vhost-user reactor serves every VM's queues in a fixed order (SPDK runs its threads' pollers
        // in list order each pass): saturated, the first controller's requests reach the drive first each
        // pass, and the VMs line up by place (seed 1332510061: 4 VMs at QD27 x 4, 1.100 apart in VM
        // order at seeds 1-5 alike). A bias of the mechanism, not noise.
        const sharedReactor = doc.vms[0].disk.backend === 'vhost-user';
        if (lo === 0 || hi / lo > (contendedCores ? 1.3 : sharedReactor ? 1.2 : 1.1)) {
          throw reproduce(`per-VM I/Os ${ios.join(', ')} (max/min ${(hi / lo).toFixed(3)})`, doc);
        }
      }),
      { numRuns: RUNS, seed: SEED, maxSkipsPerRun: 10 },
    );
  }, Math.max(600_000, RUNS * 2000));
});
