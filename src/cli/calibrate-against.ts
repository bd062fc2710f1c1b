import { existsSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { parse } from 'yaml';
import { cpuPerIo, fitAgainst, type FioFigures } from '../calibration/against.js';
import type { DistSpec } from '../engine/distribution.js';
import { fioReport } from '../output/fio-json.js';
import { writeFilesAtomically } from '../output/write.js';
import { simulatePoint } from '../run/simulate.js';
import { setField } from '../scenario/edit.js';
import { loadScenario } from '../scenario/load.js';
import { layoutOf } from '../stats/host-summary.js';
import { readFileArg } from './args.js';
import { fioSide } from './compare.js';
import { UsageError } from './errors.js';

export interface AgainstOptions {
  against: string;
  scenario: string;
  variant?: string;
  out?: string;
  force: boolean;
}

/** IOPS and CPU per I/O of a fio JSON document, read as `vqsim compare` reads it. */
function figuresOf(json: unknown, path: string): FioFigures {
  const iops = fioSide(json, path).get('fio')!.get('iops')!.value;
  return { iops, cpuPerIoNs: cpuPerIo((json as { jobs: Parameters<typeof cpuPerIo>[0] }).jobs) };
}

/** Whether any of a fio JSON's jobs did I/O in that direction. */
const ran = (json: unknown, dir: 'read' | 'write') =>
  (json as { jobs: { read?: { total_ios?: number }; write?: { total_ios?: number } }[] }).jobs.some((j) => (j[dir]?.total_ios ?? 0) > 0);

const us = (ns: number) => `${Number((ns / 1e3).toFixed(3))}us`;

/** A device's service time in the scenario's units. */
function written(d: DistSpec): Record<string, unknown> {
  switch (d.dist) {
    case 'constant': return { dist: d.dist, value: us(d.value) };
    case 'exponential': return { dist: d.dist, mean: us(d.mean) };
    case 'uniform': return { dist: d.dist, min: us(d.min), max: us(d.max) };
    case 'lognormal': return { dist: d.dist, mean: us(d.mean), p99: us(d.p99) };
    case 'empirical': return { dist: d.dist, quantiles: d.quantiles.map(([q, v]) => [q, us(v)]) };
  }
}

/** Where the scenario names its one device, or why the device's times cannot be written back. */
function devicePath(raw: Record<string, unknown>): { path: (string | number)[]; spec: unknown } | string {
  const disks = raw.disk ? [['disk'], raw.disk] : Array.isArray(raw.disks) && raw.disks.length === 1 ? [['disks', 0], raw.disks[0]] : undefined;
  if (!disks) return 'the scenario has more than one disk, or the host form';
  const [at, disk] = disks as [(string | number)[], { device?: unknown }];
  const named = raw.devices as Record<string, unknown> | undefined;
  if (typeof disk.device === 'string' && named?.[disk.device] !== undefined) return { path: ['devices', disk.device], spec: named[disk.device] };
  return { path: [...at, 'device'], spec: disk.device ?? 'nvme-tlc' };
}

/**
 * vqsim calibrate --against FIO.json --scenario S: the host speed (and, where the run shows it, the
 * device's service times) that make S's run give the IOPS and CPU per I/O of the user's own fio
 * JSON, written as a copy of S to run on that host.
 */
export function calibrateAgainstCommand(o: AgainstOptions, log: (line: string) => void): void {
  const text = readFileArg(o.against, 'fio JSON');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${o.against}: not fio JSON output (${(e as Error).message.replace(/\s+/g, ' ')})`);
  }
  const measured = figuresOf(json, o.against);
  const out = o.out ?? `${basename(o.scenario, extname(o.scenario))}-fitted.yaml`;
  if (existsSync(out) && !o.force) throw new UsageError(`--out ${out} exists: give another path, or --force to replace it`);
  const first = loadScenario(o.scenario);
  if (o.variant !== undefined && !first.points.some((p) => p.variant === o.variant)) {
    throw new UsageError(`--variant ${o.variant}: ${o.scenario} has ${first.points.map((p) => p.variant).join(', ')}`);
  }
  const source = readFileArg(o.scenario, 'scenario');
  const raw = parse(source) as Record<string, unknown>;
  const device = devicePath(raw);
  let lastDevices: DistSpec[][] = [];
  const run = (speed: number, deviceScale: number): FioFigures => {
    const s = loadScenario(o.scenario, { cpuSpeed: speed, deviceTimeScale: deviceScale });
    const point = o.variant === undefined ? s.point(null, [], 'base') : s.points.find((p) => p.variant === o.variant)!;
    const cfg = point.config(0);
    lastDevices = cfg.devices.map((d) => [d.read, d.write]);
    return figuresOf(fioReport(simulatePoint(cfg, layoutOf([cfg])).result, cfg, s, 'json'), o.scenario);
  };
  const fit = fitAgainst(run, measured, typeof device === 'string' ? device : undefined);
  if (fit.unfit) {
    throw new UsageError(`${o.against} against ${o.scenario}: ${fit.unfit} (vqsim ${Math.round(fit.after.iops)} IOPS where fio measured ${Math.round(measured.iops)}): `
      + 'the scenario does not describe the run (compare its jobs, iodepth, engine and device with fio\'s)');
  }
  const speed = Number(fit.speed.toFixed(3));
  let fitted = setField(source, ['host', 'cpu_speed'], speed);
  if (fit.deviceScale !== undefined && typeof device !== 'string') {
    // Only the directions fio ran tell anything of the device's times.
    const times = Object.fromEntries((['read', 'write'] as const).flatMap((dir, i) => (ran(json, dir) ? [[dir, written(lastDevices[0][i])]] : [])));
    const preset = typeof device.spec === 'string' ? device.spec : undefined;
    fitted = preset !== undefined
      ? setField(fitted, device.path, { preset, ...times })
      : Object.entries(times).reduce((t, [dir, d]) => setField(t, [...device.path, dir], d), fitted);
  }
  const header = `# vqsim calibrate --against ${basename(o.against)} --scenario ${basename(o.scenario)}${o.variant ? ` --variant ${o.variant}` : ''}: `
    + `this host's speed against the calibration's reference machine${fit.deviceScale !== undefined ? ', and its device\'s service times' : ''}.\n`;
  writeFilesAtomically(dirname(resolve(out)), { [basename(out)]: header + fitted });
  const cpu = (f: FioFigures) => (f.cpuPerIoNs === undefined ? '-' : `${(f.cpuPerIoNs / 1e3).toFixed(2)} us`);
  log(`fio (${o.against}): ${Math.round(measured.iops).toLocaleString('en-US')} IOPS, CPU per I/O ${cpu(measured)}`);
  log(`vqsim at the reference machine: ${Math.round(fit.before.iops).toLocaleString('en-US')} IOPS, CPU per I/O ${cpu(fit.before)}`);
  log(`vqsim fitted: ${Math.round(fit.after.iops).toLocaleString('en-US')} IOPS, CPU per I/O ${cpu(fit.after)}`);
  log(`host.cpu_speed ${speed}${fit.deviceScale !== undefined ? `; the device's service times x ${fit.deviceScale.toFixed(3)}` : `; the device as the scenario has it (${fit.deviceKept})`}`);
  log(`wrote ${out}: vqsim run ${out}`);
}
