import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHART_METRICS, sweepChart } from '../output/charts.js';
import { aggregate, sweepCsv, sweepMetrics, type PointResult } from '../output/sweep-csv.js';
import { readManifest, readPoints, writeManifest, writePoint, type SweepManifest } from '../output/sweep-store.js';
import { writeFilesAtomically } from '../output/write.js';
import { ScenarioError } from '../scenario/errors.js';
import { loadScenario, scenarioFromText } from '../scenario/load.js';
import { expandSweep, formatValue, sweepAxes, type SweepPoint } from '../scenario/sweep.js';
import type { Row } from '../stats/summary.js';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { layoutOf, type Layout } from '../stats/host-summary.js';
import { Interrupted, simulatePoint } from '../run/simulate.js';
import type { Shard } from './shard.js';
import { inWorkers, serveUnits } from './workers.js';

/** What an interrupted sweep leaves. */
const RESUME = 'the finished points are kept: the same command resumes';

/** What defines a sweep; also what a worker process is handed. */
export interface SweepSpec {
  file: string;
  /** The scenario's text as the parent read it: workers never re-read a file edited meanwhile. */
  text?: string;
  sets: string[];
  variants: string[];
  replications?: number;
  seed?: number;
  out?: string;
}

export interface Progress {
  done: number;
  total: number;
}

interface Plan {
  dir: string;
  /** The scenario's text, read once. */
  text: string;
  manifest: SweepManifest;
  points: SweepPoint[];
  replications: number;
  /** How every point's summary is laid out (the same columns for all). */
  layout: Layout;
}

function plan(spec: SweepSpec): Plan {
  const s = spec.text === undefined ? loadScenario(spec.file, { seed: spec.seed }) : scenarioFromText(spec.file, spec.text, { seed: spec.seed });
  const known = s.points.map((x) => x.variant);
  const unknown = spec.variants.find((v) => !known.includes(v));
  if (unknown !== undefined) throw new ScenarioError(spec.file, [], undefined, `no variant named "${unknown}" (variants: ${known.join(', ')})`);
  const axes = sweepAxes(s, spec.sets);
  const points = expandSweep(s, axes, spec.variants);
  const replications = spec.replications ?? s.sweep?.replications ?? 1;
  if (!Number.isInteger(replications) || replications < 1) throw new ScenarioError(spec.file, [], undefined, '--replications must be a whole number >= 1');
  const id = sweepId({
    text: s.text, axes: axes.map((a) => [a.path, a.values]), variants: spec.variants, replications, seed: s.seed,
    configs: points.map((x) => x.point.config(0)),
  });
  return {
    dir: spec.out ?? join('results', s.slug, 'sweep'),
    text: s.text,
    manifest: { id, name: s.name, axes: axes.map((a) => a.path), points: points.length, replications },
    points,
    replications,
    layout: layoutOf(points.map((x) => x.point.config(0))),
  };
}

/** The model's code (this build's engine and model modules): a point saved by another build is not reused. */
function modelCode(): string {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const h = createHash('sha256');
  for (const part of ['engine', 'model']) {
    const files = readdirSync(join(root, part), { recursive: true, encoding: 'utf8' }).filter((f) => /\.[jt]s$/.test(f)).sort();
    for (const f of files) h.update(f).update(readFileSync(join(root, part, f)));
  }
  return h.digest('hex');
}

/**
 * What a finished point is saved under, so that a rerun resumes only the same sweep: the file, the axes
 * and seeds, and also every point's resolved model input (the defaults, presets and versions the file
 * leaves implicit) and the model's code, which change when vqsim is upgraded or refitted.
 */
export function sweepId(what: object, code = modelCode()): string {
  return createHash('sha256').update(JSON.stringify({ ...what, code })).digest('hex').slice(0, 16);
}

/** One replication of one point: the unit of work handed to a worker. */
interface Unit {
  index: number;
  replication: number;
}

function runUnit(p: Plan, u: Unit): Row {
  return simulatePoint(p.points[u.index].point.config(u.replication), p.layout).summary;
}

/** The worker side: takes the sweep's spec, then runs the replications the parent sends. */
export function sweepWorker(): void {
  serveUnits((spec: SweepSpec) => {
    const p = plan(spec);
    return (u: Unit) => runUnit(p, u);
  });
}

/**
 * vqsim sweep: runs the points of this shard that are not already done (resume), in `jobs` processes,
 * then, when every point is there, writes sweep.csv and one chart per metric. Output bytes do not
 * depend on jobs, shards or the order in which points finish.
 */
export async function sweepCommand(
  spec: SweepSpec & { jobs: number; shard?: Shard },
  onProgress: (p: Progress) => void,
  stop: () => NodeJS.Signals | undefined = () => undefined,
  onSetAside?: (file: string) => void,
): Promise<{ dir: string; written: string[]; missing: number }> {
  const p = plan(spec);
  // Another sweep's directory (another scenario or other axes) is not overwritten; the same sweep on a
  // changed model or file resumes nothing and replaces it.
  const there = readManifest(p.dir);
  if (there && there.id !== p.manifest.id && (there.name !== p.manifest.name || JSON.stringify(there.axes) !== JSON.stringify(p.manifest.axes))) {
    throw new ScenarioError(spec.file, [], undefined, `--out ${p.dir} holds another sweep (${there.name}, axes ${there.axes.join(', ') || 'none'}): give another --out, or remove it`);
  }
  writeManifest(p.dir, p.manifest);
  const done = readPoints(p.dir, p.manifest.id, (f) => onSetAside?.(f));
  const mine = p.points.filter((x) => !spec.shard || x.index % spec.shard.n === spec.shard.k).map((x) => x.index);
  const todo = mine.filter((i) => !done.has(i));
  const progress = { done: mine.length - todo.length, total: mine.length };
  onProgress(progress);
  // A point is written once all its replications are in, whatever order they finish in.
  const pending = new Map<number, Row[]>(todo.map((i) => [i, new Array<Row>(p.replications)]));
  const left = new Map<number, number>(todo.map((i) => [i, p.replications]));
  const collect = (u: Unit, summary: Row) => {
    pending.get(u.index)![u.replication] = summary;
    const n = left.get(u.index)! - 1;
    left.set(u.index, n);
    if (n > 0) return;
    const point = p.points[u.index];
    writePoint(p.dir, p.manifest.id, { index: u.index, variant: point.variant, values: point.values.map(formatValue), replications: pending.get(u.index)! });
    pending.delete(u.index);
    progress.done++;
    onProgress(progress);
  };
  const units = todo.flatMap((index) => Array.from({ length: p.replications }, (_, replication) => ({ index, replication })));
  if (spec.jobs > 1 && units.length > 1) {
    // Replications handed out one at a time: slow points (many iothreads, high IOPS) leave no worker idle.
    await inWorkers('sweep', { ...spec, out: p.dir, text: p.text }, units, spec.jobs, collect, stop, RESUME);
  } else {
    for (const u of units) {
      collect(u, runUnit(p, u));
      // Finished points are on disk; a signal stops here, and a rerun resumes.
      await yieldToLoop();
      const signal = stop();
      if (signal) throw new Interrupted(signal, RESUME);
    }
  }
  return finish(p.dir, p.manifest, [p.dir]);
}

/** Writes sweep.csv (and charts) into `out` once the points of `dirs` cover the whole sweep. */
export async function finish(out: string, m: SweepManifest, dirs: string[]): Promise<{ dir: string; written: string[]; missing: number }> {
  const all = new Map<number, PointResult>();
  for (const d of dirs) for (const [i, r] of readPoints(d, m.id)) all.set(i, r);
  const missing = m.points - all.size;
  if (missing > 0) return { dir: out, written: [], missing };
  const metrics = sweepMetrics(all.get(0)!);
  const points = Array.from({ length: m.points }, (_, i) => aggregate(all.get(i)!, metrics));
  const files: Record<string, string> = { 'sweep.csv': sweepCsv(m.axes, metrics, points) };
  for (const metric of CHART_METRICS.filter((c) => metrics.includes(c))) files[`${metric}.svg`] = await sweepChart(m.axes, points, metric);
  const written = writeFilesAtomically(out, files);
  return { dir: out, written, missing: 0 };
}

/** vqsim merge: shard directories of one sweep -> the bytes a single run would have written. */
export async function mergeCommand(dirs: string[], out: string | undefined): Promise<{ dir: string; written: string[]; missing: number }> {
  const manifests = dirs.map((d) => {
    const m = readManifest(d);
    if (!m) throw new ScenarioError(d, [], undefined, 'not a sweep directory (no sweep.json)');
    return m;
  });
  const ids = new Set(manifests.map((m) => m.id));
  if (ids.size > 1) throw new ScenarioError(dirs.join(' '), [], undefined, `these directories hold different sweeps (${[...ids].join(', ')})`);
  const target = out ?? dirs[0];
  const r = await finish(target, manifests[0], dirs);
  if (r.missing === 0 && out) writeManifest(out, manifests[0]);
  if (r.missing > 0) throw new ScenarioError(dirs.map((d) => basename(d)).join(' '), [], undefined, `${r.missing} of ${manifests[0].points} points are missing: run the remaining shards first`);
  return r;
}
