import type { ModelConfig } from '../model/config.js';

/** A job's own timing options, fio's names (all optional: a job without them runs for the whole run). */
export interface PhaseInput {
  name: string;
  startdelay?: number;
  runtime?: number;
  ramp_time?: number;
  stonewall?: boolean;
  wait_for?: string;
}

/** When a job runs, in simulated ns: it starts issuing, its ramp ends (fio's ramp_time: its
 *  statistics start), and its runtime ends (it stops issuing). */
export interface JobTiming {
  startNs: number;
  measureNs: number;
  stopNs: number;
}

export const hasPhases = (j: PhaseInput) =>
  j.startdelay !== undefined || j.runtime !== undefined || j.ramp_time !== undefined || j.stonewall === true || j.wait_for !== undefined;

/**
 * The jobs' timings as fio runs them (backend.c run_threads): jobs start together, each after its
 * startdelay; a stonewall job waits for every job before it to end, and the jobs after it start with
 * it; a wait_for job starts when the named one ends. Runs are time-based: a job ends its ramp_time
 * plus its runtime after it starts (the scenario's warmup and duration unless it gives its own).
 * `fail(i, key, reason)` reports a job's bad option.
 */
export function jobTimings(jobs: readonly PhaseInput[], warmupNs: number, durationNs: number, fail: (i: number, key: string, reason: string) => Error): JobTiming[] {
  const out: JobTiming[] = [];
  let phaseStart = 0;
  jobs.forEach((j, i) => {
    if (j.stonewall && i > 0) phaseStart = Math.max(...out.map((t) => t.stopNs));
    let start = phaseStart;
    if (j.wait_for !== undefined) {
      const k = jobs.findIndex((o) => o.name === j.wait_for);
      if (k < 0 || k >= i) throw fail(i, 'wait_for', `no job named "${j.wait_for}" before this one (fio starts a job when the one it waits for exits)`);
      start = out[k].stopNs;
    }
    start += j.startdelay ?? 0;
    const measureNs = start + (j.ramp_time ?? warmupNs);
    const runtime = j.runtime ?? durationNs;
    if (runtime <= 0) throw fail(i, 'runtime', 'must be longer than 0');
    out.push({ startNs: start, measureNs, stopNs: measureNs + runtime });
  });
  return out;
}

/**
 * The run's window once jobs have phases: from the first job's ramp end to the last job's end (the
 * host's and the VMs' figures cover it; each job's own cover its own window). In a run whose jobs all
 * span the scenario's warmup and duration, they run whatever the window (phase null).
 */
export function withJobPhases(cfg: ModelConfig): ModelConfig {
  const phases = cfg.vms.flatMap((vm) => vm.jobs.map((j) => j.phase!));
  if (phases.every((p) => p.startNs === 0 && p.measureNs === cfg.warmupNs && p.stopNs === cfg.warmupNs + cfg.durationNs)) {
    return { ...cfg, vms: cfg.vms.map((vm) => ({ ...vm, jobs: vm.jobs.map((j) => ({ ...j, phase: null })) })) };
  }
  const warmupNs = Math.min(...phases.map((p) => p.measureNs));
  return { ...cfg, warmupNs, durationNs: Math.max(...phases.map((p) => p.stopNs)) - warmupNs };
}
