import { existsSync, statSync } from 'node:fs';
import { readInput, type InputKind } from '../scenario/input.js';
import { UsageError } from './errors.js';

/** --seed: a non-negative integer (yargs would turn "abc" into NaN and run with another seed). */
export function seedArg(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v === 'boolean' || String(v).trim() === '' || !Number.isSafeInteger(n) || n < 0) {
    throw new UsageError(`--seed must be a non-negative integer, got "${String(v)}"`);
  }
  return n;
}

/** A whole number from 1 to `max` (--jobs, --replications, --iterations); `why` names the ceiling. */
export const atLeastOne = (flag: string, max: number, why: string) => (v: unknown): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v === 'boolean' || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${flag} must be a whole number >= 1, got "${String(v)}"`);
  if (n > max) throw new UsageError(`--${flag} is at most ${max} (${why}), got ${n}`);
  return n;
};

/** A percentage flag: a number in [0, 100). */
export function percentArg(v: unknown): number {
  const n = Number(v);
  if (String(v).trim() === '' || !Number.isFinite(n) || n < 0 || n >= 100) throw new UsageError(`expected a percentage from 0 to below 100, got ${String(v)}`);
  return n;
}

/** A file a command reads (not a scenario; `-`: standard input): its problems are one usage error naming it. */
export function readFileArg(file: string, kind: InputKind): string {
  return readInput(file, kind, (reason) => new UsageError(`${file === '-' ? 'standard input' : file}: ${reason}`));
}

/** --out: a directory, or a path that does not exist yet. */
export function outArg(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  const path = String(v);
  if (path.trim() === '') throw new UsageError('--out must name a directory');
  if (existsSync(path) && !statSync(path).isDirectory()) throw new UsageError(`--out ${path} is a file: give a directory, or a path that does not exist yet`);
  return path;
}

/** The flags a command line may give more than once (each use adds a value). */
const REPEATABLE = new Set(['set', 'variant']);

/**
 * A flag given twice where it takes one value is refused: yargs would hand the command an array where
 * it expects a string, and last-one-wins would silently drop what the user wrote first.
 */
export function refuseRepeatedFlags(args: string[]): void {
  const end = args.indexOf('--');
  const seen = new Set<string>();
  for (const a of end >= 0 ? args.slice(0, end) : args) {
    const m = /^--(?:no-)?([^=]+)/.exec(a);
    if (!m || REPEATABLE.has(m[1])) continue;
    if (seen.has(m[1])) throw new UsageError(`--${m[1]} is given more than once: give it once`);
    seen.add(m[1]);
  }
}
