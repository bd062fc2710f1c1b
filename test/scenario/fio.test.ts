import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { parseFioIni, FioSyntaxError } from '../../src/scenario/fio/ini.js';
import { fioSize, fioTime, fioWorkload, FioOptionError } from '../../src/scenario/fio/job-file.js';
import { Host } from '../../src/model/host.js';
import { loadScenario } from '../../src/scenario/load.js';

function folder(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'vqsim-fio-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const noFiles = { read: () => { throw new Error('no include expected'); }, env: {} };
const workload = (text: string) => fioWorkload(parseFioIni('t.fio', text, noFiles));
const optionError = (text: string): FioOptionError => {
  try {
    workload(text);
  } catch (e) {
    if (e instanceof FioOptionError) return e;
    throw e;
  }
  throw new Error('expected a FioOptionError');
};
const direct = '[global]\ndirect=1\nioengine=libaio\n';

describe('fio job files: INI as fio reads it', () => {
  it('gives each job the globals above it only; a later [global] changes the jobs after it', () => {
    const jobs = parseFioIni('t.fio', [
      '; comment', '[global]', 'bs=4k', 'time_based', '[a]', 'rw=read', '# another comment',
      '[global]', 'bs=64k', '[b]', 'rw=write',
    ].join('\n'), noFiles);
    expect(jobs.map((j) => j.name)).toEqual(['a', 'b']);
    const opts = (i: number) => jobs[i].options.map((o) => `${o.key}=${o.value}`);
    expect(opts(0)).toEqual(['bs=4k', 'time_based=', 'rw=read']);
    expect(opts(1)).toEqual(['bs=4k', 'time_based=', 'bs=64k', 'rw=write']);
    expect(jobs[1].options.at(-1)!.line).toBe(11);
  });

  it('reads include files in place and ${VAR} from the environment; an unset variable is an error at its line', () => {
    const d = folder({ 'common.fio': '[global]\niodepth=${DEPTH}\n' });
    const src = { read: (f: string) => ({ file: join(d, f), text: readFileSync(join(d, f), 'utf8') }), env: { DEPTH: '8' } };
    const jobs = parseFioIni('main.fio', 'include common.fio\n[j]\nrw=randread\n', src);
    expect(jobs[0].options.map((o) => `${o.key}=${o.value}`)).toEqual(['iodepth=8', 'rw=randread']);
    expect(() => parseFioIni('x.fio', '[j]\n\niodepth=${NOPE}\n', noFiles)).toThrow(expect.objectContaining({
      constructor: FioSyntaxError, line: 3, message: 'environment variable NOPE is not set',
    }));
  });
});

describe('fio job files: options and units to the model', () => {
  it('reads sizes by kb_base and times in each option\'s own unit', () => {
    expect(fioSize('4k', 1024)).toBe(4096);
    expect(fioSize('4k', 1000)).toBe(4000);
    expect(fioSize('4KiB', 1000)).toBe(4096);
    expect(fioSize('1m', 1024)).toBe(1 << 20);
    expect(fioSize('lots', 1024)).toBeUndefined();
    expect(fioTime('30', 1e9)).toBe(30e9);
    expect(fioTime('500ms', 1e9)).toBe(500e6);
    expect(fioTime('2m', 1e9)).toBe(120e9);
    expect(fioTime('100', 1e3)).toBe(100e3);
  });

  it('maps rw, mixes, depths, rates, batches and think time; bs by direction; psync is one I/O at a time', () => {
    const w = workload(`${direct}runtime=30\nramp_time=2s\n[mix]\nreadwrite=randrw\nrwmixwrite=30\nbs=8k\niodepth=16\nnumjobs=4\n`
      + 'rate_iops=5000\nrate_process=poisson\niodepth_batch_submit=4\niodepth_batch_complete_min=2\nthinktime=50\n'
      + '[log]\nrw=write\nbs=4k,16k\n[sync]\nioengine=psync\niodepth=32\nrw=randread\n');
    const { fio_options: written, ...mix } = w.jobs[0];
    expect(mix).toEqual({
      name: 'mix', rw: 'randrw', rwmixread: 70, bs: 8192, iodepth: 16, numjobs: 4, rate_iops: 5000, rate_process: 'poisson',
      iodepth_batch_submit: 4, iodepth_batch_complete_min: 2, thinktime: '50000ns', group_reporting: false,
    });
    // fio JSON echoes the options as written: the globals in effect, and the job's own.
    expect(written).toEqual({
      global: { direct: '1', ioengine: 'libaio', runtime: '30', ramp_time: '2s' },
      job: { name: 'mix', readwrite: 'randrw', rwmixwrite: '30', bs: '8k', iodepth: '16', numjobs: '4', rate_iops: '5000', rate_process: 'poisson', iodepth_batch_submit: '4', iodepth_batch_complete_min: '2', thinktime: '50' },
    });
    expect(w.jobs[1]).toMatchObject({ rw: 'write', bs: 16384 });
    expect(w.jobs[2]).toMatchObject({ rw: 'randread', iodepth: 1 });
    expect(w.durationNs).toBe(30e9);
    expect(w.warmupNs).toBe(2e9);
    expect(w.ignored).toEqual(['iodepth (ioengine=psync does one I/O at a time)']);
  });

  it('names options that change nothing, and refuses what would change the answer, at its line', () => {
    const named = workload(`${direct}group_reporting\nfilename=/dev/vdb\n[a]\nrw=read\n[b]\nnew_group\nrw=write\n`);
    expect(named.ignored).toEqual(['filename']);
    expect(named.jobs.map((j) => [j.group_reporting, j.new_group])).toEqual([[true, undefined], [true, true]]);
    const skew = optionError(`${direct}[a]\nrw=randread\nrandom_distribution=zipf:1.2\n`);
    expect([skew.section, skew.option.key, skew.option.line]).toEqual(['a', 'random_distribution', 6]);
    expect(skew.message).toMatch(/skewed access distribution.*not modelled/);
    expect(optionError(`${direct}[a]\nverify_pattern=0xff\n`).message).toMatch(/unknown or unmodelled fio option "verify_pattern"/);
    expect(optionError('[a]\nrw=read\n').message).toMatch(/buffered I\/O.*give direct=1/);
    expect(optionError(`${direct}[a]\nrw=randrw\nbs=4k,64k\n`).message).toMatch(/different read and write block sizes/);
    expect(optionError(`${direct}[a]\nioengine=mmap\n`).message).toMatch(/ioengine mmap is not modelled/);
    expect(optionError(`${direct}[a]\nrw=read\nstartdelay=1-5\n`).message).toMatch(/a random startdelay range \(1-5\) is not modelled/);
    expect(optionError(`${direct}[a]\nrw=read\nstonewall=yes\n`).message).toMatch(/expected stonewall, stonewall=1 or stonewall=0/);
  });

  it('maps fio\'s phases: stonewall (and wait_for_previous), wait_for, startdelay, and each job\'s own runtime and ramp_time', () => {
    // As fio's examples/ssd-test.fio: each phase after the one before.
    const w = workload(`${direct}runtime=10\n[seq-read]\nrw=read\nstonewall\n[rand-read]\nrw=randread\nwait_for_previous\n`
      + '[late]\nrw=write\nwait_for=seq-read\nstartdelay=2\nruntime=5\nramp_time=500ms\n');
    expect(w.jobs.map((j) => [j.stonewall, j.wait_for, j.startdelay])).toEqual([[true, undefined, undefined], [true, undefined, undefined], [undefined, 'seq-read', '2000000000ns']]);
    // Runtimes differ: each job keeps its own, and the run's duration is the scenario's.
    expect(w.durationNs).toBeUndefined();
    expect(w.jobs.map((j) => j.runtime)).toEqual(['10000000000ns', '10000000000ns', '5000000000ns']);
    expect(w.jobs.map((j) => j.ramp_time)).toEqual([undefined, undefined, '500000000ns']);
    expect(workload(`${direct}runtime=10\n[a]\nrw=read\n[b]\nrw=write\n`).durationNs).toBe(10e9);
  });
});

describe('bssplit', () => {
  it('maps fio\'s bssplit in the job\'s kb_base, per direction as fio reads it', () => {
    expect(workload(`${direct}[a]\nrw=randread\nbssplit=4k/70:64k/30\n`).jobs[0].bssplit).toBe('4096/70:65536/30');
    expect(workload(`${direct}kb_base=1000\n[a]\nrw=randwrite\nbssplit=4k/50:8k,512k\n`).jobs[0].bssplit).toBe('512000');
    expect(optionError(`${direct}[a]\nrw=randrw\nbssplit=4k,8k\n`).message).toMatch(/different read and write bssplit/);
    // Shares that do not add up are the job file's error, at its line.
    const shares = optionError(`${direct}[a]\nrw=randread\nbssplit=4k/70:64k/40\n`);
    expect([shares.section, shares.option.key, shares.option.line]).toEqual(['a', 'bssplit', 6]);
    expect(shares.message).toMatch(/the shares add up to 110 %, more than 100/);
  });

  it('draws each I/O\'s size by its share: the bandwidth is the IOPS times the mean size', () => {
    const d = folder({ 's.yaml': 'vm: {vcpus: 2}\nduration: 100ms\nwarmup: 10ms\njob: {rw: randread, bssplit: "4k/70:64k/:", iodepth: 8}\n' });
    expect(() => loadScenario(join(d, 's.yaml'))).toThrow(/bssplit: "" is not a size/);
    writeFileSync(join(d, 's.yaml'), 'vm: {vcpus: 2}\nduration: 100ms\nwarmup: 10ms\njob: {rw: randread, bssplit: "4k/70:64k", iodepth: 8}\n');
    const cfg = loadScenario(join(d, 's.yaml')).points[0].config(0);
    expect(cfg.vms[0].jobs[0].bssplit).toEqual([{ bytes: 4096, share: 0.7 }, { bytes: 65536, share: expect.closeTo(0.3, 9) }]);
    const r = new Host(cfg).run().vms[0].blk!;
    expect(r.bytes / r.ios).toBeCloseTo(0.7 * 4096 + 0.3 * 65536, -3);
    writeFileSync(join(d, 's.yaml'), 'vm: {vcpus: 2}\njob: {bssplit: "4k/70:64k/40"}\n');
    expect(() => loadScenario(join(d, 's.yaml'))).toThrow(/job.bssplit: the shares add up to 110 %, more than 100/);
  });
});

describe('fio job files in scenarios', () => {
  const jobFile = '; two jobs under one [global]\n[global]\nioengine=libaio\ndirect=1\nruntime=20ms\nramp_time=5ms\n'
    + 'group_reporting\n[reader]\nrw=randread\nbs=4k\niodepth=8\n[writer]\nrw=write\nbs=64k\niodepth=2\nnumjobs=2\n';

  it('gives the same model as the same jobs written in the scenario, with fio\'s runtime and ramp_time', () => {
    const d = folder({
      'job.fio': jobFile,
      'fio.yaml': 'vm: {vcpus: 2}\njob: {fio: job.fio}\n',
      'yaml.yaml': 'vm: {vcpus: 2}\nduration: 20ms\nwarmup: 5ms\njobs:\n'
        + '  - {name: reader, rw: randread, bs: 4k, iodepth: 8, group_reporting: true}\n  - {name: writer, rw: write, bs: 64k, iodepth: 2, numjobs: 2, group_reporting: true}\n',
    });
    const fio = loadScenario(join(d, 'fio.yaml'));
    const yaml = loadScenario(join(d, 'yaml.yaml'));
    const unechoed = (c: ReturnType<typeof fio.points[0]['config']>) => ({ ...c, vms: c.vms.map((vm) => ({ ...vm, jobs: vm.jobs.map((j) => ({ ...j, fioOptions: null })) })) });
    expect(unechoed(fio.points[0].config(0))).toEqual(yaml.points[0].config(0));
    expect(fio.points[0].config(0).vms[0].jobs[1].fioOptions!.job).toEqual({ name: 'writer', rw: 'write', bs: '64k', iodepth: '2', numjobs: '2' });
    expect(fio.points[0].config(0).durationNs).toBe(20e6);
    expect(fio.points[0].warnings).toEqual([]);
  });

  it('lets keys beside job.fio override every section, so a variant can vary them', () => {
    const d = folder({ 'job.fio': jobFile, 's.yaml': 'vm: {vcpus: 2}\njob: {fio: job.fio}\nvariants:\n  - {name: qd32, set: {job.iodepth: 32}}\n' });
    const jobs = loadScenario(join(d, 's.yaml')).points[0].config(0).vms[0].jobs;
    expect(jobs.map((j) => j.iodepth)).toEqual([32, 32]);
    expect(jobs.map((j) => j.fioOptions!.job.iodepth)).toEqual(['32', '32']); // echoed as it ran
  });

  it('takes fsync and fdatasync (one call on the guest\'s block device) as the job\'s fsync', () => {
    const d = folder({ 'a.fio': `${jobFile}fsync=4\n`, 'b.fio': `${jobFile}fdatasync=4\n`, 'a.yaml': 'vm: {vcpus: 2}\njob: {fio: a.fio}\n', 'b.yaml': 'vm: {vcpus: 2}\njob: {fio: b.fio}\n' });
    for (const f of ['a.yaml', 'b.yaml']) {
      expect(loadScenario(join(d, f)).points[0].config(0).vms[0].jobs.map((j) => j.fsync)).toEqual([0, 4]);
    }
  });

  it('locates a job file\'s error in the job file: its path, line, section and option', () => {
    const d = folder({ 'job.fio': `${jobFile}end_fsync=1\n`, 's.yaml': 'vm: {vcpus: 2}\njob: {fio: job.fio}\n', 'missing.yaml': 'vm: {vcpus: 2}\njob:\n  fio: nope.fio\n' });
    const message = (f: string) => {
      try {
        loadScenario(join(d, f));
      } catch (e) {
        if (e instanceof ScenarioError) return e.message;
        throw e;
      }
      throw new Error('expected a ScenarioError');
    };
    expect(message('s.yaml')).toBe(`${join(d, 'job.fio')}:17: writer.end_fsync: end_fsync would change the answer (a final fsync) and is not modelled`);
    expect(message("missing.yaml")).toMatch(/missing\.yaml:3: job\.fio: the fio job file .*nope\.fio: cannot read: no such file$/);
  });

  it('vqsim run --fio runs a scenario\'s VM with the job file\'s workload, beside the scenario\'s own results', async () => {
    const d = folder({ 'job.fio': jobFile, 's.yaml': 'vm: {vcpus: 2}\nduration: 1s\njob: {rw: read}\n' });
    const out: string[] = [], err: string[] = [];
    const code = await main(['run', join(d, 's.yaml'), '--fio', join(d, 'job.fio'), '--out', join(d, 'out')],
      { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
    expect(code).toBe(0);
    // The job file's runtime (20 ms) wins over the scenario's duration, as the command line's word is the later one.
    const summary = readFileSync(join(d, 'out', 'summary.csv'), 'utf8');
    expect(summary.split('\n')[1]).toMatch(/^base,/);
    expect(existsSync(join(d, 'out', 'latency.csv'))).toBe(true);
    expect(err).toEqual([]);
    const bad = await main(['run', join(d, 's.yaml'), '--fio', join(d, 'none.fio')], { out: () => {}, err: (l) => err.push(l), tty: false });
    expect(bad).toBe(2);
    expect(err.at(-1)).toMatch(/none\.fio: --fio: no such fio job file/);
  });
});
