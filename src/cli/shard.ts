import { ScenarioError } from '../scenario/errors.js';

export interface Shard {
  k: number;
  n: number;
}

/**
 * The shard this process runs: `--shard k/N` (k from 0), or `--shard N` with k taken from the batch
 * engine: Kubernetes Indexed Jobs' JOB_COMPLETION_INDEX, or a Slurm array's SLURM_ARRAY_TASK_ID
 * (minus SLURM_ARRAY_TASK_MIN; N defaults to SLURM_ARRAY_TASK_COUNT).
 */
export function resolveShard(flag: string | undefined, env: NodeJS.ProcessEnv): Shard | undefined {
  const bad = (why: string) => new ScenarioError('--shard', [], undefined, why);
  if (flag === undefined) return undefined;
  const m = /^(?:(\d+)\/)?(\d+)?$/.exec(flag.trim());
  if (!m) throw bad(`expected k/N or N, got "${flag}"`);
  let n = m[2] !== undefined ? Number(m[2]) : Number(env.SLURM_ARRAY_TASK_COUNT);
  let k: number;
  if (m[1] !== undefined) k = Number(m[1]);
  else if (env.JOB_COMPLETION_INDEX !== undefined) k = Number(env.JOB_COMPLETION_INDEX);
  else if (env.SLURM_ARRAY_TASK_ID !== undefined) k = Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
  else throw bad('no shard index: give k/N, or run under a Kubernetes Indexed Job or a Slurm array');
  if (!Number.isInteger(n) || n < 1) throw bad('the shard count N must be a whole number >= 1');
  if (!Number.isInteger(k) || k < 0 || k >= n) throw bad(`shard index ${k} is not in 0..${n - 1}`);
  n = Math.floor(n);
  return { k, n };
}
