import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../children.js';

describe('the npm package', () => {
  it('installs from its tarball and runs, checks (its shipped references) and calibrates outside the repository', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vqsim-pkg-'));
    // dist/ was built by the global setup; pack it as prepack would have built it.
    expect((await run('npm', ['pack', '--ignore-scripts', '--pack-destination', d])).status).toBe(0);
    const tarball = join(d, readdirSync(d).find((f) => f.endsWith('.tgz'))!);
    const prefix = join(d, 'prefix'), work = join(d, 'work');
    mkdirSync(work);
    expect((await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball])).status).toBe(0);
    const vqsim = (...args: string[]) => run(join(prefix, 'bin', 'vqsim'), args, { cwd: work });

    writeFileSync(join(work, 's.yaml'), 'vm: {vcpus: 2}\nduration: 20ms\nwarmup: 5ms\njob: {rw: randread, iodepth: 4}\n');
    const ran = await vqsim('run', 's.yaml');
    expect(ran.status).toBe(0);
    expect(readdirSync(join(work, 'results', 's'))).toContain('summary.csv');

    // Shipped scenarios from the installed package against its shipped references (two of them: the
    // check of all runs in check.test.ts).
    const installed = join(prefix, 'lib', 'node_modules', 'vqsim');
    mkdirSync(join(work, 'sc'));
    for (const name of ['aio-engine', 'ring-layout']) copyFileSync(join(installed, 'scenarios', `${name}.yaml`), join(work, 'sc', `${name}.yaml`));
    const check = await vqsim('check', '--scenarios', 'sc');
    expect(check.stdout).toMatch(/^no drift in 2 scenarios \(aio-engine, ring-layout\)/);
    expect(check.status).toBe(0);

    const calibration = await vqsim('calibration');
    expect(calibration.status).toBe(0);
    expect(calibration.stdout).toMatch(/\d+ numeric rows: \d+ within ±10 % in sample/);
    expect(calibration.stdout).not.toMatch(/run vqsim calibrate/);
  }, 300_000);
});
