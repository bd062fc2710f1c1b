import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, start } from '../children.js';
import { mergeCommand, sweepCommand, sweepId, type Progress } from '../../src/cli/sweep.js';

const scenario = [
  'name: tiny', 'duration: 20ms', 'warmup: 2ms', 'vm: {vcpus: 4}',
  'disk: {handler: pool, iothreads: 1}', 'job: {iodepth: 8, numjobs: 4}',
].join('\n');

function setup(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vqsim-sweep-'));
  const file = join(dir, 'tiny.yaml');
  writeFileSync(file, scenario);
  return { dir, file };
}

const sets = ['disk.iothreads=1,2', 'job.iodepth=1,8'];
const read = (dir: string) => readFileSync(join(dir, 'sweep.csv'), 'utf8');

describe('vqsim sweep', () => {
  it('writes one row per point with means and 95 % CIs, and a chart per metric', async () => {
    const { dir, file } = setup();
    const out = join(dir, 'a');
    const progress: Progress[] = [];
    await sweepCommand({ file, sets, variants: [], replications: 3, jobs: 1, out }, (p) => progress.push({ ...p }));
    const lines = read(out).trim().split('\n');
    expect(lines[0].startsWith('variant,parameter_disk.iothreads,parameter_job.iodepth,replications,iops_mean,iops_ci95,')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'base,1,1,3', 'base,1,8,3', 'base,2,1,3', 'base,2,8,3',
    ]);
    const ci = Number(lines[1].split(',')[5]);
    expect(ci).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual({ done: 4, total: 4 });
    expect(readdirSync(out).filter((f) => f.endsWith('.svg')).length).toBeGreaterThanOrEqual(5);
  });

  it('on a host form, an axis can be a vms entry\'s count, and each entry\'s columns sit beside the host\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-sweep-host-'));
    const file = join(dir, 'host.yaml');
    writeFileSync(file, [
      'name: host', 'duration: 10ms', 'warmup: 1ms',
      'host: {devices: {nvme0: {preset: nvme-tlc}}}',
      'vms:',
      '  - {name: quiet, vm: {vcpus: 1}, disk: {device: nvme0}, job: {iodepth: 1}}',
      '  - {name: noisy, count: 1, vm: {vcpus: 2}, disk: {device: nvme0}, job: {iodepth: 32, numjobs: 2}}',
    ].join('\n'));
    const out = join(dir, 'sweep');
    await sweepCommand({ file, sets: ['vms.1.count=1,2'], variants: [], replications: 1, jobs: 1, out }, () => {});
    const [header, ...rows] = read(out).trim().split('\n');
    const columns = header.split(',');
    expect(columns.slice(0, 3)).toEqual(['variant', 'parameter_vms.1.count', 'replications']);
    for (const c of ['iops_mean', 'quiet.lat_p99_us_mean', 'noisy.iops_mean', 'noisy.vms_mean']) expect(columns).toContain(c);
    const vms = rows.map((r) => Number(r.split(',')[columns.indexOf('noisy.vms_mean')]));
    expect(vms).toEqual([1, 2]);
  });

  it('shards merged give the bytes of a single run; a missing shard is an error', async () => {
    const { dir, file } = setup();
    await sweepCommand({ file, sets, variants: [], replications: 2, jobs: 1, out: join(dir, 'all') }, () => {});
    for (const k of [0, 1]) {
      const r = await sweepCommand({ file, sets, variants: [], replications: 2, jobs: 1, out: join(dir, `s${k}`), shard: { k, n: 2 } }, () => {});
      expect(r.missing).toBe(2);
    }
    await expect(mergeCommand([join(dir, 's0')], join(dir, 'half'))).rejects.toThrow(/2 of 4 points are missing/);
    await mergeCommand([join(dir, 's0'), join(dir, 's1')], join(dir, 'merged'));
    expect(read(join(dir, 'merged'))).toBe(read(join(dir, 'all')));
    expect(readFileSync(join(dir, 'merged', 'iops.svg'), 'utf8')).toBe(readFileSync(join(dir, 'all', 'iops.svg'), 'utf8'));
  });

  it('resumes: finished points are not rerun, and the output is unchanged', async () => {
    const { dir, file } = setup();
    const out = join(dir, 'r');
    await sweepCommand({ file, sets, variants: [], replications: 2, jobs: 1, out }, () => {});
    const before = read(out);
    rmSync(join(out, 'points', '2.json'));
    const seen: Progress[] = [];
    await sweepCommand({ file, sets, variants: [], replications: 2, jobs: 1, out }, (p) => seen.push({ ...p }));
    expect(seen[0]).toEqual({ done: 3, total: 4 });
    expect(read(out)).toBe(before);
    // A point file of another sweep (different replications) is not reused.
    const other = await sweepCommand({ file, sets, variants: [], replications: 3, jobs: 1, out }, (p) => seen.push({ ...p }));
    expect(other.missing).toBe(0);
    expect(read(out)).not.toBe(before);
  });

  it('a point saved by another build of the model, or under other defaults, is not resumed', () => {
    // The file's text alone would not tell: an upgrade or a refit changes the defaults it leaves implicit.
    const what = { text: 'the same file', configs: [{ costs: { wakeup_ns: 3862 } }] };
    expect(sweepId(what, 'build-a')).toBe(sweepId(what, 'build-a'));
    expect(sweepId(what, 'build-b')).not.toBe(sweepId(what, 'build-a'));
    expect(sweepId({ ...what, configs: [{ costs: { wakeup_ns: 4809 } }] }, 'build-a')).not.toBe(sweepId(what, 'build-a'));
  });

  it('--jobs 2 (worker processes of the built CLI) gives the bytes of --jobs 1', async () => {
    const { dir, file } = setup();
    const cli = join(process.cwd(), 'dist/cli/main.js');
    const sweep = (jobs: number) => run('node', [cli, 'sweep', file, '--set', sets[0], '--set', sets[1], '--replications', '2', '--jobs', String(jobs), '--out', join(dir, `j${jobs}`)]);
    const one = await sweep(1), two = await sweep(2);
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    expect(read(join(dir, 'j2'))).toBe(read(join(dir, 'j1')));
    expect(one.stderr).toBe(''); // no progress bar when stderr is not a terminal
  });

  it('SIGTERM stops a sweep with exit 143 and one line; the finished points stay and a rerun resumes', async () => {
    const { dir } = setup();
    const file = join(dir, 'slow.yaml');
    writeFileSync(file, scenario.replace('duration: 20ms', 'duration: 300ms'));
    const out = join(dir, 'sig');
    const cli = join(process.cwd(), 'dist/cli/main.js');
    const args = [cli, 'sweep', file, '--set', 'job.iodepth=1,2,4,8,16,32', '--replications', '3', '--jobs', '1', '--out', out];
    const child = start('node', args);
    let err = '';
    child.stderr!.on('data', (b) => { err += String(b); });
    const timer = setInterval(() => {
      if (existsSync(join(out, 'points')) && readdirSync(join(out, 'points')).length > 0) {
        clearInterval(timer);
        child.kill('SIGTERM');
      }
    }, 20);
    const exit = await new Promise<string>((resolve) => child.on('exit', (c, sig) => resolve(`${c} ${sig}`)));
    clearInterval(timer);
    expect(exit, err).toBe('143 null');
    expect(err.trim().split('\n')).toEqual(['vqsim: interrupted by SIGTERM; the finished points are kept: the same command resumes']);
    const kept = readdirSync(join(out, 'points')).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(6);
    expect(existsSync(join(out, 'sweep.csv'))).toBe(false);
    const rerun = await run('node', args);
    expect(rerun.status).toBe(0);
    expect(read(out).trim().split('\n')).toHaveLength(7);
  });
});

describe('vqsim sweep on bad ground', () => {
  it('a variant the scenario does not have is one error naming the variants it has', async () => {
    const { dir, file } = setup();
    await expect(sweepCommand({ file, sets, variants: ['nope'], jobs: 1, out: join(dir, 'o') }, () => {})).rejects.toThrow(/no variant named "nope" \(variants: base\)/);
  });

  it('an empty point file (a full disk, a kill) is set aside, named, and its point runs again', async () => {
    const { dir, file } = setup();
    const out = join(dir, 'o');
    await sweepCommand({ file, sets, variants: [], jobs: 1, out }, () => {});
    const first = read(out);
    writeFileSync(join(out, 'points', '2.json'), '');
    const aside: string[] = [];
    await sweepCommand({ file, sets, variants: [], jobs: 1, out }, () => {}, undefined, (f) => aside.push(f));
    expect(aside).toEqual([join(out, 'points', '2.json')]);
    expect(existsSync(join(out, 'points', '2.json.corrupt'))).toBe(true);
    expect(read(out)).toBe(first);
  });

  it('another sweep\'s --out is not overwritten; merge of an incomplete set writes nothing there', async () => {
    const { dir, file } = setup();
    const out = join(dir, 'o');
    await sweepCommand({ file, sets: ['job.iodepth=1,2'], variants: [], jobs: 1, out }, () => {});
    await expect(sweepCommand({ file, sets: ['disk.iothreads=1,2'], variants: [], jobs: 1, out }, () => {})).rejects.toThrow(/holds another sweep \(tiny, axes job\.iodepth\)/);
    const shard = join(dir, 's0');
    await sweepCommand({ file, sets, variants: [], jobs: 1, out: shard, shard: { k: 0, n: 2 } }, () => {});
    const merged = join(dir, 'merged');
    await expect(mergeCommand([shard], merged)).rejects.toThrow(/points are missing/);
    expect(existsSync(join(merged, 'sweep.json'))).toBe(false);
  });
});
