import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { start } from '../children.js';
import { reportError } from '../../src/cli/errors.js';
import { writeFilesAtomically } from '../../src/output/write.js';
import { main } from '../../src/cli/main.js';
import { InvariantError } from '../../src/model/invariants.js';
import { resultsSlug } from '../../src/scenario/load.js';

/** Runs the CLI in process; returns its status and what it wrote to stdout and stderr. */
async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(...l.split('\n')), tty: false });
  return { code, out, err };
}

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'vqsim-err-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const ok = 'vm: {vcpus: 1}\nduration: 5ms\nwarmup: 1ms\n';

describe('bad input: one line, a non-zero exit, nothing written', () => {
  const cases: [string, string, string[], RegExp][] = [
    ['job.iodepth: 1e9', 'vm: {vcpus: 2}\njob: {iodepth: 1e9}\n', [], /^vqsim: .*s\.yaml:2: job\.iodepth: at most 65536 \(Linux fs\.aio-max-nr/],
    ['vm.vcpus: 1000000', 'vm: {vcpus: 1000000}\n', [], /vm\.vcpus: at most 1024 \(KVM_MAX_VCPUS/],
    ['a bare number for a duration', 'vm: {vcpus: 1}\nduration: 2\n', [], /duration: expected a duration with a unit/],
    ['--seed abc', ok, ['--seed', 'abc'], /^vqsim: --seed must be a non-negative integer, got "abc"/],
    ['--seed -1', ok, ['--seed', '-1'], /--seed must be a non-negative integer/],
    ['a queue-size that is not a power of 2', 'vm: {vcpus: 1}\ndisk: {queue-size: 100}\n', [], /disk\.queue-size: must be a power of 2/],
    ['a cpulist past NR_CPUS (it allocated a billion cores)', 'vm: {vcpus: 1}\nhost: {cores: 4, cpusets: {vcpu: "0-999999999"}}\n', [], /host\.cpusets\.vcpu: a core number is at most 8191 \(Linux NR_CPUS\)/],
    ['a million iothreads for two queues', 'vm: {vcpus: 2}\ndisk: {handler: pool, iothreads: 1000000}\n', [], /disk\.iothreads: at most 1024 \(an iothread per virtqueue at most/],
    ['numjobs: 100000', 'vm: {vcpus: 2}\njob: {numjobs: 100000}\n', [], /job\.numjobs: at most 4096 \(fio REAL_MAX_JOBS\)/],
    ['more NUMA nodes than cores', 'host: {cores: 4, numa_nodes: 8}\nvms: [{vm: {vcpus: 1}, numa_node: 0}]\n', [], /host\.numa_nodes: 8 NUMA nodes for 4 cores: a node without cores/],
    ['duration: 1ns', 'vm: {vcpus: 1}\nduration: 1ns\n', [], /duration: at least 1us/],
    ['rate_iops: 1e-300', 'vm: {vcpus: 1}\nduration: 5ms\njob: {rate_iops: 1e-300}\n', [], /job\.rate_iops: 1e-300 I\/Os per second is less than one I\/O in the 5 ms window/],
    ['iops_cap: 1e-300', 'vm: {vcpus: 1}\nduration: 5ms\ndevices: {d: {preset: nvme-tlc, iops_cap: 1e-300}}\ndisk: {device: d}\n', [], /job\.disk: its device's iops_cap 1e-300 is less than one I\/O/],
    ['write_iops_cap: 1e-300', 'vm: {vcpus: 1}\nduration: 5ms\ndevices: {d: {preset: nvme-tlc, write_iops_cap: 1e-300}}\ndisk: {device: d}\njob: {rw: randrw}\n', [], /job\.disk: its device's write_iops_cap 1e-300 is less than one I\/O/],
    ['thinktime: 1000d', 'vm: {vcpus: 1}\nduration: 5ms\njob: {thinktime: 1000d}\n', [], /job\.thinktime: a thinktime past the whole run/],
    ['costs.vmexit_ns: 1000d', 'vm: {vcpus: 1}\ncosts: {vmexit_ns: 1000d}\n', [], /costs\.vmexit_ns: at most 1s/],
    ['numa_remote_factor: 1e300', 'vm: {vcpus: 1}\nhost: {numa_remote_factor: 1e300}\n', [], /host\.numa_remote_factor: at most 10/],
    ['bs: 1t (it ran and completed nothing)', 'vm: {vcpus: 1}\njob: {bs: 1t}\n', [], /job\.bs: at most 2 GiB - 4 KiB \(Linux MAX_RW_COUNT/],
    ['a bssplit entry of 100 bytes', 'vm: {vcpus: 1}\njob: {bssplit: "4k/50:100/50"}\n', [], /job\.bssplit: 100: a multiple of 512 bytes/],
    ['a line rate of 0 (it ran at 39.55 Gbit/s)', 'vm: {vcpus: 1}\nnic: {}\nnet: {}\npeer: {line_rate_gbit: 0}\n', [], /peer\.line_rate_gbit: a line rate of 0 carries nothing: give the link's Gbit\/s, or target: host/],
    ['a flag of one value given twice (yargs made it an array: "flag.trim is not a function")', ok, ['--seed', '1', '--seed', '2'], /^vqsim: --seed is given more than once: give it once \(vqsim --help for usage\)$/],
    ['a yargs complaint that spans two lines', ok, ['--output-format', 'xml'], /^vqsim: Invalid values: Argument: output-format, Given: "xml"/],
    ['a device queue depth past NVMe\'s', 'vm: {vcpus: 1}\ndevices: {d: {preset: nvme-tlc, queue_depth: 9007199254740991}}\ndisk: {device: d}\n', [], /devices\.d\.queue_depth: at most 65536 \(NVMe/],
  ];
  for (const [what, text, flags, message] of cases) {
    it(what, async () => {
      const d = dir({ 's.yaml': text });
      const r = await cli(['run', join(d, 's.yaml'), '--out', join(d, 'out'), ...flags]);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(message);
      expect(existsSync(join(d, 'out'))).toBe(false);
    });
  }

  it('--out naming an existing file', async () => {
    const d = dir({ 's.yaml': ok, taken: '' });
    const r = await cli(['run', join(d, 's.yaml'), '--out', join(d, 'taken')]);
    expect([r.code, r.err.length]).toEqual([2, 1]);
    expect(r.err[0]).toMatch(/--out .*taken is a file: give a directory/);
  });

  it('--jobs 0 and a shard out of range', async () => {
    const d = dir({ 's.yaml': ok });
    for (const flags of [['--jobs', '0'], ['--shard', '5/2'], ['--replications', 'x']]) {
      const r = await cli(['sweep', join(d, 's.yaml'), '--out', join(d, 'sw'), ...flags]);
      expect([r.code, r.err.length]).toEqual([2, 1]);
    }
  });
});

describe('errors that are not the user\'s', () => {
  it('an internal error is one line with a hint; the stack only with --debug', () => {
    const lines: string[] = [];
    expect(reportError(new TypeError('x is undefined'), (l) => lines.push(l), { debug: false })).toBe(1);
    expect(lines).toEqual(['vqsim: internal error: x is undefined (run again with --debug for the stack, and please report it to the vqsim maintainers)']);
    lines.length = 0;
    reportError(new TypeError('x is undefined'), (l) => lines.push(l), { debug: true });
    expect(lines[0]).toMatch(/\n\s+at /);
  });

  it('a broken invariant says "model error" and how to report it, with the scenario and seed', () => {
    const lines: string[] = [];
    expect(reportError(new InvariantError('requests not conserved'), (l) => lines.push(l), { debug: false, file: 's.yaml', seed: 7 })).toBe(1);
    expect(lines[0]).toBe('vqsim: model error: requests not conserved. This is a bug in vqsim, not in your input: please report it to the vqsim maintainers with s.yaml and --seed 7.');
  });
});

describe('a long run', () => {
  it('prints its estimate, and SIGINT stops it with exit 130, one line and no output', async () => {
    const d = dir({ 'long.yaml': 'vm: {vcpus: 1}\nduration: 1e12s\n' });
    const child = start('node', [join(process.cwd(), 'dist/cli/main.js'), 'run', 'long.yaml', '--out', 'out', '--force'], { cwd: d });
    let err = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr!.on('data', (b) => {
        err += String(b);
        if (err.includes('estimate')) setTimeout(() => child.kill('SIGINT'), 300);
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(130);
    const lines = err.trim().split('\n');
    expect(lines[0]).toMatch(/^vqsim: estimate: about .* for this run/);
    expect(lines.slice(1)).toEqual(['vqsim: interrupted by SIGINT; nothing written for this run']);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });
});

describe('a run that could never end', () => {
  it('zero overheads on a device that takes no time: refused, naming the job', async () => {
    const d = dir({ 's.yaml': 'vm: {vcpus: 1}\nzero_overheads: true\ndisk: {device: null_blk}\njob: {iodepth: 4}\n' });
    const r = await cli(['run', join(d, 's.yaml'), '--out', join(d, 'out')]);
    expect([r.code, r.err.length]).toEqual([2, 1]);
    expect(r.err[0]).toMatch(/s\.yaml:4: job: with zero_overheads and a device that takes no time \(null_blk\)/);
  });
});

describe('writes only where asked', () => {
  it('import --out refuses an existing file unless --force', async () => {
    const d = dir({ 'cmd.txt': 'qemu-system-x86_64 -smp 2 -drive file=disk.img,if=virtio,aio=native,cache=none\n', keep: 'precious\n' });
    const r = await cli(['import', 'qemu', join(d, 'cmd.txt'), '--out', join(d, 'keep')]);
    expect([r.code, r.err.length]).toEqual([2, 1]);
    expect(r.err[0]).toMatch(/--out .*keep exists: give --force/);
    expect(readFileSync(join(d, 'keep'), 'utf8')).toBe('precious\n');
    expect((await cli(['import', 'qemu', join(d, 'cmd.txt'), '--out', join(d, 'keep'), '--force'])).code).toBe(0);
    expect(readFileSync(join(d, 'keep'), 'utf8')).toMatch(/vcpus: 2/);
  });

  it('a scenario\'s name is a label: its results go to results/<slug>, never outside; no control character is printed', async () => {
    expect(resultsSlug('../../../tmp/evil')).toBe('tmp-evil');
    expect(resultsSlug('.')).toBe('scenario');
    expect(resultsSlug('db vm: 4k/QD1')).toBe('db-vm-4k-QD1');
    const d = dir({ 's.yaml': `name: "../x\\e]0;owned\\a"\n${ok}` });
    const cwd = process.cwd();
    process.chdir(d);
    try {
      const r = await cli(['run', 's.yaml']);
      expect(r.code).toBe(0);
      expect(readdirSync(join(d, 'results'))).toEqual(['x-0-owned-']);
      expect(r.out.join('\n')).not.toMatch(/[\u001b\u0007]/);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('inputs are bounded: a regular text file of a sane size, or one line saying what it is', () => {
  const big = () => {
    const d = dir({});
    const f = join(d, 'big.yaml');
    writeFileSync(f, `# ${'x'.repeat(5 << 20)}\nvm: {vcpus: 1}\n`);
    return f;
  };
  const cases: [string, () => string[], RegExp][] = [
    ['run /dev/zero', () => ['run', '/dev/zero'], /^vqsim: \/dev\/zero: is not a regular file \(a device, FIFO or socket\): give a scenario$/],
    ['import libvirt /dev/urandom', () => ['import', 'libvirt', '/dev/urandom'], /^vqsim: \/dev\/urandom: is not a regular file .*give a libvirt domain XML/],
    ['import qemu of a directory', () => ['import', 'qemu', tmpdir()], /is a directory: give a QEMU command line/],
    ['a 5 MiB scenario', () => ['run', big()], /big\.yaml: is 5\.0 MiB: a scenario is at most 4 MiB$/],
    ['a binary file', () => { const d = dir({ 'b.yaml': 'vm: {vcpus: 1}\n\u0000\u0001\u0002' }); return ['run', join(d, 'b.yaml')]; }, /b\.yaml: is binary, not a scenario$/],
    ['run a FIFO no one writes to (it waited forever)', () => { const d = dir({}); spawnSync('mkfifo', [join(d, 'f.yaml')]); return ['run', join(d, 'f.yaml')]; }, /f\.yaml: is not a regular file/],
    ['compare with /dev/urandom', () => ['compare', '/dev/urandom', tmpdir()], /\/dev\/urandom: is not a regular file .*give a fio JSON/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await cli(args());
      expect([r.code, r.err.length]).toEqual([2, 1]);
      expect(r.err[0]).toMatch(message);
      expect(r.err[0].length).toBeLessThan(300);
    });
  }
});

describe('nonsense refused, not run', () => {
  it('a block size the guest would refuse with O_DIRECT', async () => {
    const d = dir({ 's.yaml': 'vm: {vcpus: 1}\nduration: 5ms\njob: {bs: 3}\n' });
    const r = await cli(['run', join(d, 's.yaml'), '--out', join(d, 'out')]);
    expect([r.code, r.err.length]).toEqual([2, 1]);
    expect(r.err[0]).toMatch(/s\.yaml:3: job\.bs: a multiple of 512 bytes/);
  });

  it('the same value twice in a --set, or one path in two --set flags', async () => {
    const d = dir({ 's.yaml': ok });
    const twice = await cli(['sweep', join(d, 's.yaml'), '--set', 'job.iodepth=1,1', '--out', join(d, 'out')]);
    expect([twice.code, twice.err.length]).toEqual([2, 1]);
    expect(twice.err[0]).toMatch(/--set job\.iodepth=1,1: 1 is given twice/);
    const two = await cli(['sweep', join(d, 's.yaml'), '--set', 'job.iodepth=1,2', '--set', 'job.iodepth=4', '--out', join(d, 'out')]);
    expect(two.err[0]).toMatch(/--set job\.iodepth is given twice: give its values in one --set/);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });

  it('a sweep past its ceilings: --replications 1e9, a grid of 100^5 points', async () => {
    const d = dir({ 's.yaml': ok });
    const reps = await cli(['sweep', join(d, 's.yaml'), '--set', 'job.iodepth=1,2', '--replications', '1e9', '--out', join(d, 'out')]);
    expect([reps.code, reps.err.length]).toEqual([2, 1]);
    expect(reps.err[0]).toMatch(/--replications is at most 1000 \(a 95 % CI/);
    const values = Array.from({ length: 100 }, (_, i) => i + 1).join(',');
    const axes = ['job.iodepth', 'job.numjobs', 'vm.vcpus', 'disk.num-queues', 'seed'].flatMap((p) => ['--set', `${p}=${values}`]);
    const grid = await cli(['sweep', join(d, 's.yaml'), ...axes, '--out', join(d, 'out')]);
    expect([grid.code, grid.err.length]).toEqual([2, 1]);
    expect(grid.err[0]).toMatch(/the sweep has 10,000,000,000 points \(job\.iodepth: 100 x .*\): at most 100,000/);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });

  it('a run estimated past a day of wall time, unless --force', async () => {
    const d = dir({ 's.yaml': 'vm: {vcpus: 1}\nduration: 1000000000000s\n' });
    const r = await cli(['run', join(d, 's.yaml'), '--out', join(d, 'out')]);
    expect([r.code, r.err.length]).toEqual([2, 1]);
    expect(r.err[0]).toMatch(/s\.yaml: estimated [\d,]+ hours of wall time .*past a day; shorten duration, or give --force/);
    expect(existsSync(join(d, 'out'))).toBe(false);
  });

  it('vqsim check with no reference for any scenario (a gate that checks nothing)', async () => {
    const d = dir({ 's.yaml': ok });
    const r = await cli(['check', '--scenarios', d, '--results', join(d, 'none')]);
    expect([r.code, r.err.length]).toEqual([2, 1]);
    expect(r.err[0]).toMatch(/--results .*none: no reference .* for any scenario in .*: run vqsim check --update/);
  });
});

describe('the environment\'s problems are the user\'s, named as such', () => {
  it('a path the system refuses: one line naming it and what the system said, exit 2, not "internal error"', async () => {
    const d = dir({ 's.yaml': ok, afile: '' });
    const notDir = await cli(['run', join(d, 's.yaml'), '--out', join(d, 'afile', 'sub')]);
    expect([notDir.code, notDir.err.length]).toEqual([2, 1]);
    expect(notDir.err[0]).toMatch(/^vqsim: .*afile\/sub: a part of the path is not a directory \(ENOTDIR\)$/);
    const long = await cli(['run', join(d, 's.yaml'), '--out', join(d, 'x'.repeat(300))]);
    expect(long.err[0]).toMatch(/: the name is too long \(ENAMETOOLONG\)$/);
  });

  it('a write that fails leaves no temporary file behind', () => {
    const d = dir({});
    expect(() => writeFilesAtomically(d, { 'a.csv': 'a\n', [`${'y'.repeat(300)}.csv`]: 'b\n' })).toThrow(/ENAMETOOLONG/);
    expect(readdirSync(d)).toEqual([]);
  });
});
