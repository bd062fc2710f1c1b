import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { z } from 'zod';
import { scaledSpec } from '../engine/distribution.js';
import type { Costs } from '../model/costs.js';
import type { ModelConfig } from '../model/config.js';
import { ScenarioError, type Located } from './errors.js';
import { readInput } from './input.js';
import { expandFioJobs, type FioContext } from './fio/expand.js';
import { resolveScenario } from './resolve.js';
import { scenarioSchema, VM_KEYS, type Scenario } from './schema.js';
import { Source } from './source.js';
import { parsePath, setPath } from './variants.js';

export interface ScenarioPoint {
  variant: string;
  /** What the scenario asks for that the real stack would not quite do (KubeVirt fall-backs). */
  warnings: string[];
  description: string;
  /** Names the point in its random streams: the variant, plus any sweep axis values. */
  pointKey: string;
  /** The model's input for one replication. */
  config(replication: number): ModelConfig;
}

/** A field set over the base: by a variant, a sweep axis, or the command line. */
export interface FieldSet {
  path: string;
  value: unknown;
  /** Where it was written, for errors: a line of the file, or a flag. */
  line?: number;
  origin: string;
}

export interface LoadOptions {
  seed?: number;
  variants?: string[];
  /** Replaces cost defaults (scenario overrides still win): how `vqsim check` proves it catches drift. */
  defaultCosts?: Partial<Costs>;
  /** Replaces host.cpu_speed (the fit's trial factor in `vqsim calibrate`). */
  cpuSpeed?: number;
  /** Multiplies every device's read and write service times (`vqsim calibrate --against`'s trial). */
  deviceTimeScale?: number;
  /** A fio job file as the workload (`vqsim run --fio`): replaces the scenario's jobs. */
  fio?: string;
}

export interface LoadedScenario {
  file: string;
  /** The file's text, for fingerprints of sweeps. */
  text: string;
  name: string;
  /** The name as a directory under results/ (resultsSlug): a label is never a path. */
  slug: string;
  description: string;
  seed: number;
  /** The scenario's own sweep: section, if any. */
  sweep: Scenario['sweep'];
  /** One point per (selected) variant; a file without variants has one, "base". */
  points: ScenarioPoint[];
  /** Any other point: a variant (or the base, with null) with further fields set. */
  point(variant: string | null, sets: FieldSet[], pointKey: string): ScenarioPoint;
  /** Line of a field path in the file. */
  lineOf(path: (string | number)[]): number | undefined;
}

/**
 * Reads, validates and resolves a scenario file and each of its variants, so that every error
 * surfaces here, before any run or output. Throws ScenarioError.
 */
export function loadScenario(file: string, opts: LoadOptions = {}): LoadedScenario {
  const text = readInput(file, 'scenario', (reason) => new ScenarioError(file, [], undefined, reason));
  return scenarioFromText(file, text, opts);
}

/** As loadScenario, from the file's text (`file` names it in errors and gives the default name). */
export function scenarioFromText(file: string, text: string, opts: LoadOptions = {}): LoadedScenario {
  const { source, errors } = Source.parse(file, text);
  if (errors.length > 0) throw new ScenarioError(file, [], errors[0].line, `not valid YAML/JSON: ${errors[0].message}`);
  let raw: Record<string, unknown> = { ...(source.toJS() as object), variants: undefined, sweep: undefined };
  const base = parse(source, source.toJS(), []);
  if (opts.fio !== undefined) {
    if (raw.vms !== undefined) throw new ScenarioError(file, ['vms'], source.lineOf(['vms']), '--fio: the host form has a workload per VM: give job: { fio: FILE } in its vms entries');
    if (!existsSync(opts.fio)) throw new ScenarioError(opts.fio, [], undefined, '--fio: no such fio job file');
    raw = { ...raw, job: { fio: resolve(opts.fio) }, jobs: undefined };
  }
  const fioContext: FioContext = { scenarioFile: file, lineOf: (path) => source.lineOf(path), env: process.env, jobFileTiming: opts.fio !== undefined };
  const seed = opts.seed ?? base.seed;
  const declared = base.variants ?? [{ name: 'base', description: undefined, set: {} }];

  const seen = new Set<string>();
  declared.forEach((v, i) => {
    if (seen.has(v.name)) throw new ScenarioError(file, ['variants', i, 'name'], source.lineOf(['variants', i, 'name']), `variant name "${v.name}" is used twice`);
    seen.add(v.name);
  });
  for (const wanted of opts.variants ?? []) {
    if (!seen.has(wanted)) throw new ScenarioError(file, [], undefined, `no variant named "${wanted}" (variants: ${[...seen].join(', ')})`);
  }

  const variantSets = (name: string | null): { description: string; sets: FieldSet[] } => {
    if (name === null) return { description: '', sets: [] };
    const i = declared.findIndex((v) => v.name === name);
    const v = declared[i];
    const sets = Object.entries(v.set).map(([path, value]) => ({
      path, value, line: source.lineOf(['variants', i, 'set', path]), origin: `variant "${name}"`,
    }));
    return { description: v.description ?? '', sets };
  };

  const point = (variant: string | null, extra: FieldSet[], pointKey: string): ScenarioPoint => {
    const { description, sets: own } = variantSets(variant);
    const sets = [...own, ...extra];
    let merged: unknown = raw;
    for (const s of sets) {
      try {
        merged = setPath(merged, parsePath(s.path), s.value);
      } catch (e) {
        throw new ScenarioError(file, parsePath(s.path), s.line, `cannot set (${s.origin}): ${(e as Error).message}`);
      }
    }
    const fio = expandFioJobs(merged as Record<string, unknown>, fioContext);
    const scenario = parse(source, fio.raw, sets);
    const locate: Located = (path, reason) => fail(source, path, reason, sets);
    const warnings: string[] = [...fio.warnings];
    const warn = (path: (string | number)[], reason: string) => {
      const line = source.lineOf(path);
      warnings.push(`${file}${line !== undefined ? `:${line}` : ''}: ${path.join('.')}: ${reason}`);
    };
    const name = variant ?? 'base';
    const k = opts.deviceTimeScale;
    const build = (replication: number): ModelConfig => {
      const cfg = resolveScenario(scenario, { seed, variant: name, pointKey, replication }, locate, () => {}, opts);
      // In place: the disks hold the same device objects (a fresh config's own).
      if (k !== undefined) for (const d of cfg.devices) Object.assign(d, { read: scaledSpec(d.read, k), write: scaledSpec(d.write, k) });
      return cfg;
    };
    // Resolve once now, so that semantic errors surface before any run, and collect the warnings.
    resolveScenario(scenario, { seed, variant: name, pointKey, replication: 0 }, locate, warn, opts);
    return { variant: name, description, pointKey, warnings, config: build };
  };

  const points = declared
    .filter((v) => !opts.variants?.length || opts.variants.includes(v.name))
    .map((v) => point(base.variants ? v.name : null, [], v.name));
  return {
    file, text, seed, points, point,
    name: base.name ?? basename(file, extname(file)),
    slug: resultsSlug(base.name ?? basename(file, extname(file))),
    description: base.description ?? '',
    sweep: base.sweep,
    lineOf: (path) => source.lineOf(path),
  };
}

/** A scenario's name as one directory name: letters, digits, '.', '_' and '-' kept, any other run of
 *  characters one '-', no leading '.' or '-' (so never '..', hidden or an option); empty: 'scenario'. */
export function resultsSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 100) || 'scenario';
}

function parse(source: Source, raw: unknown, sets: FieldSet[]): Scenario {
  const result = scenarioSchema.safeParse(raw, { reportInput: true });
  if (result.success) {
    const given = raw as Record<string, unknown>;
    const misplaced = given.vms !== undefined ? VM_KEYS.find((k) => given[k] !== undefined) : undefined;
    if (misplaced) throw fail(source, [misplaced], 'with vms: (the host form), each VM\'s settings go in its vms entry', sets);
    return result.data;
  }
  const issue = result.error.issues[0];
  let path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  let reason = describe(issue);
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]];
    reason = `unknown key "${issue.keys[0]}"`;
  }
  throw fail(source, path, reason, sets);
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const got = (issue as { input?: unknown }).input;
    return got === undefined ? `required: expected ${issue.expected}` : `expected ${issue.expected}, got ${JSON.stringify(got)}`;
  }
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((x) => JSON.stringify(x)).join(', ')}`;
  // zod's own text for a union is "Invalid input"; a union that says what it takes keeps its message.
  if (issue.code === 'invalid_union') return issue.message === 'Invalid input' ? 'not one of the accepted forms (see README: scenario format)' : issue.message;
  return issue.message;
}

/** The error for a field path: at the set (variant, axis, flag) that wrote the field, if one did. */
function fail(source: Source, path: (string | number)[], reason: string, sets: FieldSet[]): ScenarioError {
  const from = path.length === 0 ? undefined : [...sets].reverse().find((s) =>
    parsePath(s.path).every((seg, i) => i >= path.length || String(path[i]) === String(seg)));
  if (from) return new ScenarioError(source.file, path, from.line, `${reason} (set by ${from.origin})`);
  return new ScenarioError(source.file, path, source.lineOf(path), reason);
}
