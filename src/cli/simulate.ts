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

/** The summary columns of a kind of run. */
export function summaryColumns(cfg: PointConfig): readonly string[] {
  return cfg.kind === 'net' ? NET_SUMMARY_COLUMNS : SUMMARY_COLUMNS;
}
