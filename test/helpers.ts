import { stringify } from 'yaml';
import type { BlkWorld } from '../src/model/blk/world.js';
import { Host } from '../src/model/host.js';
import type { RunResult } from '../src/model/result.js';
import { scenarioFromText, type LoadedScenario } from '../src/scenario/load.js';

/** A scenario from a plain object, through the real loader (schema, defaults, resolution). */
export function scenario(obj: object, file = 'test.yaml'): LoadedScenario {
  return scenarioFromText(file, stringify(obj));
}

/** Runs the first (or the named) variant of a single-VM scenario object: its host, the virtio-blk side
 *  (`vm`), and the VM's fio result. */
export function simulate(obj: object, variant?: string): { host: Host; vm: BlkWorld; result: RunResult } {
  const s = scenario(obj);
  const point = variant ? s.points.find((p) => p.variant === variant)! : s.points[0];
  const host = new Host(point.config(0));
  return { host, vm: host.blk, result: host.run().vms[0].blk! };
}

export const iops = (r: RunResult) => r.ios / (r.windowNs / 1e9);
