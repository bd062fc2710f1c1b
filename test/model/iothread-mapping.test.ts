import { describe, expect, it } from 'vitest';
import { mapVirtqueues } from '../../src/model/qemu/iothread-mapping.js';
import { guestQueues, ownerOfQueue, queueOfVcpu } from '../../src/model/blk/blk-mq.js';
import { simulate } from '../helpers.js';

const tally = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ({ ...m, [x]: (m[x] ?? 0) + 1 }), {});

describe('iothread-vq-mapping', () => {
  it('round-robin spreads 16 queues over 4 iothreads, 4 each, vq i -> i mod 4', () => {
    const m = mapVirtqueues('vda', 16, { kind: 'pool', iothreads: 4 });
    expect(tally(m)).toEqual({ pool0: 4, pool1: 4, pool2: 4, pool3: 4 });
    expect(m.slice(0, 5)).toEqual(['pool0', 'pool1', 'pool2', 'pool3', 'pool0']);
  });

  it('follows an explicit list and rejects a queue assigned twice or not at all', () => {
    const entries = [{ iothread: 'a', vqs: [0, 2] }, { iothread: 'b', vqs: [1, 3] }];
    expect(mapVirtqueues('vda', 4, { kind: 'mapping', entries })).toEqual(['a', 'b', 'a', 'b']);
    expect(() => mapVirtqueues('vda', 4, { kind: 'mapping', entries: [{ iothread: 'a', vqs: [0, 1, 2] }, { iothread: 'b', vqs: [2, 3] }] })).toThrow(/twice/);
    expect(() => mapVirtqueues('vda', 4, { kind: 'mapping', entries: [{ iothread: 'a', vqs: [0, 1] }] })).toThrow(/vq 2/);
    expect(() => mapVirtqueues('vda', 4, { kind: 'mapping', entries: [{ iothread: 'a', vqs: [0] }, { iothread: 'b' }] })).toThrow(/every entry/);
  });

  it('places every queue of a disk on one thread for dedicated, shared and main-loop', () => {
    expect(new Set(mapVirtqueues('vdb', 8, { kind: 'dedicated' }))).toEqual(new Set(['vdb-iothread']));
    expect(new Set(mapVirtqueues('vdb', 8, { kind: 'shared', iothread: 'io0' }))).toEqual(new Set(['io0']));
    expect(new Set(mapVirtqueues('vdb', 8, { kind: 'main-loop' }))).toEqual(new Set(['main-loop']));
  });
});

describe('blk-mq queue map', () => {
  it('gives contiguous groups of vCPUs to each queue, interrupts to the group\'s first vCPU', () => {
    const q = guestQueues(4, 16);
    expect(Array.from({ length: 16 }, (_, v) => queueOfVcpu(v, q, 16))).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
    expect([0, 1, 2, 3].map((i) => ownerOfQueue(i, q, 16))).toEqual([0, 4, 8, 12]);
    expect(guestQueues(32, 8)).toBe(8);
  });
});

describe('handler placement in a VM', () => {
  it('shares pool threads across disks and keeps dedicated threads apart', () => {
    const { vm } = simulate({
      duration: '5ms', warmup: '1ms', vm: { vcpus: 4 },
      disks: [
        { name: 'vda', handler: 'pool', iothreads: 2 },
        { name: 'vdb', handler: 'pool', iothreads: 2 },
        { name: 'vdc', handler: 'dedicated' },
        { name: 'vdd', handler: 'shared', iothread: 'io0' },
        { name: 'vde', handler: 'shared', iothread: 'io0' },
      ],
      job: { iodepth: 2 },
    });
    expect(vm.ctxs.map((c) => `${c.name}:${c.vqs.length}`).sort()).toEqual(['io0:8', 'pool0:4', 'pool1:4', 'vdc-iothread:4']);
  });
});
