import { mapStep } from './least-squares.js';

/** What a fio run shows of the host and the device: its IOPS, and the CPU its jobs spent per I/O
 *  (usr_cpu + sys_cpu over job_runtime), where fio measured any. */
export interface FioFigures {
  iops: number;
  cpuPerIoNs: number | undefined;
}

interface FioJobCpu { job_runtime?: number; usr_cpu?: number; sys_cpu?: number; read?: { total_ios?: number }; write?: { total_ios?: number } }

/** The CPU per I/O of a fio JSON's jobs: undefined where fio reports none. */
export function cpuPerIo(jobs: FioJobCpu[]): number | undefined {
  let cpuNs = 0, ios = 0;
  for (const j of jobs) {
    cpuNs += (((j.usr_cpu ?? 0) + (j.sys_cpu ?? 0)) / 100) * (j.job_runtime ?? 0) * 1e6;
    ios += (j.read?.total_ios ?? 0) + (j.write?.total_ios ?? 0);
  }
  return cpuNs > 0 && ios > 0 ? cpuNs / ios : undefined;
}

/** host.cpu_speed's bounds (the scenario schema's). */
export const SPEED_BOUNDS = [0.25, 4] as const;
/** The device's service-time factor's: a drive 4 times slower or faster than the one named is another. */
export const DEVICE_BOUNDS = [0.25, 4] as const;

/** A run at a trial host speed and device service-time factor, as fio would report it. */
export type TrialRun = (speed: number, deviceScale: number) => FioFigures;

export interface AgainstFit {
  speed: number;
  /** The device's service-time factor; undefined where the run does not show it. */
  deviceScale: number | undefined;
  /** Why the device's service time was not fitted, where it was not. */
  deviceKept?: string;
  before: FioFigures;
  after: FioFigures;
  /** Why the scenario does not describe the run (a fitted value at its bound, IOPS still off). */
  unfit: string | undefined;
}

/** Sensitivity of log IOPS to the log device factor below which the run does not show the device. */
const SHOWS_DEVICE = 0.05;
/** IOPS is what fio measures best; its CPU per I/O counts fio's own user time and the guest's
 *  accounting, which vary more: weights of 1/0.05^2 and 1/0.2^2. */
const WEIGHTS = [400, 25];
/** A fit whose IOPS still miss by more than 10 %, or its CPU per I/O by more than half, did not find the
 *  run in the scenario. */
const MISFIT = [Math.log(1.1), Math.log(1.5)];
const STEP = Math.log(1.1);

const residuals = (m: FioFigures, f: FioFigures): number[] =>
  [Math.log(f.iops / m.iops), ...(m.cpuPerIoNs !== undefined && f.cpuPerIoNs !== undefined ? [Math.log(f.cpuPerIoNs / m.cpuPerIoNs)] : [])];

/**
 * Fits the host speed (and the device's service times, where the run shows them) that make the
 * scenario's run give the measured fio figures: Gauss-Newton on log IOPS and log CPU per I/O. The
 * speed divides the guest's and the host's CPU costs, so fio's CPU per I/O pins it; the device's
 * factor then moves IOPS where the device is on the path (a low depth, a saturated drive) and is left
 * at 1 where it is not (a CPU-bound run), where fio measured no CPU (one figure, two unknowns), or
 * where `deviceFixed` says why it cannot be.
 */
export function fitAgainst(run: TrialRun, measured: FioFigures, deviceFixed?: string, iterations = 8): AgainstFit {
  const before = run(1, 1);
  const shown = () => {
    const base = residuals(measured, before), dev = residuals(measured, run(1, Math.exp(STEP)));
    return Math.abs((dev[0] - base[0]) / STEP) >= SHOWS_DEVICE;
  };
  const deviceKept = deviceFixed
    ?? (measured.cpuPerIoNs === undefined || before.cpuPerIoNs === undefined ? 'fio reported no CPU use, so IOPS alone cannot tell the host from the device' : undefined)
    ?? (shown() ? undefined : 'the run\'s IOPS do not depend on the device (its CPU is the bound)');
  const fitDevice = deviceKept === undefined;
  const lo = [Math.log(SPEED_BOUNDS[0]), ...(fitDevice ? [Math.log(DEVICE_BOUNDS[0])] : [])];
  const hi = [Math.log(SPEED_BOUNDS[1]), ...(fitDevice ? [Math.log(DEVICE_BOUNDS[1])] : [])];
  const at = (theta: number[]) => run(Math.exp(theta[0]), fitDevice ? Math.exp(theta[1]) : 1);
  let theta = lo.map(() => 0);
  let figures = before;
  for (let it = 0; it < iterations; it++) {
    const r = residuals(measured, figures);
    const J = r.map(() => theta.map(() => 0));
    theta.forEach((_, j) => {
      const t = [...theta];
      t[j] += STEP;
      const rj = residuals(measured, at(t));
      r.forEach((ri, i) => { J[i][j] = (rj[i] - ri) / STEP; });
    });
    // No prior to speak of: the measured run decides, within the bounds.
    const d = mapStep(J, r, WEIGHTS.slice(0, r.length), r.map(() => true), theta, theta.map(() => 0), theta.map(() => 1e3), lo, hi);
    theta = theta.map((t, j) => t + d[j]);
    figures = at(theta);
    if (d.every((x) => Math.abs(x) < 1e-3)) break;
  }
  const speed = Math.exp(theta[0]);
  const deviceScale = fitDevice ? Math.exp(theta[1]) : undefined;
  const bound = theta.findIndex((t, j) => Math.abs(t - lo[j]) < 1e-9 || Math.abs(t - hi[j]) < 1e-9);
  const miss = residuals(measured, figures).findIndex((r, i) => Math.abs(r) > MISFIT[i]);
  return {
    speed, deviceScale, deviceKept, before, after: figures,
    unfit: bound >= 0 ? (bound === 0 ? `host.cpu_speed reached its bound (${SPEED_BOUNDS.join('-')})` : `the device's service times reached ${DEVICE_BOUNDS.join('-')} times the scenario's`)
      : miss === 0 ? 'no host speed brings its IOPS within 10 %'
        : miss === 1 ? `its CPU per I/O stays ${(figures.cpuPerIoNs! / measured.cpuPerIoNs!).toFixed(2)} times fio's` : undefined,
  };
}
