import { stringify } from 'yaml';
import { Vm } from '../src/model/vm.js';
import type { RunResult } from '../src/model/result.js';
import { scenarioFromText, type LoadedScenario } from '../src/scenario/load.js';

/** A scenario from a plain object, through the real loader (schema, defaults, resolution). */
export function scenario(obj: object, file = 'test.yaml'): LoadedScenario {
  return scenarioFromText(file, stringify(obj));
}

/** Runs the first (or the named) variant of a scenario object. */
export function simulate(obj: object, variant?: string): { vm: Vm; result: RunResult } {
  const s = scenario(obj);
  const point = variant ? s.points.find((p) => p.variant === variant)! : s.points[0];
  const vm = new Vm(point.config(0));
  return { vm, result: vm.run() };
}

export const iops = (r: RunResult) => r.ios / (r.windowNs / 1e9);
