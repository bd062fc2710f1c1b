import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/check.js';
import { drifted } from '../../src/stats/tolerances.js';

const SOME = ['iothread-pool', 'ring-layout', 'aio-engine', 'adaptive-polling', 'million-iops', 'kubevirt-supplemental-pool'];

describe('vqsim check (the model\'s regression gate)', () => {
  it('passes on main: every shipped scenario matches its committed reference', async () => {
    const { checked, drifts } = await checkCommand({});
    expect(checked).toEqual(expect.arrayContaining(['iothread-pool', 'ring-layout', 'aio-engine', 'adaptive-polling']));
    expect(drifts).toEqual([]);
  });

  it('fails when one cost default moves, naming the scenarios and metrics it affects', async () => {
    // Six of the shipped scenarios against their references (the first test runs them all).
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-check-'));
    for (const name of SOME) copyFileSync(join('scenarios', `${name}.yaml`), join(dir, `${name}.yaml`));
    const { drifts } = await checkCommand({ scenariosDir: dir, defaultCosts: { blk_request_ns: 3000 } });
    const scenarios = [...new Set(drifts.map((d) => d.scenario))];
    expect(scenarios.sort()).toEqual([...SOME].sort());
    const pool = drifts.filter((d) => d.scenario === 'iothread-pool' && d.variant === 'iothreads-1').map((d) => d.metric);
    expect(pool).toEqual(expect.arrayContaining(['iops', 'lat_mean_us']));
  });

  it('tolerances absorb noise and flag a real move', () => {
    expect(drifted('iops', 100_000, 100_500)).toBe(false);
    expect(drifted('iops', 100_000, 97_000)).toBe(true);
    expect(drifted('kicks_per_io', 0, 0.002)).toBe(false);
    expect(drifted('kicks_per_io', 0, 0.02)).toBe(true);
  });
});

describe('vqsim check progress', () => {
  it('reports each scenario file as it goes, ending at the total', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-check-'));
    for (const name of ['aio-engine', 'ring-layout']) copyFileSync(join('scenarios', `${name}.yaml`), join(dir, `${name}.yaml`));
    const seen: string[] = [];
    await checkCommand({ scenariosDir: dir, onProgress: (p) => seen.push(`${p.done}/${p.total}`) });
    expect(seen).toEqual(['0/2', '1/2', '2/2']);
  });

  it('--jobs 2 (the files in worker processes) gives the result of --jobs 1, a moved default included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-check-'));
    for (const name of ['aio-engine', 'ring-layout', 'adaptive-polling']) copyFileSync(join('scenarios', `${name}.yaml`), join(dir, `${name}.yaml`));
    const check = (jobs: number) => checkCommand({ scenariosDir: dir, defaultCosts: { blk_request_ns: 3000 }, jobs });
    const one = await check(1);
    expect(one.drifts.length).toBeGreaterThan(0);
    expect(await check(2)).toEqual(one);
  });
});
