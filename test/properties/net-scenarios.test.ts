import fc from 'fast-check';
import { describe, it } from 'vitest';
import { reproduce, runGenerated } from './generated.js';

/** Generated network scenarios per CI run; `npm run fuzz` runs PROPS_RUNS / 5 at a fresh seed. */
const RUNS = Math.max(30, Math.round(Number(process.env.PROPS_RUNS ?? 500) / 5));
const SEED = Number(process.env.PROPS_SEED ?? (process.env.PROPS_RUNS ? Date.now() % 2 ** 31 : 20261206));

const bytes = (size: number | string) => (typeof size === 'number' ? size : parseInt(size, 10) * 1024);
function nagleBound(n: { mode: string; direction: string; protocol: string; msg_size: number | string; window: number }): boolean {
  const m = bytes(n.msg_size);
  return n.protocol === 'tcp' && n.mode === 'stream' && n.direction !== 'rx' && m < 1448 && (n.window - 1) * m < 1448;
}

/** A VM with a virtio-net NIC and a netperf/iperf3-like load, alone or beside a fio job. */
const scenario = fc.record({
  seed: fc.nat(1000),
  versions: fc.record({ qemu: fc.constantFrom('4.2', '8.2', '10.1'), host_kernel: fc.constantFrom('4.19', '5.14', '6.12'), guest_kernel: fc.constantFrom('4.19', '5.14', '6.12') }),
  vm: fc.record({ vcpus: fc.integer({ min: 1, max: 8 }) }),
  nic: fc.record({
    queues: fc.integer({ min: 1, max: 8 }), mq: fc.boolean(), vhost: fc.boolean(), 'poll-us': fc.constantFrom(0, 50),
    ring: fc.constantFrom('split', 'packed'),
  }),
  net: fc.record({
    mode: fc.constantFrom('stream', 'rr'), direction: fc.constantFrom('tx', 'rx', 'both'), protocol: fc.constantFrom('tcp', 'udp'),
    flows: fc.integer({ min: 1, max: 16 }), msg_size: fc.constantFrom(64, '1k', '64k'), window: fc.integer({ min: 1, max: 16 }),
  }),
  withDisk: fc.boolean(),
}).map(({ withDisk, ...s }) => ({
  // A TCP sender whose small segment is out waits, under Nagle, for the peer's 40 ms delayed ACK
  // (TCP_DELACK_MIN) unless the rest of its window fills a segment: its window must hold one.
  name: 'net-property', duration: nagleBound(s.net) ? '90ms' : '20ms', warmup: '10ms', ...s,
  ...(withDisk ? { disk: { handler: 'main-loop' }, job: { rw: 'randread', iodepth: 4 } } : {}),
}));

describe(`random network scenarios (${RUNS} at seed ${SEED})`, () => {
  it('every run keeps its invariants (packets conserved, rings within size, Little\'s law), moves data, and has one main loop', () => {
    fc.assert(
      fc.property(scenario, (doc) => {
        const r = runGenerated(doc);
        if (r === null) return fc.pre(false);
        const vm = r.vms[0];
        const moved = doc.net.mode === 'rr' ? vm.net!.transactions : vm.net!.bytes;
        // One thread per real thread: QEMU has one main loop per VM, whichever devices it serves.
        const names = vm.threads.map((t) => t.name);
        const broken = moved === 0 ? 'no data moved' : vm.blk !== null && vm.blk.ios === 0 ? 'the fio job beside it completed nothing'
          : new Set(names).size < names.length ? `a thread listed twice (${names.join(', ')})`
          : vm.threads.filter((t) => t.role === 'main-loop').length > 1 ? `two main loops (${names.join(', ')})` : null;
        if (broken) throw reproduce(broken, doc);
      }),
      { numRuns: RUNS, seed: SEED, maxSkipsPerRun: 10 },
    );
  }, Math.max(600_000, RUNS * 2000));
});
