import { stringify } from 'yaml';
import { Host } from '../../src/model/host.js';
import type { HostResult } from '../../src/model/result.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { scenarioFromText } from '../../src/scenario/load.js';

/** Runs a generated scenario document through the real loader; null where the format refuses the
 *  combination (a mechanism the chosen release lacks): no case, not a failure. */
export function runGenerated(doc: object): HostResult | null {
  let cfg;
  try {
    cfg = scenarioFromText('generated.yaml', stringify(doc)).points[0].config(0);
  } catch (e) {
    if (e instanceof ScenarioError) return null;
    throw e;
  }
  return new Host(cfg).run();
}

/** The message of a failing case: what broke, and the scenario file that reproduces it. */
export function reproduce(broken: string, doc: object): Error {
  return new Error(`${broken}; reproduce with vqsim run on:\n${stringify(doc)}`);
}
