import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { NetResult } from '../model/net/result.js';
import { NetVm } from '../model/net/net-vm.js';
import type { RunResult } from '../model/result.js';
import { Vm } from '../model/vm.js';
import type { PointConfig } from '../scenario/load.js';
import { NET_SUMMARY_COLUMNS, summarizeNet } from '../stats/net-summary.js';
import { SUMMARY_COLUMNS, summarize, type Row } from '../stats/summary.js';

export interface PointRun {
  result: RunResult | NetResult;
  summary: Row;
}

/** One replication of one point, virtio-blk or virtio-net, and its summary row. */
export function simulatePoint(cfg: PointConfig): PointRun {
  if (cfg.kind === 'net') {
    const result = new NetVm(cfg).run();
    return { result, summary: summarizeNet(result, cfg) };
  }
  const result = new Vm(cfg).run();
  return { result, summary: summarize(result) };
}

/** A run was stopped by a signal before it finished. */
export class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals, readonly left = 'nothing written for this run') {
    super(`interrupted by ${signal}; ${left}`);
  }
}

export interface RunHooks {
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
export async function simulatePointAsync(cfg: PointConfig, hooks: RunHooks): Promise<PointRun> {
  const vm = cfg.kind === 'net' ? new NetVm(cfg) : new Vm(cfg);
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
  if (vm instanceof NetVm) {
    const result = vm.finish();
    return { result, summary: summarizeNet(result, vm.config) };
  }
  const result = vm.finish();
  return { result, summary: summarize(result) };
}

/** The summary columns of a kind of run. */
export function summaryColumns(cfg: PointConfig): readonly string[] {
  return cfg.kind === 'net' ? NET_SUMMARY_COLUMNS : SUMMARY_COLUMNS;
}
