import type { ModelConfig } from '../model/config.js';
import type { NetConfig } from '../model/net/config.js';
import type { NetResult } from '../model/net/result.js';
import type { ThreadUse } from '../model/host/cpu-account.js';
import type { HostResult, RunResult, VmResult } from '../model/result.js';
import { Histogram } from '../engine/histogram.js';
import { NET_SUMMARY_COLUMNS, summarizeNet } from './net-summary.js';
import { BACKEND_COLUMNS, FSYNC_COLUMNS, SUMMARY_COLUMNS, summarize, type Row } from './summary.js';

/** Columns of the VM's threads, in both kinds of summary. */
const SHARED = ['vcpu_busy_pct', 'vcpu_poll_pct', 'main_loop_busy_pct', 'host_cpus'] as const;
/** Network columns beside the disk ones in one row: latency columns get a net_ prefix. */
const NET_BESIDE = NET_SUMMARY_COLUMNS.filter((c) => c !== 'variant' && c !== 'poll_hit_pct' && !(SHARED as readonly string[]).includes(c));
const besideName = (c: string) => (c.startsWith('lat_') ? `net_${c}` : c);

/**
 * How a scenario's summaries are laid out, from all its points: `blk` or `net` for a single VM with
 * disks or a NIC only (the columns they always had), `both` for a single VM with both in some point,
 * `host` for the host form.
 */
export type Layout = 'blk' | 'net' | 'both' | 'host';

export function layoutOf(cfgs: ModelConfig[]): Layout {
  if (cfgs.some((c) => c.form === 'host')) return 'host';
  const vms = cfgs.flatMap((c) => c.vms);
  const disks = vms.some((vm) => vm.disks.length > 0), net = vms.some((vm) => vm.net);
  return disks && net ? 'both' : disks ? 'blk' : 'net';
}

/** The summary.csv columns: the single-VM form's as they always were; the host form's with the VM (or
 *  `host`), how many VMs the row pools, their spread, and disk and network columns. */
export function summaryColumns(layout: Layout, cfgs: ModelConfig[]): string[] {
  const net = NET_BESIDE.map(besideName);
  const vms = cfgs.flatMap((c) => c.vms);
  const disk = [
    ...SUMMARY_COLUMNS,
    ...(vms.some((vm) => vm.disks.some((d) => d.backend !== 'qemu')) ? BACKEND_COLUMNS : []),
    ...(vms.some((vm) => vm.jobs.some((j) => j.fsync > 0)) ? FSYNC_COLUMNS : []),
  ];
  switch (layout) {
    case 'blk': return [...disk];
    case 'net': return [...NET_SUMMARY_COLUMNS];
    case 'both': return [...disk, ...net];
    case 'host': {
      const blk = vms.some((vm) => vm.disks.length > 0) ? [...disk.slice(1), 'min_iops', 'max_iops', 'lat_p99_min_us', 'lat_p99_max_us'] : [];
      return ['variant', 'vm', 'vms', ...blk, ...(vms.some((vm) => vm.net) ? net : [])];
    }
  }
}

/** summary.csv rows of one run: the VM's in the single-VM form; per `vms` entry (its VMs pooled,
 *  rates per VM) and the host's totals in the host form. */
export function summaryRows(r: HostResult, cfg: ModelConfig, layout: Layout): Row[] {
  if (layout === 'net') return [summarizeNet(r.vms[0].net!, cfg.vms[0].net!)];
  if (cfg.form === 'vm') return [vmRow(r.vms[0], cfg.vms[0].net)];
  const groups = [...new Set(r.vms.map((v) => v.group))];
  const rows = groups.map((g) => pooledRow(r.vms.filter((v) => v.group === g), g, cfg, true));
  // The host's own threads (a vhost-user target's reactors) follow the VMs' in r.threads.
  const own = r.threads.slice(r.vms.reduce((n, v) => n + v.threads.length, 0));
  const host = pooledRow(r.vms, 'host', cfg, false, own);
  if (host.device_util_pct !== undefined) host.device_util_pct = r.devices.length ? (100 * r.devices.reduce((s, d) => s + d.util, 0)) / r.devices.length : 0;
  return [...rows, host];
}

/** The one row a sweep aggregates: the VM's, or the host's with each entry's columns as <vm>.<column>. */
export function sweepRow(rows: Row[], layout: Layout): Row {
  if (layout !== 'host') return rows[0];
  const out: Row = { variant: rows[0].variant };
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) {
      if (typeof v !== 'number') continue;
      out[row.vm === 'host' ? k : `${row.vm}.${k}`] = v;
    }
  }
  return out;
}

/** The latency curves of one run (latency.csv, the CDF chart). */
export function latencyCurves(r: HostResult, cfg: ModelConfig): { variant: string; vm?: string; latency: Histogram }[] {
  if (cfg.form === 'vm') {
    const vm = r.vms[0];
    return [{ variant: r.variant, latency: (vm.blk ?? vm.net!).latency }];
  }
  const groups = [...new Set(r.vms.map((v) => v.group))];
  return groups.flatMap((g) => {
    const vms = r.vms.filter((v) => v.group === g);
    const curves = [];
    if (vms[0].blk) curves.push({ variant: r.variant, vm: g, latency: pooled(vms.map((v) => v.blk!.latency)) });
    if (vms[0].net && cfg.vms.find((v) => v.group === g)!.net!.workload.mode === 'rr') {
      curves.push({ variant: r.variant, vm: `${g} net`, latency: pooled(vms.map((v) => v.net!.latency)) });
    }
    return curves;
  });
}

function pooled(hs: Histogram[]): Histogram {
  const h = new Histogram();
  for (const x of hs) h.add(x);
  return h;
}

/** A VM's row: its disk columns and its network columns side by side (each where it has the load). */
function vmRow(vm: VmResult, netCfg: NetConfig | null): Row {
  const row: Row = vm.blk ? summarize(vm.blk) : { variant: vm.net!.variant };
  if (vm.net) {
    const n = summarizeNet(vm.net, netCfg!);
    for (const c of NET_BESIDE) row[besideName(c)] = n[c];
    // The VM's threads, which the disk columns give when it has a disk.
    if (!vm.blk) for (const c of SHARED) row[c] = n[c];
  }
  return row;
}

/** VMs pooled: their I/Os and threads together; with `perVm`, rates and host CPUs per VM, and the
 *  spread of IOPS and p99 across the VMs. */
function pooledRow(vms: VmResult[], name: string, cfg: ModelConfig, perVm: boolean, own: ThreadUse[] = []): Row {
  const n = vms.length;
  const withBlk = vms.filter((v) => v.blk), withNet = vms.filter((v) => v.net);
  const blk = withBlk.length ? poolBlk(withBlk.map((v) => v.blk!), own) : null;
  const net = withNet.length ? poolNet(withNet.map((v) => v.net!)) : null;
  const netCfg = net ? cfg.vms.find((v) => v.name === withNet[0].name)!.net : null;
  const row = vmRow({ name, group: name, blk, net, threads: [] }, netCfg);
  const threads = [...vms.flatMap((v) => v.threads), ...own];
  row.host_cpus = threads.reduce((s, t) => s + t.busyNs + t.pollNs, 0) / (blk ?? net)!.windowNs;
  const scale = perVm ? 1 / n : 1;
  for (const c of ['iops', 'read_iops', 'write_iops', 'fsync_iops', 'bw_mib_s', 'host_cpus', 'gbit_s', 'pps', 'trans_s']) {
    if (typeof row[c] === 'number') row[c] = (row[c] as number) * scale;
  }
  const out: Row = { variant: row.variant, vm: name, vms: n, ...row };
  if (blk) {
    const each = withBlk.map((v) => summarize(v.blk!));
    out.min_iops = Math.min(...each.map((s) => s.iops));
    out.max_iops = Math.max(...each.map((s) => s.iops));
    // Over the VMs that completed I/O: one with none has no p99 (an empty cell, not 0).
    const p99 = each.map((s) => s.lat_p99_us).filter(Number.isFinite);
    out.lat_p99_min_us = p99.length ? Math.min(...p99) : NaN;
    out.lat_p99_max_us = p99.length ? Math.max(...p99) : NaN;
  }
  return out;
}

function poolBlk(rs: RunResult[], own: ThreadUse[]): RunResult {
  const sum = (f: (r: RunResult) => number) => rs.reduce((s, r) => s + f(r), 0);
  return {
    ...rs[0],
    ios: sum((r) => r.ios), reads: sum((r) => r.reads), bytes: sum((r) => r.bytes),
    latency: pooled(rs.map((r) => r.latency)),
    syncs: sum((r) => r.syncs), syncLatency: pooled(rs.map((r) => r.syncLatency)),
    threads: [...rs.flatMap((r) => r.threads), ...own],
    kicks: sum((r) => r.kicks), irqs: sum((r) => r.irqs),
    pollWindows: sum((r) => r.pollWindows), pollHits: sum((r) => r.pollHits),
    deviceUtil: rs.flatMap((r) => r.deviceUtil),
    meanOutstanding: sum((r) => r.meanOutstanding),
  };
}

function poolNet(rs: NetResult[]): NetResult {
  const sum = (f: (r: NetResult) => number) => rs.reduce((s, r) => s + f(r), 0);
  return {
    ...rs[0],
    bytes: sum((r) => r.bytes), buffers: sum((r) => r.buffers), transactions: sum((r) => r.transactions),
    latency: pooled(rs.map((r) => r.latency)),
    threads: rs.flatMap((r) => r.threads),
    kicks: sum((r) => r.kicks), irqs: sum((r) => r.irqs),
    pollWindows: sum((r) => r.pollWindows), pollHits: sum((r) => r.pollHits),
    meanOutstanding: sum((r) => r.meanOutstanding),
  };
}
