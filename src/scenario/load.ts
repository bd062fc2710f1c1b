import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { z } from 'zod';
import type { ModelConfig } from '../model/config.js';
import { ScenarioError } from './errors.js';
import { resolveScenario, type Located } from './resolve.js';
import { scenarioSchema, type Scenario } from './schema.js';
import { Source } from './source.js';
import { parsePath, setPath } from './variants.js';

export interface ScenarioPoint {
  variant: string;
  description: string;
  /** The model's input for one replication. */
  config(replication: number): ModelConfig;
}

export interface LoadedScenario {
  file: string;
  name: string;
  description: string;
  seed: number;
  points: ScenarioPoint[];
}

interface SetEntry { path: (string | number)[]; line: number | undefined }

/**
 * Reads, validates and resolves a scenario file and each of its variants, so that every error
 * surfaces here, before any run or output. Throws ScenarioError.
 */
export function loadScenario(file: string, opts: { seed?: number; variants?: string[] } = {}): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(file, [], undefined, `cannot read: ${(e as Error).message}`);
  }
  return scenarioFromText(file, text, opts);
}

/** As loadScenario, from the file's text (`file` names it in errors and gives the default name). */
export function scenarioFromText(file: string, text: string, opts: { seed?: number; variants?: string[] } = {}): LoadedScenario {
  const { source, errors } = Source.parse(file, text);
  if (errors.length > 0) throw new ScenarioError(file, [], errors[0].line, `not valid YAML/JSON: ${errors[0].message}`);
  const raw = source.toJS();
  const base = parse(source, raw, []);
  const name = base.name ?? basename(file, extname(file));
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

  const points: ScenarioPoint[] = [];
  declared.forEach((v, i) => {
    if (opts.variants?.length && !opts.variants.includes(v.name)) return;
    let merged: unknown = { ...(raw as object), variants: undefined };
    const sets: SetEntry[] = [];
    for (const [key, value] of Object.entries(v.set)) {
      const at: (string | number)[] = ['variants', i, 'set', key];
      const path = parsePath(key);
      sets.push({ path, line: source.lineOf(at) });
      try {
        merged = setPath(merged, path, value);
      } catch (e) {
        throw new ScenarioError(file, at, source.lineOf(at), `cannot set: ${(e as Error).message}`);
      }
    }
    const scenario = parse(source, merged, sets, v.name);
    const locate: Located = (path, reason) => fail(source, path, reason, sets, v.name);
    const build = (replication: number) => resolveScenario(scenario, { seed, variant: v.name, replication }, locate);
    build(0); // resolve once now so that semantic errors surface before any run
    points.push({ variant: v.name, description: v.description ?? '', config: build });
  });
  return { file, name, description: base.description ?? '', seed, points };
}

function parse(source: Source, raw: unknown, sets: SetEntry[], variant?: string): Scenario {
  const result = scenarioSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  let path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  let reason = describe(issue);
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0]];
    reason = `unknown key "${issue.keys[0]}"`;
  }
  throw fail(source, path, reason, sets, variant);
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const got = (issue as { input?: unknown }).input;
    return got === undefined ? `required: expected ${issue.expected}` : `expected ${issue.expected}, got ${JSON.stringify(got)}`;
  }
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.map((x) => JSON.stringify(x)).join(', ')}`;
  if (issue.code === 'invalid_union') return 'not one of the accepted forms (see README: scenario format)';
  return issue.message;
}

/** The error for a field path: at the variant's `set:` entry when that entry wrote the field. */
function fail(source: Source, path: (string | number)[], reason: string, sets: SetEntry[], variant?: string): ScenarioError {
  const from = path.length === 0 ? undefined : sets.find((s) => s.path.every((seg, i) => i >= path.length || String(path[i]) === String(seg)));
  if (from && variant) return new ScenarioError(source.file, path, from.line, `${reason} (set by variant "${variant}")`);
  return new ScenarioError(source.file, path, source.lineOf(path), reason);
}
