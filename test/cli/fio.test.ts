import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { num2str } from '../../src/output/num2str.js';

async function vqsim(...args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
  return { code, out: out.join('\n'), err };
}

const JOB = ['--direct=1', '--ioengine=libaio', '--runtime=50ms', '--ramp_time=5ms', '--group_reporting', '--name=randread', '--rw=randread', '--bs=4k', '--iodepth=16', '--numjobs=2'];

describe('num2str, as fio prints sizes and rates', () => {
  it('keeps 4 significant figures with the unit prefix fio picks', () => {
    expect(num2str(1_173_684_224, 4, true, 'B/s')).toBe('1119MiB/s');
    expect(num2str(1_173_684_224, 4, false, 'B/s')).toBe('1174MB/s');
    expect(num2str(117_440_512, 4, true, 'B')).toBe('112MiB');
    expect(num2str(11_386_420_000, 4, true, 'B')).toBe('10.6GiB');
    expect(num2str(286_590, 4, false, '')).toBe('287k');
    expect(num2str(999, 4, false, '')).toBe('999');
    expect(num2str(1155, 6, false, '')).toBe('1155');
  });
});

describe('vqsim fio (fio\'s command line on a scenario\'s VM)', () => {
  it('prints fio\'s normal output, which the regexes people run on fio\'s parse', async () => {
    const r = await vqsim('fio', 'scenarios/iothread-pool.yaml', ...JOB);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^randread: \(g=0\): rw=randread, bs=\(R\) 4096B-4096B, .* ioengine=libaio, iodepth=16$/m);
    expect(r.out).toMatch(/^Starting 2 processes$/m);
    expect(r.out).toMatch(/^randread: \(groupid=0, jobs=2\): err= 0: pid=0: /m);
    const iops = /^ {2}read: IOPS=([\d.]+)(k?), BW=([\d.]+)(MiB|KiB|GiB)\/s \(([\d.]+)(MB|kB|GB)\/s\)\(([\d.]+)(MiB|KiB|GiB)\/(\d+)msec\)$/m.exec(r.out);
    expect(iops).not.toBeNull();
    expect(iops![9]).toBe('50');
    expect(r.out).toMatch(/^ {4}clat \((nsec|usec|msec)\): min=\d+, max=\d+, avg=\s*[\d.]+, stdev=\s*[\d.]+$/m);
    expect(r.out).toMatch(/^ {4}clat percentiles \((nsec|usec|msec)\):\n {5}\| {2}1\.00th=\[\s*\d+\], {2}5\.00th=\[/m);
    expect(r.out).toMatch(/^ {5}\| 99\.99th=\[\s*\d+\]$/m);
    expect(r.out).toMatch(/^ {2}lat \((usec|msec)\) {3}: \d+=[\d.]+%/m);
    expect(r.out).toMatch(/^ {2}IO depths {4}: 1=[\d.]+%, 2=[\d.]+%, 4=[\d.]+%, 8=[\d.]+%, 16=[\d.]+%, 32=[\d.]+%, >=64=[\d.]+%$/m);
    expect(r.out).toMatch(/^ {5}issued rwts: total=\d+,0,0,0 short=0,0,0,0 dropped=0,0,0,0$/m);
    expect(r.out).toMatch(/^Run status group 0 \(all jobs\):\n {3}READ: bw=\S+ \(\S+\), \S+-\S+ \(\S+-\S+\), io=\S+ \(\S+\), run=50-50msec$/m);
  });

  it('writes JSON (and json+, normal, in the order given) to stdout or --output; the JSON is the run\'s', async () => {
    const json = await vqsim('fio', 'scenarios/iothread-pool.yaml', ...JOB, '--output-format=json');
    const doc = JSON.parse(json.out) as { jobs: { jobname: string; read: { total_ios: number } }[] };
    expect(doc.jobs.map((j) => j.jobname)).toEqual(['randread']);
    const normal = await vqsim('fio', 'scenarios/iothread-pool.yaml', ...JOB);
    expect(normal.out).toContain(`issued rwts: total=${doc.jobs[0].read.total_ios},0,0,0`);
    const dir = mkdtempSync(join(tmpdir(), 'vqsim-fio-'));
    const both = await vqsim('fio', 'scenarios/iothread-pool.yaml', ...JOB, '--output-format=normal,json+', `--output=${join(dir, 'out.txt')}`);
    expect(both.code).toBe(0);
    expect(both.out).toBe('');
    const text = readFileSync(join(dir, 'out.txt'), 'utf8');
    expect(text.indexOf('Run status group 0')).toBeLessThan(text.indexOf('"fio version"'));
    expect(text).toContain('"bins"');
  });

  it('groups and reports jobs as fio does: each clone apart, group_reporting pooling a group, new_group starting one', async () => {
    const run = (...extra: string[]) => vqsim('fio', 'scenarios/iothread-pool.yaml', '--direct=1', '--runtime=50ms', '--output-format=json', ...extra,
      '--name=r', '--rw=randread', '--iodepth=8', '--numjobs=3', '--name=w', '--rw=randwrite', '--iodepth=2');
    const apart = JSON.parse((await run()).out), pooled = JSON.parse((await run('--group_reporting')).out);
    expect(apart.jobs.map((j: { jobname: string; groupid: number }) => [j.jobname, j.groupid])).toEqual([['r', 0], ['r', 0], ['r', 0], ['w', 0]]);
    expect(apart.jobs[0].job_runtime).toBe(50);
    expect(pooled.jobs).toHaveLength(1);
    expect(pooled.jobs[0].job_runtime).toBe(200); // 4 threads of 50 ms
    // The pooled entry is the sum of the clones and the job apart: the same run.
    const sum = (dir: 'read' | 'write') => apart.jobs.reduce((s: number, j: Record<string, { total_ios: number }>) => s + j[dir].total_ios, 0);
    expect(pooled.jobs[0].read.total_ios).toBe(sum('read'));
    expect(pooled.jobs[0].write.total_ios).toBe(sum('write'));
    expect(pooled.jobs[0].read.lat_ns.N).toBe(sum('read'));
    const grouped = await vqsim('fio', 'scenarios/iothread-pool.yaml', '--direct=1', '--runtime=50ms', '--group_reporting',
      '--name=r', '--rw=randread', '--numjobs=2', '--name=w', '--new_group', '--rw=randwrite');
    expect(grouped.out).toMatch(/^r: \(g=0\): rw=randread, .*\n\.\.\.\nw: \(g=1\): rw=randwrite/m);
    expect(grouped.out).toMatch(/^Starting 3 processes$/m);
    expect(grouped.out).toMatch(/^r: \(groupid=0, jobs=2\)/m);
    expect(grouped.out).toMatch(/^w: \(groupid=1, jobs=1\)/m);
    expect(grouped.out).toMatch(/^Run status group 0 \(all jobs\):\n {3}READ: /m);
    expect(grouped.out).toMatch(/^Run status group 1 \(all jobs\):\n {2}WRITE: /m);
    const bad = await vqsim('fio', 'scenarios/iothread-pool.yaml', '--direct=1', '--group_reporting=2', '--name=r');
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toMatch(/--group_reporting=2.*expected group_reporting, group_reporting=1 or group_reporting=0/);
  });

  it('echoes the options as written: the globals as "global options", each job\'s own as its "job options"', async () => {
    const r = await vqsim('fio', 'scenarios/iothread-pool.yaml', '--direct=1', '--ioengine=libaio', '--runtime=20ms', '--output-format=json',
      '--name=x', '--rw=randread', '--bs=4k', '--iodepth=8', '--name=y', '--rw=randwrite', '--bs=64KiB');
    const doc = JSON.parse(r.out);
    expect(doc['global options']).toEqual({ direct: '1', ioengine: 'libaio', runtime: '20ms' });
    expect(doc.jobs.map((j: { 'job options': Record<string, string> }) => j['job options'])).toEqual([
      { name: 'x', rw: 'randread', bs: '4k', iodepth: '8' }, { name: 'y', rw: 'randwrite', bs: '64KiB' },
    ]);
  });

  it('runs several --name sections, or a job file with the command line\'s options as its globals', async () => {
    const two = await vqsim('fio', 'scenarios/iothread-pool.yaml', '--direct=1', '--runtime=30ms', '--name=a', '--rw=randread', '--name=b', '--rw=randwrite', '--bs=64k');
    expect(two.code).toBe(0);
    expect(two.out).toMatch(/^a: \(groupid=0, jobs=1\)/m);
    expect(two.out).toMatch(/^b: \(groupid=0, jobs=1\)/m); // one group, as fio without new_group
    expect(two.out).toMatch(/^ {2}write: IOPS=/m);
    const file = await vqsim('fio', 'scenarios/iothread-pool.yaml', '--runtime=30ms', 'scenarios/jobs/oltp.fio');
    expect(file.code).toBe(0);
    expect(file.out).toMatch(/^oltp: \(groupid=0/m);
  });

  it('refuses, in one line naming the option, what fio would not run or vqsim does not model', async () => {
    for (const [args, pattern] of [
      [['--direct=1', '--name=a', '--iodpeth=4'], /^vqsim: the fio command line, --iodpeth=4: .*unknown or unmodelled fio option "iodpeth"/],
      [['--name=a', '--rw=randread'], /^vqsim: the fio command line, --name=a: .*direct=1/],
      [['--name=a', '--output-format=terse'], /terse is not produced/],
      [['--rw=randread'], /no job: give --name=NAME/],
      [['--name=a', 'scenarios/jobs/oltp.fio'], /--name sections or in a job file, not both/],
    ] as const) {
      const r = await vqsim('fio', 'scenarios/iothread-pool.yaml', ...args);
      expect(r.code, r.err.join('\n')).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(pattern);
    }
  });
});
