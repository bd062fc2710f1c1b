import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

async function vqsim(...args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
  return { code, out: out.join('\n'), err };
}

const BASE = `seed: 3
duration: 200ms
warmup: 20ms
vm: { vcpus: 4 }
`;

/** A scenario at the reference machine, and the "real host" (a known speed and drive) fio ran on,
 *  whose fio JSON vqsim writes itself. */
async function setUp(disk: string, job: string, truthHost: string, truthDevice?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'vqsim-against-'));
  writeFileSync(join(dir, 's.yaml'), `name: mine\n${BASE}disk: ${disk}\njob: ${job}\n`);
  writeFileSync(join(dir, 'truth.yaml'), `name: truth\n${BASE}disk: ${truthDevice ?? disk}\njob: ${job}\nhost: ${truthHost}\n`);
  const r = await vqsim('run', join(dir, 'truth.yaml'), '--out', join(dir, 'truth'), '--output-format', 'json');
  expect(r.code).toBe(0);
  return dir;
}

describe('vqsim calibrate --against (a host\'s speed from its own fio run)', () => {
  it('recovers a known host speed and drive from vqsim\'s own fio JSON, within 3 %, and the scenario it writes reproduces the run', async () => {
    const dir = await setUp('{ device: nvme-tlc, aio: native, handler: dedicated }', '{ rw: randread, bs: 4k, iodepth: 4, numjobs: 4 }',
      '{ cpu_speed: 0.8 }', '{ device: { preset: nvme-tlc, read: { dist: lognormal, mean: 60us, p99: 176.47us } }, aio: native, handler: dedicated }');
    const out = join(dir, 'fitted.yaml');
    const r = await vqsim('calibrate', '--against', join(dir, 'truth', 'fio-base.json'), '--scenario', join(dir, 's.yaml'), '--out', out);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const fitted = parse(readFileSync(out, 'utf8'));
    expect(Math.abs(fitted.host.cpu_speed / 0.8 - 1)).toBeLessThan(0.03);
    expect(fitted.disk.device.preset).toBe('nvme-tlc');
    expect(Math.abs(parseFloat(fitted.disk.device.read.mean) / 60 - 1)).toBeLessThan(0.03);
    expect(fitted.disk.device.write).toBeUndefined(); // a read job says nothing of writes
    const fio = JSON.parse(readFileSync(join(dir, 'truth', 'fio-base.json'), 'utf8'));
    const again = await vqsim('run', out, '--out', join(dir, 'again'), '--output-format', 'json');
    expect(again.code).toBe(0);
    const rerun = JSON.parse(readFileSync(join(dir, 'again', 'fio-base.json'), 'utf8'));
    expect(Math.abs(rerun.jobs[0].read.iops / fio.jobs[0].read.iops - 1)).toBeLessThan(0.02);
  });

  it('on a CPU-bound run fits the speed alone and says why the device is kept', async () => {
    const disk = '{ device: { preset: null_blk }, aio: native, handler: main-loop }';
    const dir = await setUp(disk, '{ rw: randread, bs: 4k, iodepth: 32, numjobs: 4 }', '{ cpu_speed: 1.3 }');
    const out = join(dir, 'fitted.yaml');
    const r = await vqsim('calibrate', '--against', join(dir, 'truth', 'fio-base.json'), '--scenario', join(dir, 's.yaml'), '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/the device as the scenario has it \(the run's IOPS do not depend on the device/);
    const fitted = parse(readFileSync(out, 'utf8'));
    expect(Math.abs(fitted.host.cpu_speed / 1.3 - 1)).toBeLessThan(0.03);
    expect(fitted.disk.device).toEqual({ preset: 'null_blk' });
  });

  it('refuses, in one line and writing nothing, a run the scenario does not describe, a missing --scenario, an --out that exists', async () => {
    const dir = await setUp('{ device: nvme-tlc, aio: native, handler: dedicated }', '{ rw: randread, bs: 4k, iodepth: 32, numjobs: 4 }', '{ cpu_speed: 1 }');
    writeFileSync(join(dir, 'other.yaml'), `name: other\n${BASE}disk: { device: null_blk }\njob: { rw: randread, bs: 4k, iodepth: 1, numjobs: 1 }\n`);
    const json = join(dir, 'truth', 'fio-base.json'), out = join(dir, 'fitted.yaml');
    const wrong = await vqsim('calibrate', '--against', json, '--scenario', join(dir, 'other.yaml'), '--out', out);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toHaveLength(1);
    expect(wrong.err[0]).toMatch(/does not describe the run/);
    expect(existsSync(out)).toBe(false);
    const alone = await vqsim('calibrate', '--against', json);
    expect(alone.code).toBe(2);
    expect(alone.err[0]).toMatch(/--against needs --scenario/);
    writeFileSync(out, 'x');
    const exists = await vqsim('calibrate', '--against', json, '--scenario', join(dir, 's.yaml'), '--out', out);
    expect(exists.code).toBe(2);
    expect(exists.err[0]).toMatch(/exists: give another path, or --force/);
    const stray = await vqsim('calibrate', '--scenario', join(dir, 's.yaml'));
    expect(stray.code).toBe(2);
    expect(stray.err[0]).toMatch(/--scenario goes with --against/);
  });
});
