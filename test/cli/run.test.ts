import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/run.js';
import { SUMMARY_COLUMNS } from '../../src/stats/summary.js';

const small = [
  'name: small', 'duration: 30ms', 'warmup: 5ms', 'vm: {vcpus: 4}', 'disk: {handler: pool, iothreads: 1}',
  'job: {iodepth: 8, numjobs: 4}', 'variants:', '  - name: a', '  - name: b', '    set: {disk.iothreads: 2}',
].join('\n');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'vqsim-'));
}

describe('vqsim run', () => {
  it('writes summary.csv, latency.csv, threads.csv and the latency CDF with the documented columns', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), small);
    const lines: string[] = [];
    await runCommand({ file: join(dir, 's.yaml'), out: join(dir, 'out') }, (l) => lines.push(l));
    const summary = readFileSync(join(dir, 'out', 'summary.csv'), 'utf8').trim().split('\n');
    expect(summary[0]).toBe(SUMMARY_COLUMNS.join(','));
    expect(summary.slice(1).map((l) => l.split(',')[0])).toEqual(['a', 'b']);
    const latency = readFileSync(join(dir, 'out', 'latency.csv'), 'utf8').trim().split('\n');
    expect(latency[0]).toBe('variant,lat_upper_us,count,cumulative');
    expect(latency.filter((l) => l.startsWith('a,')).at(-1)!.endsWith(',1.000000')).toBe(true);
    expect(readFileSync(join(dir, 'out', 'threads.csv'), 'utf8')).toMatch(/^variant,thread,role,busy_pct,poll_pct,idle_pct\n/);
    // A row per variant and fio job clone: numjobs 4 on 4 vCPUs, one clone each.
    const jobs = readFileSync(join(dir, 'out', 'jobs.csv'), 'utf8').trim().split('\n');
    expect(jobs[0]).toBe('variant,job,clone,vcpu,iodepth,iops,lat_mean_us,in_flight,littles_l');
    expect(jobs.slice(1).filter((l) => l.startsWith('a,')).map((l) => l.split(',').slice(2, 5).join(','))).toEqual(['0,vcpu0,8', '1,vcpu1,8', '2,vcpu2,8', '3,vcpu3,8']);
    expect(lines.join('\n')).toMatch(/iops/);
    expect(readFileSync(join(dir, 'out', 'latency-cdf.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('names, in one warning per variant, the fio job clones that completed nothing in the window', async () => {
    // QEMU 7.2's iothread notifies each completion inside virtio_blk_handle_vq's loop: one vCPU keeps
    // its queue full, and the iothread never leaves its handler for the other three queues.
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), ['name: starved', 'duration: 20ms', 'warmup: 10ms', 'versions: {qemu: "7.2"}', 'vm: {vcpus: 4}',
      'disk: {device: optane, aio: native, handler: dedicated, num-queues: 4}', 'job: {rw: randread, iodepth: 128, numjobs: 16}'].join('\n'));
    const warnings: string[] = [];
    await runCommand({ file: join(dir, 's.yaml'), out: join(dir, 'out') }, () => {}, { warn: (l) => warnings.push(l) });
    expect(warnings).toEqual([expect.stringMatching(/^warning: base: 12 of 16 fio job clones \(on vcpu\d, vcpu\d, vcpu\d\) completed no I\/O in the window \(jobs\.csv\)/)]);
    const jobs = readFileSync(join(dir, 'out', 'jobs.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const idle = jobs.filter((c) => c[5] === '0').map((c) => c[3]);
    expect([idle.length, new Set(idle).size]).toEqual([12, 3]);
    expect(jobs.filter((c) => !idle.includes(c[3])).every((c) => Number(c[5]) > 0)).toBe(true);
  });

  it('a window in which nothing completes: empty latency and per-I/O columns, one warning, exit 0', async () => {
    // The one I/O completes in the warmup; the next is issued after the window, past a 5.95 ms thinktime.
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), 'name: none\nvm: {vcpus: 1}\nduration: 1ms\nwarmup: 5ms\njob: {iodepth: 1, thinktime: 5950us}\n');
    const warnings: string[] = [], lines: string[] = [];
    await runCommand({ file: join(dir, 's.yaml'), out: join(dir, 'out') }, (l) => lines.push(l), { warn: (l) => warnings.push(l) });
    expect(warnings).toEqual(['warning: base: no I/O completed in the window: its latency columns are empty (a thinktime, rate or latency longer than the window: lengthen duration, or shorten warmup where the I/Os completed in it)']);
    const [head, row] = readFileSync(join(dir, 'out', 'summary.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const cell = (c: string) => row[head.indexOf(c)];
    expect(['iops', 'lat_mean_us', 'lat_p99_us', 'lat_max_us', 'kicks_per_io', 'vcpu_busy_pct'].map(cell)).toEqual(['0', '', '', '', '', '0.00']);
    expect(readFileSync(join(dir, 'out', 'jobs.csv'), 'utf8').trim().split('\n')[1]).toBe('base,job,0,vcpu0,1,0,,0.00,');
    expect(lines[1].split('\n')[1]).toMatch(/^base\s+0\s+0\.00\s+-\s+-\s/);
  });

  it('the same seed gives byte-identical CSVs; another seed does not', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), small);
    const run = async (out: string, seed?: number) => {
      await runCommand({ file: join(dir, 's.yaml'), out: join(dir, out), seed }, () => {});
      return ['summary.csv', 'latency.csv', 'threads.csv', 'latency-cdf.svg'].map((f) => readFileSync(join(dir, out, f), 'utf8'));
    };
    const first = await run('o1'), second = await run('o2'), other = await run('o3', 99);
    expect(second).toEqual(first);
    expect(other[0]).not.toEqual(first[0]);
  });

  it('--jobs 2 (the variants in worker processes) writes the bytes of --jobs 1, fio JSON included', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 's.yaml'), `${small}\n  - name: c\n    set: {disk.aio: io_uring}\n`);
    const run = async (out: string, jobs: number) => {
      await runCommand({ file: join(dir, 's.yaml'), out: join(dir, out), jobs, outputFormat: 'json+' }, () => {});
      return Object.fromEntries(readdirSync(join(dir, out)).sort().map((f) => [f, readFileSync(join(dir, out, f), 'utf8')]));
    };
    const one = await run('j1', 1), two = await run('j2', 2);
    expect(Object.keys(one)).toEqual(expect.arrayContaining(['summary.csv', 'jobs.csv', 'fio-a.json', 'fio-c.json']));
    expect(two).toEqual(one);
  });
});

describe('the vqsim command on bad input', () => {
  for (const [what, text, pattern] of [
    ['an unknown key', 'vm: {vcpus: 2}\njob:\n  iodpeth: 4\n', /^vqsim: bad.yaml:3: job.iodpeth: unknown key "iodpeth"\n$/],
    ['a wrong type', 'vm: {vcpus: "two"}\n', /^vqsim: bad.yaml:1: vm.vcpus: expected number, got "two"\n$/],
    ['a negative depth', 'vm: {vcpus: 2}\njob: {iodepth: -1}\n', /^vqsim: bad.yaml:2: job.iodepth: .*\n$/],
  ] as const) {
    it(`${what}: one line naming field and line, exit 2, no output file`, () => {
      const dir = tmp();
      writeFileSync(join(dir, 'bad.yaml'), text);
      const r = spawnSync('node', [join(process.cwd(), 'dist/cli/main.js'), 'run', 'bad.yaml', '--out', 'out'], { cwd: dir, encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stdout).toBe('');
      expect(existsSync(join(dir, 'out'))).toBe(false);
    });
  }
});
