import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { main } from '../../src/cli/main.js';
import { batchBucket, depthBucket } from '../../src/model/blk/fio-stats.js';

// What a consumer of fio's JSON relies on, field by field, with the type fio's stat.c gives it:
// json_object_add_value_int -> an integer, _float -> a number, _string -> a string.
const int = z.number().int().min(0);
const num = z.number().min(0);
const percentileKey = /^\d+\.\d{6}$/;
const lat = z.object({
  min: int, max: int, mean: num, stddev: num, N: int,
  percentile: z.record(z.string().regex(percentileKey), int).optional(),
  bins: z.record(z.string().regex(/^\d+$/), int).optional(),
}).strict();
const dir = z.object({
  io_bytes: int, io_kbytes: int, bw_bytes: int, bw: int, iops: num, runtime: int, total_ios: int, short_ios: int, drop_ios: int,
  slat_ns: lat, clat_ns: lat, lat_ns: lat,
  bw_min: int, bw_max: int, bw_agg: num, bw_mean: num, bw_dev: num, bw_samples: int,
  iops_min: int, iops_max: int, iops_mean: num, iops_stddev: num, iops_samples: int,
}).strict();
const shares = (keys: string[]) => z.object(Object.fromEntries(keys.map((k) => [k, num]))).strict();
const LAT_KEYS = ['2', '4', '10', '20', '50', '100', '250', '500', '750', '1000'];
const job = z.object({
  jobname: z.string(), groupid: int, job_start: int, error: int, eta: int, elapsed: int,
  'job options': z.record(z.string(), z.string()),
  read: dir, write: dir, trim: dir, sync: z.object({ total_ios: int, lat_ns: lat }).strict(),
  job_runtime: int, usr_cpu: num, sys_cpu: num, ctx: int, majf: int, minf: int,
  iodepth_level: shares(['1', '2', '4', '8', '16', '32', '>=64']),
  iodepth_submit: shares(['0', '4', '8', '16', '32', '64', '>=64']),
  iodepth_complete: shares(['0', '4', '8', '16', '32', '64', '>=64']),
  latency_ns: shares(LAT_KEYS), latency_us: shares(LAT_KEYS), latency_ms: shares([...LAT_KEYS, '2000', '>=2000']),
  latency_depth: int, latency_target: int, latency_percentile: num, latency_window: int,
}).strict();
const fioOutput = z.object({
  'fio version': z.string().regex(/^fio-\d+\.\d+$/), timestamp: int, timestamp_ms: int, time: z.string(),
  'global options': z.record(z.string(), z.string()),
  jobs: z.array(job).min(1),
  disk_util: z.array(z.unknown()),
  vqsim: z.object({ variant: z.string(), vms: z.array(z.object({ name: z.string(), kicks: num, irqs: num }).passthrough()) }).passthrough(),
}).strict();
type FioOutput = z.infer<typeof fioOutput>;

const SCENARIO = `
vm: { vcpus: 4 }
duration: 1s
warmup: 50ms
disk: { device: nvme-tlc, num-queues: 4 }
jobs:
  - { name: mixed, rw: randrw, rwmixread: 70, bs: 8k, iodepth: 8, numjobs: 2 }
  - { name: qd1-reader, rw: randread, bs: 4k, iodepth: 1 }
variants:
  - name: base
`;

async function run(format: string): Promise<{ dir: string; text: string; out: FioOutput }> {
  const dir = mkdtempSync(join(tmpdir(), 'vqsim-fiojson-'));
  writeFileSync(join(dir, 's.yaml'), SCENARIO);
  const code = await main(['run', join(dir, 's.yaml'), '--out', join(dir, 'out'), '--output-format', format], { out: () => {}, err: () => {}, tty: false });
  expect(code).toBe(0);
  const text = readFileSync(join(dir, 'out', 'fio-base.json'), 'utf8');
  return { dir, text, out: fioOutput.parse(JSON.parse(text)) };
}

describe('fio JSON output', () => {
  it('has fio\'s fields with fio\'s types, and figures that agree with each other as fio\'s do', async () => {
    const { out } = await run('json');
    expect(out.jobs.map((j) => j.jobname)).toEqual(['mixed', 'qd1-reader']);
    for (const j of out.jobs) {
      for (const d of [j.read, j.write]) {
        if (d.total_ios === 0) continue;
        expect(d.runtime).toBe(1000);
        expect(d.iops).toBeCloseTo(d.total_ios, 6); // one second
        expect(d.bw_bytes).toBe(Math.floor((1000 * d.io_bytes) / d.runtime));
        expect(d.bw).toBe(Math.floor(d.bw_bytes / 1024));
        // lat = slat + clat, I/O by I/O, so in the means too
        expect(d.lat_ns.mean).toBeCloseTo(d.slat_ns.mean + d.clat_ns.mean, 3);
        expect(d.slat_ns.N).toBe(d.total_ios);
        const p = Object.values(d.clat_ns.percentile!);
        expect(p).toEqual([...p].sort((a, b) => a - b));
        expect(Object.keys(d.clat_ns.percentile!)).toContain('99.900000');
        expect(d.lat_ns.percentile).toBeUndefined(); // fio's default: lat_percentiles=0
        expect(d.bw_samples).toBe(2); // 500 ms samples over 1 s
        expect(d.iops_mean).toBeCloseTo(d.iops, -2);
      }
      const sum = (o: Record<string, number>) => Object.values(o).reduce((s, x) => s + x, 0);
      expect(sum(j.latency_ns) + sum(j.latency_us) + sum(j.latency_ms)).toBeCloseTo(100, 6);
      expect(sum(j.iodepth_level)).toBeCloseTo(100, 6);
      expect(j.sys_cpu).toBeGreaterThan(0);
    }
    const [mixed, qd1] = out.jobs;
    expect(mixed.read.total_ios / (mixed.read.total_ios + mixed.write.total_ios)).toBeCloseTo(0.7, 1);
    expect(mixed['job options']).toMatchObject({ rw: 'randrw', rwmixread: '70', bs: '8192', iodepth: '8', numjobs: '2' });
    expect(qd1.write).toMatchObject({ total_ios: 0, runtime: 0, iops: 0 });
    expect(qd1.iodepth_level['1']).toBe(100);
    expect(qd1.iodepth_submit['4']).toBe(100);
  });

  it('json+ adds clat bins from which a consumer (fio_jsonplus_clat2csv) recovers the percentiles', async () => {
    const { out } = await run('json+');
    const clat = out.jobs[1].read.clat_ns;
    const bins = Object.entries(clat.bins!).map(([ns, n]) => [Number(ns), n] as const).sort((a, b) => a[0] - b[0]);
    expect(bins.reduce((s, [, n]) => s + n, 0)).toBe(clat.N);
    const rank = Math.ceil(0.99 * clat.N);
    let seen = 0;
    const p99 = bins.find(([, n]) => (seen += n) >= rank)![0];
    // Within one bucket (0.8 %) of the reported 99th percentile.
    expect(Math.abs(p99 - clat.percentile!['99.000000']) / clat.percentile!['99.000000']).toBeLessThan(0.01);
  });

  it('is byte-identical for the same scenario and seed', async () => {
    const a = await run('json'), b = await run('json');
    expect(a.text).toBe(b.text);
  });

  it('buckets depths and batches as fio does', () => {
    expect([1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 1000].map(depthBucket)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]);
    expect([0, 1, 4, 5, 8, 9, 16, 17, 32, 33, 64, 65].map(batchBucket)).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
  });
});
