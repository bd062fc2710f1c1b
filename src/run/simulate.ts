import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { ModelConfig } from '../model/config.js';
import { Host } from '../model/host.js';
import type { HostResult } from '../model/result.js';
import type { Histogram } from '../engine/histogram.js';
import { latencyCurves, layoutOf, summaryRows, sweepRow, type Layout } from '../stats/host-summary.js';
import type { Row } from '../stats/summary.js';

export interface PointRun {
  result: HostResult;
  config: ModelConfig;
  /** Its summary.csv rows, and the one row a sweep aggregates. */
  rows: Row[];
  summary: Row;
  /** Its latency curves (latency.csv, the CDF chart). */
  latencies: { variant: string; vm?: string; latency: Histogram }[];
}

function pointRun(result: HostResult, cfg: ModelConfig, layout: Layout): PointRun {
  const rows = summaryRows(result, cfg, layout);
  return { result, config: cfg, rows, summary: sweepRow(rows, layout), latencies: latencyCurves(result, cfg) };
}

/** One replication of one point, and its summaries laid out for its scenario (by default, for it alone). */
export function simulatePoint(cfg: ModelConfig, layout: Layout = layoutOf([cfg])): PointRun {
  return pointRun(new Host(cfg).run(), cfg, layout);
}

/** A run was stopped by a signal before it finished. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals, readonly left = 'nothing written for this run') {
    super(`interrupted by ${signal}; ${left}`);
  }
}

export interface RunHooks {
  layout: Layout;
  /** Simulated fraction of this point done, 0..1. */
  onProgress?(fraction: number): void;
  /** Set when a signal asks the run to stop. */
  stop?(): NodeJS.Signals | undefined;
}

/** Wall time of one slice: short enough that a signal or a progress bar is served promptly. */
const SLICE_MS = 100;

/**
 * As simulatePoint, in slices of simulated time with the event loop served between them, so that a
 * progress bar moves and a signal is heard. The events, and so the results, are those of one go.
 */
export async function simulatePointAsync(cfg: ModelConfig, hooks: RunHooks): Promise<PointRun> {
  const vm = new Host(cfg);
  vm.start();
  const end = vm.endNs;
  let at = 0, step = Math.min(end, 1e6);
  while (at < end) {
    const t0 = performance.now();
    at = Math.min(end, at + step);
    vm.advance(at);
    const wall = performance.now() - t0;
    step = wall > 0 ? Math.max(1e3, Math.min(step * 4, (step * SLICE_MS) / wall)) : step * 4;
    hooks.onProgress?.(at / end);
    await yieldToLoop();
    const signal = hooks.stop?.();
    if (signal) throw new Interrupted(signal);
  }
  return pointRun(vm.finish(), cfg, hooks.layout);
}
