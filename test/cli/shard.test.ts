import { describe, expect, it } from 'vitest';
import { resolveShard } from '../../src/cli/shard.js';

describe('--shard', () => {
  it('takes k/N from the flag', () => {
    expect(resolveShard('1/4', {})).toEqual({ k: 1, n: 4 });
    expect(resolveShard(undefined, {})).toBeUndefined();
  });

  it('takes k from a Kubernetes Indexed Job', () => {
    expect(resolveShard('4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ k: 3, n: 4 });
  });

  it('takes k (and N) from a Slurm array', () => {
    expect(resolveShard('', { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '8' })).toEqual({ k: 4, n: 8 });
  });

  it('rejects an index outside the shards, or none at all', () => {
    expect(() => resolveShard('4/4', {})).toThrow(/not in 0..3/);
    expect(() => resolveShard('4', {})).toThrow(/no shard index/);
    expect(() => resolveShard('x/y', {})).toThrow(/expected k\/N/);
  });
});
