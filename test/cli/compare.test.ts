import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), tty: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'vqsim-compare-'));

describe('vqsim compare', () => {
  it('sets two sweeps side by side: ratio, and significance from their confidence intervals', async () => {
    const d = tmp();
    cpSync('results/iothread-pool/sweep/sweep.csv', join(d, 'a', 'sweep.csv'), { recursive: true });
    // B: the same sweep with one point's IOPS 5 % higher (far outside its CI) and another's 0.01 % (inside).
    const lines = readFileSync('results/iothread-pool/sweep/sweep.csv', 'utf8').split('\n');
    const head = lines[0].split(',');
    const iops = head.indexOf('iops_mean');
    const bump = (line: string, f: number) => line.split(',').map((v, i) => (i === iops ? String(Number(v) * f) : v)).join(',');
    mkdirSync(join(d, 'b'));
    writeFileSync(join(d, 'b', 'sweep.csv'), [lines[0], bump(lines[1], 1.05), bump(lines[2], 1.0001), ...lines.slice(3)].join('\n'));
    const { code, out } = await cli(['compare', join(d, 'a'), join(d, 'b'), '--format', 'json']);
    expect(code).toBe(0);
    const rows = JSON.parse(out).rows as { point: string; metric: string; ratio: number; significant: string }[];
    const iopsRows = rows.filter((r) => r.metric === 'iops');
    expect(iopsRows[0]).toMatchObject({ point: 'base disk.iothreads=1', significant: 'yes' });
    expect(iopsRows[0].ratio).toBeCloseTo(1.05, 6);
    expect(iopsRows[1]).toMatchObject({ point: 'base disk.iothreads=2', significant: 'no' });
  });

  it('sets a run beside a measured fio JSON (fio\'s own structure), one variant named', async () => {
    const d = tmp();
    const measured = {
      'fio version': 'fio-3.36',
      jobs: [{
        jobname: 'randread',
        read: { iops: 250000, bw_bytes: 250000 * 4096, total_ios: 250000, lat_ns: { mean: 1900000, N: 250000 }, clat_ns: { mean: 1898000, N: 250000, percentile: { '50.000000': 1700000, '90.000000': 3000000, '99.000000': 3400000, '99.900000': 3600000 } } },
        write: { iops: 0, bw_bytes: 0, total_ios: 0, lat_ns: { mean: 0, N: 0 }, clat_ns: { mean: 0, N: 0 } },
      }],
    };
    writeFileSync(join(d, 'measured.json'), JSON.stringify(measured));
    const { code, out } = await cli(['compare', 'results/iothread-pool', join(d, 'measured.json'), '--point', 'iothreads-1']);
    expect(code).toBe(0);
    expect(out).toMatch(/^\| point \| metric \| A \| B \| B\/A \| significant \|/);
    const iops = out.split('\n').find((l) => l.includes('| iops |'))!;
    expect(iops).toMatch(/^\| iothreads-1 \/ fio \| iops \| \d+ \| 250000 \| 0\.\d{3} \| n\/a \|$/);
    expect(out).toMatch(/\| lat_p99_us \|/);
    const ambiguous = await cli(['compare', 'results/iothread-pool', join(d, 'measured.json')]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toMatch(/has 4 points \(iothreads-1, pool-2, pool-4, pool-8\): name one with --point/);
    // A point neither side has is an error, not ignored; a figure fio never writes (a string) too.
    const nope = await cli(['compare', 'results/iothread-pool', join(d, 'measured.json'), '--point', 'nope']);
    expect([nope.code, nope.err]).toEqual([2, expect.stringMatching(/--point nope: neither side has it/)]);
    const nan = structuredClone(measured) as { jobs: { read: { iops: unknown } }[] };
    nan.jobs[0].read.iops = 'NaN';
    writeFileSync(join(d, 'nan.json'), JSON.stringify(nan));
    const bad = await cli(['compare', 'results/iothread-pool', join(d, 'nan.json'), '--point', 'iothreads-1']);
    expect([bad.code, bad.err]).toEqual([2, expect.stringMatching(/nan\.json: jobs\[0\]\.read\.iops is "NaN", not a number fio writes/)]);
  });
});

describe('vqsim check for users\' own repositories', () => {
  it('takes --scenarios and --results, and reports JUnit XML with a failed case per drifted scenario', async () => {
    const d = tmp();
    mkdirSync(join(d, 'scenarios'));
    cpSync('scenarios/ring-layout.yaml', join(d, 'scenarios', 'ring-layout.yaml'));
    cpSync('results/ring-layout', join(d, 'results', 'ring-layout'), { recursive: true });
    const pass = await cli(['check', '--scenarios', join(d, 'scenarios'), '--results', join(d, 'results'), '--report', 'junit']);
    expect(pass.code).toBe(0);
    expect(pass.out).toMatch(/<testsuite name="vqsim check" tests="1" failures="0"/);
    expect(pass.out).toMatch(/<testcase classname="vqsim.check" name="ring-layout"\/>/);
    // A reference that no longer holds: IOPS halved in the committed summary.
    const ref = join(d, 'results', 'ring-layout', 'summary.csv');
    const [head, ...rows] = readFileSync(ref, 'utf8').trim().split('\n');
    const col = head.split(',').indexOf('iops');
    writeFileSync(ref, [head, ...rows.map((r) => r.split(',').map((v, i) => (i === col ? String(Number(v) / 2) : v)).join(','))].join('\n'));
    const fail = await cli(['check', '--scenarios', join(d, 'scenarios'), '--results', join(d, 'results'), '--report', 'junit']);
    expect(fail.code).toBe(1);
    expect(fail.out).toMatch(/failures="1"/);
    expect(fail.out).toMatch(/<failure message="\d+ metrics drifted beyond tolerance" type="drift">[^<]*iops: \d+ -&gt; /);
    const json = await cli(['check', '--scenarios', join(d, 'scenarios'), '--results', join(d, 'results'), '--report', 'json']);
    expect(JSON.parse(json.out)).toMatchObject({ checked: ['ring-layout'], passed: false });
  });
});
