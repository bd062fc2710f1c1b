import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'd3-array';
import { stringify } from 'csv-stringify/sync';
import { Host } from '../model/host.js';
import { textTable } from '../output/table.js';
import { writeFilesAtomically } from '../output/write.js';
import { loadScenario } from '../scenario/load.js';
import { Tandem } from './tandem.js';

/**
 * npm run bench: speed and memory of the engine and the model, side by side with the hand-tuned
 * reference loop, in one run; medians of several repetitions; also written to results/bench.csv.
 * A benchmark, not a test: nothing here asserts a time.
 */
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const REPS = Number(process.env.BENCH_REPS ?? 5);
const rows: { measure: string; value: number; unit: string }[] = [];

function record(measure: string, value: number, unit: string): void {
  rows.push({ measure, value, unit });
  console.log(`${measure.padEnd(48)} ${value.toLocaleString('en-US', { maximumFractionDigits: 2 }).padStart(16)} ${unit}`);
}

function seconds(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

// (a) the engine on the tandem model, against the reference loop
const TARGET = 2_000_000;
const ours: number[] = [], reference: number[] = [];
for (let i = 0; i < REPS; i++) {
  const t = new Tandem();
  const wall = seconds(() => t.runCompletions(TARGET));
  ours.push(t.sim.events / wall);
  const out = execFileSync(process.execPath, [join(root, 'src', 'bench', 'reference', 'tandem-reference.mjs'), String(TARGET)], { encoding: 'utf8' });
  reference.push(JSON.parse(out).events_per_s);
}
record('tandem: vqsim engine events/s', median(ours)!, 'events/s');
record('tandem: reference loop events/s', median(reference)!, 'events/s');
record('tandem: vqsim / reference', median(ours)! / median(reference)!, 'ratio');

// (b) the full model
function model(file: string, variant: string, label: string): void {
  const point = loadScenario(join(root, 'scenarios', file), { variants: [variant] }).points[0];
  const ios: number[] = [], events: number[] = [], simPerWall: number[] = [], evPerIo: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const cfg = point.config(0);
    const host = new Host(cfg);
    let result: ReturnType<Host['run']> | undefined;
    const wall = seconds(() => { result = host.run(); });
    const reaped = host.blk.loads.reduce((s, l) => s + l.reapedTotal, 0);
    ios.push(reaped / wall);
    events.push(result!.events / wall);
    evPerIo.push(result!.events / reaped);
    simPerWall.push((cfg.warmupNs + cfg.durationNs) / 1e9 / wall);
  }
  record(`${label}: guest I/Os per wall second`, median(ios)!, 'I/O/s');
  record(`${label}: events per wall second`, median(events)!, 'events/s');
  record(`${label}: events per I/O`, median(evPerIo)!, 'events');
  record(`${label}: simulated / wall time`, median(simPerWall)!, 'ratio');
}
model('iothread-pool.yaml', 'pool-4', 'iothread-pool (pool-4)');
model('iothread-pool.yaml', 'pool-8', 'iothread-pool (pool-8)');
model('million-iops.yaml', 'base', 'million-iops');
model('node-density.yaml', 'vms-16', 'node-density (16 VMs)');

// (b2) every shipped scenario, all its variants: where the next slow case is. Operations are guest
// I/Os and virtio-net buffers, counted over the window and scaled to the whole simulated time. The runs
// are deterministic, so only the wall time varies: its median over three passes (one pass varies by
// 20 % or more on a shared machine).
const PASSES = Math.min(REPS, 3);
const summary: Record<string, string>[] = [];
for (const file of readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort()) {
  let ops = 0, events = 0, sim = 0;
  const walls: number[] = [];
  for (let pass = 0; pass < PASSES; pass++) {
    let wall = 0;
    for (const point of loadScenario(join(root, 'scenarios', file)).points) {
      const cfg = point.config(0);
      const host = new Host(cfg);
      let result: ReturnType<Host['run']> | undefined;
      wall += seconds(() => { result = host.run(); });
      if (pass > 0) continue;
      const total = cfg.warmupNs + cfg.durationNs;
      const windowOps = result!.vms.reduce((s, v) => s + (v.blk?.ios ?? 0) + (v.net?.buffers ?? 0), 0);
      ops += (windowOps * total) / result!.windowNs;
      events += result!.events;
      sim += total / 1e9;
    }
    walls.push(wall);
  }
  const wall = median(walls)!;
  const name = file.replace(/\.yaml$/, '');
  record(`${name}: events per operation`, events / ops, 'events');
  record(`${name}: operations per wall second`, ops / wall, 'op/s');
  record(`${name}: simulated / wall time`, sim / wall, 'ratio');
  record(`${name}: events per wall second / reference loop's`, events / wall / median(reference)!, 'ratio');
  summary.push({
    scenario: name, events_per_op: (events / ops).toFixed(2), ops_per_wall_s: Math.round(ops / wall).toLocaleString('en-US'),
    sim_per_wall: (sim / wall).toFixed(3), reference_events_per_s: Math.round(median(reference)!).toLocaleString('en-US'),
    model_per_reference: (events / wall / median(reference)!).toFixed(3),
  });
}

// (c) peak RSS of a fresh process simulating a scenario's variant for some seconds
function peakRss(file: string, simSeconds: number, variant = ''): number {
  const r = spawnSync(process.execPath, [join(here, 'rss-probe.js'), join(root, 'scenarios', file), String(simSeconds), variant], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`rss probe failed: ${r.stderr}`);
  return Number(r.stdout.trim()) / 1024;
}
record('node-density (16 VMs): peak RSS, 1 s simulated', peakRss('node-density.yaml', 1, 'vms-16'), 'MiB');
const rss6 = peakRss('million-iops.yaml', 6), rss60 = peakRss('million-iops.yaml', 60);
record('million-iops: peak RSS, 6 s simulated', rss6, 'MiB');
record('million-iops: peak RSS, 60 s simulated', rss60, 'MiB');
record('million-iops: RSS 60 s / 6 s', rss60 / rss6, 'ratio');

// (d) a sweep on one and on two worker processes (skip with BENCH_SWEEP=0: it takes about a minute)
if (process.env.BENCH_SWEEP !== '0') {
  const sweep = (jobs: number) => {
    const out = mkdtempSync(join(tmpdir(), 'vqsim-bench-'));
    const wall = seconds(() => execFileSync(process.execPath, [join(here, '..', 'cli', 'main.js'), 'sweep', join(root, 'scenarios', 'iothread-pool.yaml'),
      '--set', 'disk.iothreads=1,2,4,8,16', '--replications', '5', '--jobs', String(jobs), '--out', out], { stdio: 'ignore' }));
    rmSync(out, { recursive: true });
    return wall;
  };
  const one = sweep(1), two = sweep(2);
  record('sweep iothread-pool 5x5: --jobs 1 wall time', one, 's');
  record('sweep iothread-pool 5x5: --jobs 2 wall time', two, 's');
  record('sweep iothread-pool 5x5: speed-up of --jobs 2', one / two, 'ratio');
  // vqsim check and a multi-variant run, as a user starts them (the CLI, outputs written).
  const cli = (args: string[]) => seconds(() => execFileSync(process.execPath, [join(here, '..', 'cli', 'main.js'), ...args], { stdio: 'ignore' }));
  const scratch = mkdtempSync(join(tmpdir(), 'vqsim-bench-'));
  for (const [label, args] of [
    ['vqsim check (26 scenarios)', ['check']],
    ['vqsim run kubevirt-supplemental-pool (10 variants)', ['run', join(root, 'scenarios', 'kubevirt-supplemental-pool.yaml'), '--out', scratch]],
  ] as const) {
    const j1 = cli([...args, '--jobs', '1']), j2 = cli([...args, '--jobs', '2']);
    record(`${label}: --jobs 1 wall time`, j1, 's');
    record(`${label}: --jobs 2 wall time`, j2, 's');
    record(`${label}: --jobs 2 / --jobs 1`, j2 / j1, 'ratio');
  }
  rmSync(scratch, { recursive: true });
}

console.log(`\nper scenario (every variant; operations are guest I/Os and virtio-net buffers):\n${textTable(summary, Object.keys(summary[0]))}`);

writeFilesAtomically(join(root, 'results'), {
  'bench.csv': stringify(rows.map((r) => [r.measure, r.value.toFixed(3), r.unit]), { header: true, columns: ['measure', 'value', 'unit'] }),
});
console.log(`(median of ${REPS}; node ${process.version}; written to results/bench.csv)`);
