import { compareSettings, settingLabel, type Setting } from '../scenario/advise/space.js';
import { meanCi95 } from './confidence.js';
import { GOAL_METRIC, knee, type Estimate, type Goal } from './knee.js';
import type { Row } from './summary.js';

/** The figures advise reports per setting, from its replications' summaries. */
export const ADVICE_METRICS = ['iops', 'lat_p99_us', 'host_cpus', 'iops_per_host_cpu', 'device_util_pct', 'iothread_busy_max_pct', 'main_loop_busy_pct', 'vcpu_busy_pct', 'host_core_util_pct'] as const;
export type AdviceMetric = typeof ADVICE_METRICS[number];

export interface Option {
  name: string;
  label: string;
  setting: Setting;
  /** The host cores the VM's threads share at this setting (null: a core each): on KubeVirt the pod's
   *  CPU request follows the pool. */
  cores: number | null;
  figures: Record<AdviceMetric, Estimate>;
}

export interface Advice {
  goal: Goal;
  /** The share of the best a setting may fall short by and still count as good as it. */
  within: number;
  current: Option;
  recommended: Option;
  best: Option;
  /** Whether the recommendation differs from the current setting. */
  change: boolean;
  reasons: string[];
  /** Every setting tried, smallest first. */
  options: Option[];
}

/** A setting's figures over its replications (a figure is left out of a replication that lacks it). */
export function optionOf(name: string, setting: Setting, cores: number | null, replications: Row[]): Option {
  const value = (r: Row, m: AdviceMetric): number => {
    const v = m === 'iops_per_host_cpu' ? Number(r.iops) / Number(r.host_cpus) : r[m];
    return typeof v === 'number' && Number.isFinite(v) ? v : NaN;
  };
  const figures = Object.fromEntries(ADVICE_METRICS.map((m) => [m, meanCi95(replications.map((r) => value(r, m)).filter((x) => !Number.isNaN(x)))])) as Record<AdviceMetric, Estimate>;
  return { name, label: settingLabel(setting), setting, cores, figures };
}

const same = (a: Setting, b: Setting) => a.threads === b.threads && a.queues === b.queues && a.aio === b.aio;
const pct = (a: number, b: number) => `${Math.round((100 * a) / b)} %`;
const fmt = (m: AdviceMetric, e: Estimate) => (m === 'iops' ? `${Math.round(e.mean / 1000)} k IOPS` : m === 'lat_p99_us' ? `p99 ${Math.round(e.mean)} us` : m === 'host_cpus' ? `${e.mean.toFixed(2)} host CPUs` : `${Math.round(e.mean / 1000)} k IOPS per host CPU`);

/**
 * The recommendation for a goal: the knee of the options within `within` of the best (the fewest
 * I/O threads), with the reasons a performance engineer checks: how far from the best, what it saves, where
 * the limit lies at that setting, and how the current setting compares.
 */
export function advise(current: Option, tried: Option[], goal: Goal, within: number, engines: string[]): Advice {
  const options = [...tried].sort((a, b) => compareSettings(a.setting, b.setting, engines));
  const g = GOAL_METRIC[goal];
  const metric = g.metric as AdviceMetric;
  const k = knee(options.map((o) => o.figures[metric]), options.map((o) => o.setting.threads), g.higher, within);
  const best = options[k.best], rec = options[k.knee];
  const reasons: string[] = [];
  if (rec === best) {
    // The best of the largest size below it: what one fewer step gives.
    const smaller = options.filter((o) => o.setting.threads < rec.setting.threads && Number.isFinite(o.figures[metric].mean));
    const size = Math.max(...smaller.map((o) => o.setting.threads));
    const below = smaller.filter((o) => o.setting.threads === size)
      .reduce<Option | undefined>((b, o) => (b === undefined || (g.higher ? o.figures[metric].mean > b.figures[metric].mean : o.figures[metric].mean < b.figures[metric].mean) ? o : b), undefined);
    reasons.push(`it gives the best ${g.what} of the ${options.length} settings tried (${fmt(metric, rec.figures[metric])})${below ? `; with fewer I/O threads at best ${below.label}, giving ${fmt(metric, below.figures[metric])}` : ''}`);
    if (below && below.cores !== null && rec.cores !== null && below.cores < rec.cores) {
      reasons.push(`with fewer I/O threads the VM's threads get ${below.cores} host core${below.cores === 1 ? '' : 's'} instead of ${rec.cores} (the CPU request counts the pool's threads)`);
    }
  } else {
    const fewer = best.setting.threads - rec.setting.threads;
    reasons.push(`it gives ${fmt(metric, rec.figures[metric])}, ${pct(rec.figures[metric].mean, best.figures[metric].mean)} of the best (${best.label}: ${fmt(metric, best.figures[metric])}), within the ${+(within * 100).toFixed(2)} % asked${fewer > 0 ? ` with ${fewer} fewer I/O thread${fewer === 1 ? '' : 's'}` : ''}; ${fmt('host_cpus', rec.figures.host_cpus)} against ${best.figures.host_cpus.mean.toFixed(2)}`);
  }
  reasons.push(limitOf(rec));
  if (!same(current.setting, rec.setting)) {
    reasons.push(`the current setting (${current.label}) gives ${fmt('iops', current.figures.iops)}, ${fmt('lat_p99_us', current.figures.lat_p99_us)}, ${fmt('host_cpus', current.figures.host_cpus)}`);
  }
  return { goal, within, current, recommended: rec, best, change: !same(current.setting, rec.setting), reasons, options };
}

/** What bounds a setting: the device, the iothreads, the vCPUs, or none of them near full. */
function limitOf(o: Option): string {
  const f = o.figures;
  const at = `at ${o.label}`;
  if (f.device_util_pct.mean >= 90) return `${at} the device is the limit (${Math.round(f.device_util_pct.mean)} % busy): more iothreads cannot raise IOPS`;
  const io = o.setting.threads === 0 ? f.main_loop_busy_pct.mean : f.iothread_busy_max_pct.mean;
  const who = o.setting.threads === 0 ? 'QEMU\'s main loop is' : 'the busiest iothread is';
  if (io >= 90) return `${at} ${who} ${Math.round(io)} % busy: the I/O threads are the limit`;
  if (f.host_core_util_pct.mean >= 90) return `${at} the host cores the VM's threads may use are ${Math.round(f.host_core_util_pct.mean)} % busy: CPU is the limit (more cores, or fewer threads competing for them)`;
  if (f.vcpu_busy_pct.mean >= 90) return `${at} the vCPUs are ${Math.round(f.vcpu_busy_pct.mean)} % busy: the guest is the limit`;
  return `${at} no thread or the device is near full (device ${Math.round(f.device_util_pct.mean)} %, ${who.replace(/ is$/, '')} ${Math.round(io)} %): the workload's own depth bounds it`;
}
