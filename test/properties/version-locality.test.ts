import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Host } from '../../src/model/host.js';
import { behaviourOf, NEWEST, type Behaviour, type Versions } from '../../src/model/versions.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { scenarioFromText } from '../../src/scenario/load.js';

type Doc = Record<string, unknown>;
type Axis = 'qemu' | 'host_kernel' | 'guest_kernel';

/** The releases walked on each axis: every one a boundary of the versions table can fall on. */
const RELEASES: Record<Axis, string[]> = {
  qemu: ['2.0', '2.1', '2.8', '2.9', '4.1', '4.2', '5.0', '5.1', '5.2', '6.0', '6.1', '7.2', '8.0', '8.1', '8.2', '9.0', '9.2', '10.0', '10.1', '10.2'],
  host_kernel: ['3.14', '3.19', '4.0', '4.2', '4.3', '4.19', '4.20', '5.14', '6.1', '6.5', '6.6', '6.10', '6.11', '6.12'],
  guest_kernel: ['3.13', '3.14', '4.10', '4.11', '5.2', '5.3', '5.4', '6.8', '6.9', '6.12'],
};

const blk = (disk: Doc = {}, extra: Doc = {}): Doc => ({
  vm: { vcpus: 4 }, disk: { handler: 'dedicated', aio: 'native', ...disk },
  job: { rw: 'randread', iodepth: 16, numjobs: 4 }, ...extra,
});
const net = (nic: Doc = {}, extra: Doc = {}): Doc => ({
  vm: { vcpus: 2 }, nic: { queues: 2, mq: true, ...nic }, net: { mode: 'stream', direction: 'tx', flows: 4, msg_size: 256, window: 64 }, ...extra,
});

/**
 * Per mechanism of the versions table: what to change in the disk-only base (`blk()`) so that it cannot
 * touch the mechanism, and a configuration it does touch. A new row of the table fails the walk until
 * it is written here.
 */
const LOCALITY: Record<keyof Behaviour, { untouched: Doc; touched: Doc }> = {
  // QEMU's AioContext polling: the main loop never polls.
  aioPolling: { untouched: { disk: { handler: 'main-loop' } }, touched: blk({}, { vm: { vcpus: 1 }, job: { rw: 'randread', iodepth: 1 } }) },
  pollPerHandler: { untouched: { disk: { handler: 'main-loop' } }, touched: blk({ 'num-queues': 4 }, { job: { rw: 'randread', iodepth: 1, numjobs: 1 } }) },
  // Linux AIO's MAX_EVENTS and batch: another engine.
  linuxAioMaxEvents: { untouched: { disk: { aio: 'threads' } }, touched: blk({}, { job: { rw: 'randread', iodepth: 64, numjobs: 4 } }) },
  nativeDefaultBatch: { untouched: { disk: { aio: 'threads' } }, touched: blk({}, { job: { rw: 'randread', iodepth: 64, numjobs: 4 } }) },
  // The fd monitor: the main loop is glib's ppoll in every release before 10.2.
  fdmonIoUring: { untouched: { disk: { handler: 'main-loop' } }, touched: blk({ 'num-queues': 16 }, { vm: { vcpus: 16 }, job: { rw: 'randread', iodepth: 1, numjobs: 1 } }) },
  // The main loop's wait through the fd monitor (10.2): an iothread's wait was already.
  mainLoopFdmon: { untouched: {}, touched: blk({ handler: 'main-loop', 'num-queues': 16 }, { vm: { vcpus: 16 }, job: { rw: 'randread', iodepth: 1, numjobs: 1 } }) },
  // Notification deferral is an iothread's: the main loop notifies at once in every release.
  deferredNotify: { untouched: { disk: { handler: 'main-loop' } }, touched: blk() },
  // The forced poll pass is an iothread's: glib's main loop never ran it.
  forcedPollPass: { untouched: { disk: { handler: 'main-loop' } }, touched: blk({}, { iothread: { 'poll-max-ns': 0 } }) },
  // Poll mode's end waits on a bottom half: only aio=threads completes through one.
  pollModeDeferred: { untouched: {}, touched: blk({ aio: 'threads' }) },
  // The coroutine pool: free with its two costs at 0. Touched: a virtio-scsi LUN's unbounded batches
  // swing past the pool (which grows only with virtio-blk queues: a small one here, so 7.0's sizing shows).
  coroutinePool: {
    untouched: { costs: { coroutine_new_ns: 0, coroutine_delete_ns: 0 } },
    touched: {
      vm: { vcpus: 4 }, iothread: { 'aio-max-batch': 1024 },
      disks: [
        { name: 'vda', bus: 'virtio', 'queue-size': 16, 'num-queues': 1, handler: 'dedicated', aio: 'native' },
        { name: 'sda', bus: 'scsi', 'num-queues': 4, cmd_per_lun: 256, handler: 'dedicated', aio: 'native' },
      ],
      jobs: [{ name: 'j', disk: 'sda', rw: 'randread', iodepth: 64, numjobs: 8 }],
    },
  },
  // Machine-type defaults: given explicitly, nothing is left to them.
  multiQueueDefault: { untouched: { disk: { 'num-queues': 4 } }, touched: blk() },
  emulatedQueueSize: { untouched: { disk: { 'queue-size': 128 } }, touched: blk({ 'num-queues': 1 }, { job: { rw: 'randread', iodepth: 64, numjobs: 4 } }) },
  // KVM halt polling: off by the module parameter.
  kvmHaltPoll: { untouched: { host: { halt_poll_ns: 0 } }, touched: blk({}, { job: { rw: 'randread', iodepth: 1, numjobs: 1 } }) },
  haltPollShrink: { untouched: { host: { halt_poll_ns: 0 } }, touched: blk({}, { job: { rw: 'randread', iodepth: 1, numjobs: 1, thinktime: '1ms' } }) },
  kvmHaltPollAdaptive: { untouched: { host: { halt_poll_ns: 0 } }, touched: blk({}, { job: { rw: 'randread', iodepth: 1, numjobs: 1, thinktime: '1ms' } }) },
  // The fair scheduler: a core for every thread leaves it nothing to decide.
  eevdf: { untouched: {}, touched: blk({}, { host: { cores: 2 } }) },
  delayDequeue: { untouched: {}, touched: blk({}, { host: { cores: 2 } }) },
  // vhost-net's TX batching of small packets (UDP's are never coalesced), the guest's TCP autocorking
  // (which waits on skbs still in the device: with napi_tx, for without it start_xmit orphans them) and
  // virtio_net: a disk-only VM has no NIC.
  vhostTxBatch: { untouched: {}, touched: net({}, { net: { mode: 'stream', direction: 'tx', protocol: 'udp', flows: 4, msg_size: 256, window: 64 } }) },
  tcpAutocork: { untouched: {}, touched: net({ napi_tx: true }, { net: { mode: 'stream', direction: 'tx', flows: 4, msg_size: 256, window: 64 } }) },
  napiTx: { untouched: {}, touched: net({ queues: 1, mq: false }, { net: { mode: 'stream', direction: 'tx', flows: 1, msg_size: '64k', window: 8 } }) },
  // The guest's cpuidle-haltpoll: off unless asked for (refused before it exists).
  guestHaltpoll: { untouched: {}, touched: blk({}, { host: { guest_haltpoll: true } }) },
  // mq-deadline: a request queue with a hardware queue per vCPU gets none.
  mqDeadlineDefault: { untouched: { disk: { 'num-queues': 4 } }, touched: blk({ 'num-queues': 1 }) },
  mqDeadlineInsertLists: { untouched: { disk: { 'num-queues': 4 } }, touched: blk({ 'num-queues': 1 }) },
};

function deepMerge(a: Doc, b: Doc): Doc {
  const out: Doc = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? deepMerge(out[k] as Doc, v as Doc) : v;
  }
  return out;
}

/** The run's fio and network figures, or 'refused' where the release has no such mechanism. */
function outcome(doc: Doc, versions: Versions): string {
  const text = stringify({ name: 'locality', duration: '15ms', warmup: '5ms', seed: 1, versions, ...doc });
  let cfg;
  try {
    cfg = scenarioFromText('locality.yaml', text).points[0].config(0);
  } catch (e) {
    if (e instanceof ScenarioError) return 'refused';
    throw e;
  }
  const r = new Host(cfg).run();
  return JSON.stringify(r.vms.map((v) => [v.blk && [v.blk.ios, v.blk.latency.mean, v.blk.kicks, v.blk.irqs], v.net && [v.net.bytes, v.net.kicks, v.net.irqs], v.threads.map((t) => [t.busyNs, t.pollNs])]));
}

/** Consecutive releases of an axis across which the behaviour changes, and the keys that change. */
function boundaries(axis: Axis): { below: Versions; at: Versions; keys: (keyof Behaviour)[] }[] {
  const out = [];
  const rel = RELEASES[axis];
  for (let i = 1; i < rel.length; i++) {
    const below = { ...NEWEST, [axis]: rel[i - 1] }, at = { ...NEWEST, [axis]: rel[i] };
    const b = behaviourOf(below), a = behaviourOf(at);
    const keys = (Object.keys(a) as (keyof Behaviour)[]).filter((k) => a[k] !== b[k]);
    if (keys.length > 0) out.push({ below, at, keys });
  }
  return out;
}

describe('version locality: each row of the versions table moves only what its mechanism touches', () => {
  for (const axis of ['qemu', 'host_kernel', 'guest_kernel'] as const) {
    for (const { below, at, keys } of boundaries(axis)) {
      it(`${axis} ${below[axis]} -> ${at[axis]} (${keys.join(', ')})`, () => {
        for (const k of keys) expect(LOCALITY[k], `no locality configurations for ${k}`).toBeDefined();
        const untouched = keys.map((k) => LOCALITY[k].untouched).reduce(deepMerge, blk());
        const same = outcome(untouched, below);
        expect(same).not.toBe('refused');
        expect(outcome(untouched, at)).toBe(same);
        for (const k of keys) {
          expect(outcome(LOCALITY[k].touched, at), `${k} changes nothing on a configuration it touches`).not.toBe(outcome(LOCALITY[k].touched, below));
        }
      });
    }
  }

  it('walks every row of the table', () => {
    const seen = new Set((['qemu', 'host_kernel', 'guest_kernel'] as const).flatMap((a) => boundaries(a).flatMap((b) => b.keys)));
    expect([...seen].sort()).toEqual(Object.keys(behaviourOf(NEWEST)).sort());
  });
});
