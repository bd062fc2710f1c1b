import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Command lines per CI run, at a fixed seed; `npm run fuzz` runs ten times more at a fresh one. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000) / 10;
const SEED = Number(process.env.FUZZ_SEED ?? (process.env.FUZZ_RUNS ? Date.now() % 2 ** 31 : 20261207));

/**
 * A sandbox: a quick scenario, its run's result directory, a fio job file, a fio JSON, a file where a
 * directory is wanted. Every path a command line may write to lies inside it (no generated flag can
 * name results/ or the shipped references).
 */
function sandbox(): Record<string, string> {
  const d = mkdtempSync(join(tmpdir(), 'vqsim-flag-fuzz-'));
  const p = (n: string) => join(d, n);
  writeFileSync(p('s.yaml'), 'name: s\nvm: {vcpus: 2}\nduration: 2ms\nwarmup: 500us\njob: {rw: randread, iodepth: 4}\nvariants:\n  - {name: a}\n  - {name: b, set: {disk.aio: io_uring}}\nsweep: {axes: {job.iodepth: [1, 2]}, replications: 1}\n');
  writeFileSync(p('j.fio'), '[global]\nioengine=libaio\ndirect=1\nruntime=2ms\n[r]\nrw=randread\nbs=4k\niodepth=2\n');
  writeFileSync(p('afile'), 'x');
  mkdirSync(p('scenarios'));
  cpSync(p('s.yaml'), join(p('scenarios'), 's.yaml'));
  const fio = { 'fio version': 'fio-3.36', jobs: [{ jobname: 'j', read: { iops: 1000, bw_bytes: 4096000, total_ios: 1000, lat_ns: { mean: 1e5 }, clat_ns: { mean: 9e4, percentile: { '50.000000': 9e4 } } }, write: { iops: 0, bw_bytes: 0, total_ios: 0, lat_ns: { mean: 0 }, clat_ns: { mean: 0 } } }] };
  writeFileSync(p('fio.json'), JSON.stringify(fio));
  return { d, s: p('s.yaml'), fio: p('j.fio'), json: p('fio.json'), afile: p('afile'), scenarios: p('scenarios'), results: p('results'), run: p('results/s') };
}

describe(`fuzzing the command line (${RUNS} at seed ${SEED})`, () => {
  it('any command with any flags and values: its output, or one line and exit 2; nothing outside the sandbox', async () => {
    const box = sandbox();
    // The reference run that run, check, compare and report read.
    expect(await main(['run', box.s, '--out', box.run], { out: () => {}, err: () => {}, tty: false })).toBe(0);
    const shipped = readFileSync('results/iothread-pool/summary.csv', 'utf8');

    const value = fc.constantFrom('', '0', '1', '2', '-1', '1.5', '1e9', 'abc', 'NaN', 'a', 'b', 'a,b', '0/2', '1/2', '3/2', 'job.iodepth=1,2', 'job.iodepth=1,1', 'disk.aio=native,io_uring', 'nope=1', 'json', 'json+', 'junit', 'markdown', 'latency', 'kubevirt', 'scenario', '\u001b]0;x\u0007', '--out');
    const path = fc.constantFrom(box.s, box.fio, box.json, box.afile, box.run, box.scenarios, join(box.d, 'new'), join(box.afile, 'sub'), join(box.d, 'missing.yaml'), '/dev/null', box.d);
    const flag = fc.oneof(
      fc.tuple(fc.constantFrom('--seed', '--variant', '--output-format', '--set', '--replications', '--jobs', '--shard', '--report', '--point', '--format', '--vm', '--iterations', '--goal', '--within', '--max-iothreads', '--from', '--frob'), value),
      fc.tuple(fc.constantFrom('--out', '--fio', '--scenario'), path),
      fc.tuple(fc.constantFrom('--force', '--update', '--debug', '--no-force')),
    );
    const command = fc.oneof(
      fc.tuple(fc.constantFrom('run', 'sweep', 'advise', 'report', 'merge'), path),
      fc.tuple(fc.constant('compare'), path, path),
      fc.tuple(fc.constant('import'), fc.constantFrom('libvirt', 'kubevirt', 'qemu', 'xen'), path),
      fc.tuple(fc.constant('fio'), path, fc.constantFrom('--name=j', '--direct=1', '--rw=randread', '--runtime=2ms', '--output-format=json', '--output-format=terse')),
      fc.tuple(fc.constantFrom('check', 'schema', 'nope')),
    );

    let n = 0;
    await fc.assert(fc.asyncProperty(command, fc.array(flag, { maxLength: 4 }), async (cmd, flags) => {
      const args = [...cmd, ...flags.flat()];
      // Where a command writes by default, it writes in the sandbox: run, sweep and advise get an --out of
      // their own after the generated flags (a repeated --out is refused before anything is written);
      // check reads and updates the sandbox's scenario and reference.
      if (cmd[0] === 'run' || cmd[0] === 'sweep' || cmd[0] === 'advise') args.push('--out', join(box.d, `out${n++}`));
      if (cmd[0] === 'check') args.push('--scenarios', box.scenarios, '--results', box.results);
      if (cmd[0] === 'import' && !flags.some((f) => f[0] === '--out')) args.push('--out', join(box.d, `import${n++}.yaml`));
      const err: string[] = [];
      const code = await main(args, { out: () => {}, err: (l) => err.push(...l.split('\n')), tty: false });
      const context = `${args.join(' ')}\n${err.join('\n')}`;
      expect(err.join('\n'), context).not.toMatch(/internal error|^\s+at /m);
      expect(code === 1 ? cmd[0] === 'check' : [0, 2].includes(code), context).toBe(true);
      if (code === 2) {
        expect(err, context).toHaveLength(1);
        expect(err[0], context).toMatch(/^vqsim: /);
      }
      expect(readdirSync(box.d).filter((f) => f.includes('.tmp')), context).toEqual([]);
    }), { numRuns: RUNS, seed: SEED, endOnFailure: true });

    expect(readFileSync('results/iothread-pool/summary.csv', 'utf8')).toBe(shipped);
    expect(existsSync('results/s')).toBe(false);
    rmSync(box.d, { recursive: true, force: true });
  }, 600_000);
});
