import { describe, expect, it } from 'vitest';
import { THREAD_ROLES } from '../../src/model/host/roles.js';
import { Host } from '../../src/model/host.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { scenario } from '../helpers.js';

describe('thread roles: one list for threads.csv, host.cpusets and host.numa_remote', () => {
  it('host.cpusets takes every role threads.csv prints, and places those threads there', () => {
    const s = scenario({
      duration: '5ms', warmup: '1ms', vm: { vcpus: 2 },
      host: { cores: 8, cpusets: Object.fromEntries(THREAD_ROLES.map((r, i) => [r, String(i)])), numa_remote: [...THREAD_ROLES] },
      disks: [{ name: 'a', backend: 'vhost', bus: 'scsi' }, { name: 'b', backend: 'vhost-user' }, { name: 'c', aio: 'threads', handler: 'main-loop' }, { name: 'd', handler: 'dedicated' }],
      jobs: [{ name: 'a', disk: 'a' }, { name: 'b', disk: 'b' }, { name: 'c', disk: 'c' }, { name: 'd', disk: 'd' }],
      nic: { queues: 1 }, net: { mode: 'rr' }, peer: { target: 'host' },
    });
    const cfg = s.points[0].config(0);
    const vm = cfg.vms[0];
    for (const [i, r] of THREAD_ROLES.entries()) if (r !== 'reactor') expect(vm.cpusets[r], r).toEqual([i]);
    expect(cfg.vhostUser!.cpuset).toEqual([THREAD_ROLES.indexOf('reactor')]);
    expect(vm.numaRemote).toEqual([...THREAD_ROLES]);
    const seen = new Set(new Host(cfg).run().vms[0].threads.map((t) => t.role));
    expect([...seen].sort()).toEqual([...THREAD_ROLES].sort());
  });

  it('the reactors\' cores given both as host.vhost_user.cpuset and host.cpusets.reactor are refused', () => {
    expect(() => scenario({ vm: { vcpus: 1 }, host: { cores: 4, cpusets: { reactor: '1' }, vhost_user: { cpuset: '2' } }, disk: { backend: 'vhost-user' } }))
      .toThrow(ScenarioError);
  });
});
