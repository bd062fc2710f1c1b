import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the npm package', () => {
  it('installs from its tarball and runs, checks and calibrates outside the repository', () => {
    const d = mkdtempSync(join(tmpdir(), 'vqsim-pkg-'));
    // dist/ was built by the global setup; pack it as prepack would have built it.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', d], { stdio: 'ignore' });
    const tarball = join(d, readdirSync(d).find((f) => f.endsWith('.tgz'))!);
    const prefix = join(d, 'prefix'), work = join(d, 'work');
    mkdirSync(work);
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], { stdio: 'ignore' });
    const vqsim = (...args: string[]) => spawnSync(join(prefix, 'bin', 'vqsim'), args, { cwd: work, encoding: 'utf8' });

    writeFileSync(join(work, 's.yaml'), 'vm: {vcpus: 2}\nduration: 20ms\nwarmup: 5ms\njob: {rw: randread, iodepth: 4}\n');
    const run = vqsim('run', 's.yaml');
    expect(run.status).toBe(0);
    expect(readdirSync(join(work, 'results', 's'))).toContain('summary.csv');

    const check = vqsim('check');
    expect(check.stdout).toMatch(/^no drift in \d+ scenarios/);
    expect(check.status).toBe(0);

    const calibration = vqsim('calibration');
    expect(calibration.status).toBe(0);
    expect(calibration.stdout).toMatch(/\d+ numeric rows: \d+ within ±10 % in sample/);
    expect(calibration.stdout).not.toMatch(/run vqsim calibrate/);
  }, 300_000);
});
