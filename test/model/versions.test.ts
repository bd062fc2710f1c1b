import { describe, expect, it } from 'vitest';
import { atLeast, behaviourOf, NEWEST } from '../../src/model/versions.js';
import { scenario, simulate } from '../helpers.js';
import { summarize } from '../../src/stats/summary.js';
import { simulatePoint } from '../../src/run/simulate.js';
import { loadScenario } from '../../src/scenario/load.js';

describe('versions select mechanisms and defaults', () => {
  it('compares releases part by part', () => {
    expect(atLeast('10.0', '9.2')).toBe(true);
    expect(atLeast('9.2', '10.0')).toBe(false);
    expect(atLeast('6.8', '6.8.0')).toBe(true);
    expect(atLeast('5.15', '5.4')).toBe(true);
  });

  it('gives each release its behaviour', () => {
    const at = (qemu: string, host_kernel = NEWEST.host_kernel) => behaviourOf({ ...NEWEST, qemu, host_kernel });
    expect(at('10.0').pollPerHandler).toBe(true);
    expect(at('9.2').pollPerHandler).toBe(false);
    expect([at('4.2').linuxAioMaxEvents, at('5.0').linuxAioMaxEvents]).toEqual([128, 1024]);
    expect([at('6.0').nativeDefaultBatch, at('6.1').nativeDefaultBatch]).toEqual([1024, 32]);
    expect([at('4.2').fdmonIoUring, at('5.0').fdmonIoUring]).toEqual([false, true]);
    expect([at('7.2').pollModeDeferred, at('8.0').pollModeDeferred]).toEqual([false, true]);
    expect([at('10.1').mainLoopFdmon, at('10.2').mainLoopFdmon]).toEqual([false, true]);
    expect([at('10.1', '6.10').haltPollShrink, at('10.1', '6.11').haltPollShrink]).toEqual([0, 2]);
    expect([at('10.1', '3.14').kvmHaltPoll, at('10.1', '4.0').kvmHaltPoll]).toEqual([false, true]);
    // An older machine type keeps its device defaults; the binary's mechanisms stay the binary's.
    const old = behaviourOf({ ...NEWEST, machine: '4.2' });
    expect([old.multiQueueDefault, old.emulatedQueueSize, old.pollPerHandler]).toEqual([false, 128, true]);
  });

  it('defers guest notifications from QEMU 8.2 in an iothread, never in the main loop', () => {
    // 8.1 and 8.2 differ in nothing else the model has: only the iothread's results move.
    const run = (handler: string, qemu: string) => summarize(simulate({
      duration: '20ms', warmup: '2ms', seed: 3, versions: { qemu }, vm: { vcpus: 4 },
      disk: { device: 'optane', handler }, job: { iodepth: 8, numjobs: 4 },
    }).result);
    expect(run('main-loop', '8.2')).toEqual(run('main-loop', '8.1'));
    expect(run('dedicated', '8.2').lat_mean_us).not.toEqual(run('dedicated', '8.1').lat_mean_us);
  });

  it('ends poll mode at a pending bottom half before QEMU 8.0: the guest kicks between the thread pool\'s completions', () => {
    const run = (aio: string, qemu: string) => summarize(simulate({
      duration: '50ms', warmup: '5ms', seed: 3, versions: { qemu }, vm: { vcpus: 4 },
      disk: { device: 'nvme-gen4', aio, handler: 'dedicated' }, job: { iodepth: 64 },
    }).result);
    const before = run('threads', '7.2'), after = run('threads', '8.0');
    expect(Number(after.kicks_per_io)).toBeLessThan(0.005);
    expect(Number(before.kicks_per_io)).toBeGreaterThan(0.02);
    // Linux AIO completes through its eventfd, which polling reads: no bottom half, no difference.
    expect(run('native', '7.2')).toEqual(run('native', '8.0'));
  });

  it('gives a disk one virtqueue per vCPU from QEMU 5.2, one before: then every completion interrupts vCPU 0', () => {
    const run = (qemu: string, extra: object = {}) => simulate({
      duration: '10ms', warmup: '1ms', versions: { qemu }, vm: { vcpus: 4 },
      disk: { device: 'optane', handler: 'dedicated', ...extra }, job: { iodepth: 4, numjobs: 4 },
    });
    const queues = (r: ReturnType<typeof run>) => r.host.config.vms[0].disks[0].numQueues;
    expect([queues(run('5.1')), queues(run('5.2')), queues(run('5.1', { 'num-queues': 2 }))]).toEqual([1, 4, 2]);
    const busy = (r: ReturnType<typeof run>) => r.result.threads.filter((t) => t.role === 'vcpu').map((t) => t.busyNs);
    const [v0, ...others] = busy(run('5.1'));
    for (const b of others) expect(v0).toBeGreaterThan(1.5 * b);
  });

  it('gives QEMU\'s own virtio-blk and virtio-scsi queues 256 descriptors from QEMU 5.0, 128 before; vhost-scsi and vhost-user-blk 128', () => {
    const size = (qemu: string, disk: object = {}) => scenario({ versions: { qemu }, vm: { vcpus: 2 }, disk })
      .points[0].config(0).vms[0].disks[0].queueSize;
    expect([size('4.2'), size('5.0'), size('4.2', { 'queue-size': 512 })]).toEqual([128, 256, 512]);
    expect(size('10.1', { bus: 'scsi', backend: 'vhost' })).toBe(128);
    expect(size('10.1', { backend: 'vhost-user' })).toBe(128);
  });

  it('polls in AioContexts from QEMU 2.9 (32 us by default), never before, and refuses a window there', () => {
    const polled = (qemu: string) => simulate({
      duration: '10ms', warmup: '1ms', versions: { qemu }, vm: { vcpus: 1 }, disk: { device: 'optane', handler: 'dedicated' },
    }).result.threads.find((t) => t.role === 'iothread')!.pollNs;
    expect(polled('2.8')).toBe(0);
    expect(polled('2.9')).toBeGreaterThan(0);
    expect(() => scenario({ vm: { vcpus: 1 }, versions: { qemu: '2.8' }, iothread: { 'poll-max-ns': 1000 } }))
      .toThrow(/iothread\.poll-max-ns.*QEMU 2\.9/);
  });

  it('has no KVM halt polling before host Linux 4.0, and refuses a window there', () => {
    const haltPoll = (host_kernel: string, host?: object) => simulate({ duration: '2ms', versions: { host_kernel }, vm: { vcpus: 1 }, ...(host ? { host } : {}) }).host.config.vms[0].haltPoll.maxNs;
    expect([haltPoll('3.14'), haltPoll('4.0'), haltPoll('3.14', { cores: 0 })]).toEqual([0, 200_000, 0]);
    expect(() => scenario({ vm: { vcpus: 1 }, versions: { host_kernel: '3.14' }, host: { halt_poll_ns: 100_000 } }))
      .toThrow(/host\.halt_poll_ns: KVM halt polling needs host Linux 4\.0/);
  });

  it('refuses a mechanism the guest kernel lacks, naming the field', () => {
    expect(() => scenario({ vm: { vcpus: 1 }, versions: { guest_kernel: '4.19' }, host: { guest_haltpoll: true } }))
      .toThrow(/host\.guest_haltpoll: cpuidle-haltpoll needs guest Linux 5.4/);
    expect(() => scenario({ vm: { vcpus: 1 }, versions: { qemu: 'ten' } })).toThrow(/versions\.qemu: expected a release/);
  });
});

describe('QEMU 10.2: the main loop waits through fdmon-io_uring (glib GSource integration)', () => {
  // One job at QD1 on the main loop of a disk with 16 queues: before 10.2 every wait is glib's ppoll
  // over the 18 fds, going in and coming out; from 10.2 io_uring reports only the ready one.
  const run = (qemu: string, handler = 'main-loop') => simulate({
    duration: '50ms', warmup: '5ms', exact_costs: true, versions: { qemu }, vm: { vcpus: 16 },
    disk: { device: 'optane', handler, 'num-queues': 16 }, job: { rw: 'randread', iodepth: 1 },
  }).result;
  it('saves the fd walk on each main-loop wait, and changes nothing for an iothread', () => {
    const lat = (r: ReturnType<typeof run>) => r.latency.mean;
    expect(lat(run('10.1')) - lat(run('10.2'))).toBeGreaterThan(1000);
    expect(run('10.2', 'dedicated').ios).toBe(run('10.1', 'dedicated').ios);
  });
});

describe('CPU time is not a constant', () => {
  it('a request/response run has a latency spread from CPU jitter; exact_costs removes it', () => {
    const s = loadScenario('scenarios/net-busy-poll.yaml', { variants: ['poll-us-50'] });
    const row = simulatePoint(s.points[0].config(0)).summary;
    expect(row.lat_p50_us).toBeLessThan(row.lat_p99_us as number);
    expect(row.lat_p99_us).toBeLessThan(row.lat_max_us as number);
    const exact = summarize(simulate({
      duration: '50ms', warmup: '5ms', exact_costs: true, vm: { vcpus: 1 },
      disk: { device: { read: { dist: 'constant', value: '20us' } } }, job: { iodepth: 1 },
    }).result);
    expect(exact.lat_max_us).toBeLessThan((exact.lat_p50_us as number) * 1.02);
  });
});
