import { z } from 'zod';
import { ADVICE_METRICS, type Advice, type Option } from '../stats/advice.js';

const estimate = z.object({
  mean: z.number().nullable().describe('Mean over the replications (null: no replication has it).'),
  ci95: z.number().nullable().describe('Half-width of its 95 % confidence interval (null with one replication).'),
});

const option = z.object({
  name: z.string().describe('The setting\'s variant in advise.yaml and the sweep.'),
  label: z.string().describe('The setting in words.'),
  setting: z.object({
    iothreads: z.number().int().describe('I/O threads serving the disks: 0 = QEMU\'s main loop, 1 = one iothread, more = a pool (iothread-vq-mapping).'),
    num_queues: z.number().int().describe('Virtqueues per disk.'),
    aio: z.string().describe('The host aio engine (QEMU aio=, KubeVirt io).'),
  }).describe('What advise varies: I/O threads, queues, engine.'),
  set: z.array(z.string()).describe('What to write to get it, in the terms of the tool the VM came from.'),
  host_cores: z.number().int().nullable().describe('The host cores the VM\'s threads share at this setting (null: a core each); on KubeVirt the pod\'s CPU request grows with the pool.'),
  ...Object.fromEntries(ADVICE_METRICS.map((m) => [m, estimate.describe(`${m} (mean and 95 % CI half-width)`)])),
});

/** advice.json: what a platform reads from `vqsim advise` (exit status 0 whenever it is written). */
export const adviceSchema = z.object({
  vqsim_advice: z.literal(1).describe('The format\'s version.'),
  scenario: z.string().describe('The VM\'s scenario name.'),
  source: z.object({
    file: z.string().describe('As given on the command line (- is standard input).'),
    kind: z.enum(['scenario', 'libvirt', 'kubevirt', 'qemu']).describe('What it holds.'),
  }).describe('What advise read.'),
  goal: z.enum(['throughput', 'efficiency', 'latency']).describe('throughput: IOPS; efficiency: IOPS per host CPU; latency: p99.'),
  within_pct: z.number().describe('A setting within this share of the best counts as good as it: the smallest such is recommended.'),
  replications: z.number().int().describe('Replications per setting (different seeds).'),
  change: z.boolean().describe('Whether the recommendation differs from the current setting.'),
  reasons: z.array(z.string()).describe('Why, in sentences.'),
  current: option.describe('The VM as given.'),
  recommended: option.describe('The smallest setting as good as the best.'),
  best: option.describe('The best setting for the goal.'),
  options: z.array(option).describe('Every setting tried, smallest first (fewer I/O threads, then fewer queues).'),
  not_tried: z.array(z.string()).describe('Settings the VM\'s versions or devices refuse, with the reason.'),
  sweep: z.string().describe('The sweep advise ran (sweep.csv), relative to advice.json.'),
});

export type AdviceJson = z.infer<typeof adviceSchema>;

export function adviceJsonSchema(): unknown {
  return z.toJSONSchema(adviceSchema, { io: 'output' });
}

const nullable = (x: number) => (Number.isFinite(x) ? x : null);

function optionJson(o: Option, set: string[]): AdviceJson['options'][number] {
  const figures = Object.fromEntries(ADVICE_METRICS.map((m) => [m, { mean: nullable(o.figures[m].mean), ci95: nullable(o.figures[m].ci95) }]));
  return { name: o.name, label: o.label, setting: { iothreads: o.setting.threads, num_queues: o.setting.queues, aio: o.setting.aio }, set, host_cores: o.cores, ...figures };
}

export interface AdviceContext {
  scenario: string;
  source: AdviceJson['source'];
  replications: number;
  notTried: string[];
  sweep: string;
  /** A setting in the source's terms. */
  terms(o: Option): string[];
}

export function adviceJson(a: Advice, c: AdviceContext): string {
  const json: AdviceJson = {
    vqsim_advice: 1, scenario: c.scenario, source: c.source, goal: a.goal, within_pct: Math.round(a.within * 1e6) / 1e4,
    replications: c.replications, change: a.change, reasons: a.reasons,
    current: optionJson(a.current, c.terms(a.current)), recommended: optionJson(a.recommended, c.terms(a.recommended)),
    best: optionJson(a.best, c.terms(a.best)), options: a.options.map((o) => optionJson(o, c.terms(o))),
    not_tried: c.notTried, sweep: c.sweep,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
