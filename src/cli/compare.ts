import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { readFileArg as read } from './args.js';
import { UsageError } from './errors.js';

/** One figure of one side: a value, and the 95 % CI half-width where replications give one. */
interface Figure { value: number; ci95?: number }
/** A side: its points (a variant, a VM of it, a sweep point, or a fio run), each with its figures. */
type Side = Map<string, Map<string, Figure>>;

export interface ComparedRow {
  point: string;
  metric: string;
  a: number;
  b: number;
  /** b / a. */
  ratio: number;
  /** yes / no from the replications' confidence intervals; n/a with one replication on both sides. */
  significant: 'yes' | 'no' | 'n/a';
}

/**
 * vqsim compare A B: each of A and B a run's result directory (summary.csv), a sweep's (sweep.csv,
 * with means and 95 % CIs) or a fio JSON output (fio --output-format=json, measured or vqsim's). Points
 * are paired by name; a side with one point (a fio run) pairs with the other side's only point, or the
 * one --point names. Metrics are those both sides have.
 */
export function compareCommand(a: string, b: string, point?: string): ComparedRow[] {
  const left = readSide(a), right = readSide(b);
  const pairs = pairPoints(left, right, point, a, b);
  const rows: ComparedRow[] = [];
  for (const [name, fa, fb] of pairs) {
    for (const [metric, x] of fa) {
      const y = fb.get(metric);
      if (!y || !Number.isFinite(x.value) || !Number.isFinite(y.value)) continue;
      rows.push({ point: name, metric, a: x.value, b: y.value, ratio: x.value !== 0 ? y.value / x.value : NaN, significant: significance(x, y) });
    }
  }
  if (rows.length === 0) throw new UsageError(`${a} and ${b} have no metric in common`);
  return rows;
}

/** Welch's test at 95 %, from the two CI half-widths (each t * s / sqrt(n)): different when the gap is
 *  wider than their root sum of squares. With a CI on one side only, that side's. */
function significance(x: Figure, y: Figure): ComparedRow['significant'] {
  const cx = x.ci95 !== undefined && Number.isFinite(x.ci95) ? x.ci95 : undefined;
  const cy = y.ci95 !== undefined && Number.isFinite(y.ci95) ? y.ci95 : undefined;
  if (cx === undefined && cy === undefined) return 'n/a';
  return Math.abs(x.value - y.value) > Math.hypot(cx ?? 0, cy ?? 0) ? 'yes' : 'no';
}

function pairPoints(left: Side, right: Side, point: string | undefined, a: string, b: string): [string, Map<string, Figure>, Map<string, Figure>][] {
  if (point !== undefined && !left.has(point) && !right.has(point)) {
    throw new UsageError(`--point ${point}: neither side has it (${a}: ${[...left.keys()].join(', ')}; ${b}: ${[...right.keys()].join(', ')})`);
  }
  const pick = (side: Side, from: string): [string, Map<string, Figure>] => {
    if (point !== undefined) {
      const f = side.get(point);
      if (!f) throw new UsageError(`--point ${point}: ${from} has no such point (it has: ${[...side.keys()].join(', ')})`);
      return [point, f];
    }
    if (side.size !== 1) throw new UsageError(`${from} has ${side.size} points (${[...side.keys()].join(', ')}): name one with --point`);
    return [...side][0];
  };
  if (left.size === 1 || right.size === 1) {
    const [ln, lf] = left.size === 1 ? [...left][0] : pick(left, a);
    const [rn, rf] = right.size === 1 ? [...right][0] : pick(right, b);
    return [[ln === rn ? ln : `${ln} / ${rn}`, lf, rf]];
  }
  const shared = [...left.keys()].filter((k) => right.has(k) && (point === undefined || k === point));
  if (shared.length === 0) throw new UsageError(`${a} and ${b} share no point (${[...left.keys()].join(', ')} vs ${[...right.keys()].join(', ')})`);
  return shared.map((k) => [k, left.get(k)!, right.get(k)!]);
}

function readSide(path: string): Side {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'sweep.csv'))) return sweepSide(read(join(path, 'sweep.csv'), 'CSV'));
    if (existsSync(join(path, 'summary.csv'))) return runSide(read(join(path, 'summary.csv'), 'CSV'));
    throw new UsageError(`${path}: neither a run's result directory (summary.csv) nor a sweep's (sweep.csv)`);
  }
  const text = read(path, 'fio JSON');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not a result directory nor a fio JSON file (${(e as Error).message.replace(/\s+/g, ' ')})`);
  }
  return fioSide(json, path);
}

function runSide(text: string): Side {
  const side: Side = new Map();
  for (const row of parse(text, { columns: true }) as Record<string, string>[]) {
    const key = row.vm ? `${row.variant} ${row.vm}` : row.variant;
    const figures = new Map<string, Figure>();
    for (const [k, v] of Object.entries(row)) if (k !== 'variant' && k !== 'vm' && v !== '' && !Number.isNaN(Number(v))) figures.set(k, { value: Number(v) });
    side.set(key, figures);
  }
  return side;
}

function sweepSide(text: string): Side {
  const side: Side = new Map();
  for (const row of parse(text, { columns: true }) as Record<string, string>[]) {
    const params = Object.keys(row).filter((k) => k.startsWith('parameter_')).map((k) => `${k.slice('parameter_'.length)}=${row[k]}`);
    const figures = new Map<string, Figure>();
    for (const k of Object.keys(row)) {
      if (!k.endsWith('_mean')) continue;
      const metric = k.slice(0, -'_mean'.length);
      figures.set(metric, { value: Number(row[k]), ci95: row[`${metric}_ci95`] === undefined ? undefined : Number(row[`${metric}_ci95`]) });
    }
    side.set([row.variant, ...params].join(' '), figures);
  }
  return side;
}

interface FioLat { mean: number; N: number; percentile?: Record<string, number>; bins?: Record<string, number> }
interface FioDir { iops: number; bw_bytes: number; total_ios: number; lat_ns: FioLat; clat_ns: FioLat }

/** A fio JSON output as one point with vqsim's metric names: IOPS and bandwidth summed over its jobs,
 *  the mean latency weighted by I/Os; percentiles from lat_ns where fio reported them (lat_percentiles),
 *  else from clat_ns (which leaves out slat, a microsecond or two), merged over the jobs' json+ bins,
 *  or taken from the one job and direction with I/O. */
export function fioSide(json: unknown, path: string): Side {
  const jobs = (json as { jobs?: Record<string, FioDir>[] }).jobs;
  if (!Array.isArray(jobs) || jobs.length === 0) throw new UsageError(`${path}: not fio JSON output (no "jobs")`);
  // fio writes numbers; a string or a missing figure would count as 0.
  jobs.forEach((j, i) => {
    for (const dir of ['read', 'write'] as const) {
      const d = j[dir];
      if (d === undefined) continue;
      for (const [field, v] of [['total_ios', d.total_ios], ['iops', d.iops], ['bw_bytes', d.bw_bytes], ['lat_ns.mean', d.total_ios > 0 ? d.lat_ns?.mean : 0]] as const) {
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new UsageError(`${path}: jobs[${i}].${dir}.${field} is ${JSON.stringify(v)}, not a number fio writes`);
      }
      if (d.total_ios > 0 && (typeof d.clat_ns !== 'object' || d.clat_ns === null)) throw new UsageError(`${path}: jobs[${i}].${dir}.clat_ns is missing`);
    }
  });
  const dirs = jobs.flatMap((j) => [j.read, j.write].filter((d) => d && d.total_ios > 0));
  const ios = dirs.reduce((s, d) => s + d.total_ios, 0);
  const figures = new Map<string, Figure>([
    ['iops', { value: dirs.reduce((s, d) => s + d.iops, 0) }],
    ['read_iops', { value: jobs.reduce((s, j) => s + (j.read?.iops ?? 0), 0) }],
    ['write_iops', { value: jobs.reduce((s, j) => s + (j.write?.iops ?? 0), 0) }],
    ['bw_mib_s', { value: dirs.reduce((s, d) => s + d.bw_bytes, 0) / 2 ** 20 }],
    ['lat_mean_us', { value: ios > 0 ? dirs.reduce((s, d) => s + d.lat_ns.mean * d.total_ios, 0) / ios / 1e3 : NaN }],
  ]);
  const lats = dirs.map((d) => (d.lat_ns.percentile ? d.lat_ns : d.clat_ns));
  const quantile = percentileSource(lats);
  if (quantile) {
    for (const [metric, p] of [['lat_p50_us', 50], ['lat_p90_us', 90], ['lat_p99_us', 99], ['lat_p99_9_us', 99.9]] as const) {
      const v = quantile(p);
      if (v !== undefined) figures.set(metric, { value: v / 1e3 });
    }
  }
  return new Map([['fio', figures]]);
}

function percentileSource(lats: FioLat[]): ((p: number) => number | undefined) | undefined {
  if (lats.length === 1 && lats[0].percentile) return (p) => lats[0].percentile![p.toFixed(6)];
  if (lats.length === 0 || !lats.every((l) => l.bins)) return undefined;
  const bins = lats.flatMap((l) => Object.entries(l.bins!).map(([ns, n]) => [Number(ns), n] as const)).sort((x, y) => x[0] - y[0]);
  const total = bins.reduce((s, [, n]) => s + n, 0);
  return (p) => {
    const rank = Math.ceil((p / 100) * total);
    let seen = 0;
    return bins.find(([, n]) => (seen += n) >= rank)?.[0];
  };
}

/** The rows as a Markdown table (a terminal shows it as is; it pastes into an issue). */
export function compareMarkdown(rows: ComparedRow[], a: string, b: string): string {
  const fmt = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 1000 ? x.toFixed(0) : x.toPrecision(4)) : '-');
  return [
    `| point | metric | A | B | B/A | significant |`,
    '|---|---|---:|---:|---:|---|',
    ...rows.map((r) => `| ${r.point} | ${r.metric} | ${fmt(r.a)} | ${fmt(r.b)} | ${Number.isFinite(r.ratio) ? r.ratio.toFixed(3) : '-'} | ${r.significant} |`),
    '',
    `A: ${a}`,
    `B: ${b}`,
  ].join('\n');
}
