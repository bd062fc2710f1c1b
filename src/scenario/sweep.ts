import { LIMITS } from './limits.js';
import { parse as parseYamlValue } from 'yaml';
import { ScenarioError } from './errors.js';
import type { FieldSet, LoadedScenario, ScenarioPoint } from './load.js';

/** One swept field: a path and its values, with where it was declared. */
export interface Axis {
  path: string;
  values: unknown[];
  line?: number;
  origin: string;
}

export interface SweepPoint {
  index: number;
  variant: string;
  /** One value per axis. */
  values: unknown[];
  point: ScenarioPoint;
}

/** "disk.iothreads=1,2,4" -> an axis; each value read as a YAML scalar (1 is a number, split a string). */
export function parseSetFlag(file: string, flag: string): Axis {
  const eq = flag.indexOf('=');
  if (eq <= 0 || eq === flag.length - 1) {
    throw new ScenarioError(file, [], undefined, `--set ${flag}: expected PATH=V1,V2,...`);
  }
  const path = flag.slice(0, eq);
  const values = flag.slice(eq + 1).split(',').map((v) => parseYamlValue(v.trim()) as unknown);
  const twice = values.find((v, i) => values.findIndex((w) => formatValue(w) === formatValue(v)) !== i);
  if (twice !== undefined) throw new ScenarioError(file, [], undefined, `--set ${flag}: ${formatValue(twice)} is given twice (two identical points)`);
  return { path, values, origin: `--set ${path}` };
}

/** The scenario's sweep: axes, then the command line's (a flag replaces a file axis of the same path). */
export function sweepAxes(s: LoadedScenario, flags: string[]): Axis[] {
  const fromFile: Axis[] = Object.entries(s.sweep?.axes ?? {}).map(([path, values]) => ({
    path, values, line: s.lineOf(['sweep', 'axes', path]), origin: `sweep axis ${path}`,
  }));
  const fromFlags = flags.map((f) => parseSetFlag(s.file, f));
  const repeated = fromFlags.find((a, i) => fromFlags.findIndex((b) => b.path === a.path) !== i);
  if (repeated) throw new ScenarioError(s.file, [], undefined, `--set ${repeated.path} is given twice: give its values in one --set ${repeated.path}=V1,V2,...`);
  const replaced = new Set(fromFlags.map((a) => a.path));
  return [...fromFile.filter((a) => !replaced.has(a.path)), ...fromFlags];
}

export function formatValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The points of a sweep: each selected variant (or the base alone) x the cartesian product of the axes,
 * the last axis varying fastest. Every point is resolved here, so a bad value fails before any run.
 */
export function expandSweep(s: LoadedScenario, axes: Axis[], variants: string[]): SweepPoint[] {
  const size = axes.reduce((n, a) => n * a.values.length, Math.max(1, variants.length));
  if (size > LIMITS.sweepPoints) {
    throw new ScenarioError(s.file, [], undefined, `the sweep has ${size.toLocaleString('en-US')} points (${axes.map((a) => `${a.path}: ${a.values.length}`).join(' x ')}${variants.length > 1 ? ` x ${variants.length} variants` : ''}): at most ${LIMITS.sweepPoints.toLocaleString('en-US')}; split it with --set or shards`);
  }
  const combos: unknown[][] = axes.reduce<unknown[][]>(
    (acc, axis) => acc.flatMap((prefix) => axis.values.map((v) => [...prefix, v])), [[]]);
  const out: SweepPoint[] = [];
  for (const variant of variants.length ? variants : [null]) {
    for (const values of combos) {
      const sets: FieldSet[] = axes.map((a, i) => ({ path: a.path, value: values[i], line: a.line, origin: a.origin }));
      const key = [variant ?? 'base', ...axes.map((a, i) => `${a.path}=${formatValue(values[i])}`)].join('|');
      const point = s.point(variant, sets, key);
      out.push({ index: out.length, variant: point.variant, values, point });
    }
  }
  return out;
}
