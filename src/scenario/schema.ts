import { z } from 'zod';
import { COST_NAMES, type CostName } from '../model/costs.js';
import { parseDuration, parseSize } from './units.js';

/**
 * The one schema of a scenario file. Keys follow the spelling of the system they come from: fio's for
 * jobs (rw, bs, iodepth, numjobs, rwmixread, rate_iops), QEMU's for QEMU properties (poll-max-ns,
 * num-queues, queue-size, iothread-vq-mapping, aio), vqsim's own in snake_case. Unknown keys are errors.
 */

const duration = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ns = parseDuration(v);
  if (ns === undefined) {
    ctx.issues.push({ code: 'custom', input: v, message: 'expected a duration such as 2s, 500ms, 30us, 100ns, or a number of ns' });
    return z.NEVER;
  }
  return ns;
});

const size = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const bytes = parseSize(v);
  if (bytes === undefined) {
    ctx.issues.push({ code: 'custom', input: v, message: 'expected a size such as 4k, 1m or a number of bytes' });
    return z.NEVER;
  }
  return bytes;
});

const count = z.number().int().min(1);
const nonNegInt = z.number().int().min(0);

const distribution = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('constant'), value: duration }),
  z.strictObject({ dist: z.literal('exponential'), mean: duration }),
  z.strictObject({ dist: z.literal('uniform'), min: duration, max: duration }),
  z.strictObject({ dist: z.literal('lognormal'), mean: duration, p99: duration }),
  z.strictObject({ dist: z.literal('empirical'), quantiles: z.array(z.tuple([z.number().min(0).max(1), duration])).min(2) }),
]);

/** A device: every field optional over its preset (`preset`, default nvme-tlc). */
const deviceFields = {
  preset: z.string().optional(),
  queue_depth: count.optional(),
  parallelism: count.optional(),
  read: distribution.optional(),
  write: distribution.optional(),
  /** 0 = no cap. */
  iops_cap: z.number().min(0).optional(),
  /** MiB/s, 0 = no cap. */
  bw_cap_mib_s: z.number().min(0).optional(),
};
export const deviceSchema = z.strictObject(deviceFields);

const diskFields = {
  /** A preset or a name under `devices:`, or an inline device. */
  device: z.union([z.string(), deviceSchema]).optional(),
  'num-queues': count.optional(),
  'queue-size': z.number().int().min(1).max(32768).optional(),
  ring: z.enum(['split', 'packed']).optional(),
  event_idx: z.boolean().optional(),
  aio: z.enum(['native', 'io_uring', 'threads']).optional(),
  handler: z.enum(['main-loop', 'dedicated', 'shared', 'pool']).optional(),
  /** Pool size, with handler: pool. */
  iothreads: count.optional(),
  /** The shared iothread's id, with handler: shared. */
  iothread: z.string().min(1).optional(),
  'iothread-vq-mapping': z.array(z.strictObject({ iothread: z.string().min(1), vqs: z.array(nonNegInt).optional() })).min(1).optional(),
};
const diskDefaults = z.strictObject(diskFields);
const diskEntry = z.strictObject({ name: z.string().min(1), ...diskFields });

const jobFields = {
  /** The disk's name; default the first disk. */
  disk: z.string().optional(),
  rw: z.enum(['read', 'write', 'randread', 'randwrite', 'rw', 'randrw']).optional(),
  rwmixread: z.number().min(0).max(100).optional(),
  bs: size.optional(),
  iodepth: count.optional(),
  numjobs: count.optional(),
  rate_iops: z.number().positive().optional(),
  rate_process: z.enum(['linear', 'poisson']).optional(),
};
const jobDefaults = z.strictObject(jobFields);
const jobEntry = z.strictObject({ name: z.string().min(1), ...jobFields });

const costs = z.strictObject(
  Object.fromEntries(COST_NAMES.map((n) => [n, duration.optional()])) as Record<CostName, z.ZodOptional<typeof duration>>,
);

const variant = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  /** Field path (dots, list indices as numbers) -> value, applied over the base. */
  set: z.record(z.string(), z.unknown()).default({}),
});

export const scenarioSchema = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  seed: z.number().int().min(0).default(1),
  /** Measured simulated time, after warmup (fio's runtime). */
  duration: duration.default(1e9),
  /** Simulated time before measuring starts (fio's ramp_time). */
  warmup: duration.default(100e6),
  /** Set every overhead cost to 0: only device service times remain (a plain queueing network). */
  zero_overheads: z.boolean().default(false),
  vm: z.strictObject({ vcpus: count }),
  iothread: z.strictObject({
    'poll-max-ns': nonNegInt.default(32768),
    'poll-grow': nonNegInt.default(0),
    'poll-shrink': nonNegInt.default(0),
    /** 0 = the engine's default (32 for aio=native). */
    'aio-max-batch': nonNegInt.default(0),
  }).default({ 'poll-max-ns': 32768, 'poll-grow': 0, 'poll-shrink': 0, 'aio-max-batch': 0 }),
  devices: z.record(z.string(), deviceSchema).default({}),
  disk: diskDefaults.default({}),
  disks: z.array(diskEntry).min(1).optional(),
  job: jobDefaults.default({}),
  jobs: z.array(jobEntry).min(1).optional(),
  costs: costs.default({}),
  variants: z.array(variant).optional(),
  /** Axes for `vqsim sweep`: field path -> values; --set on the command line adds to or replaces them. */
  sweep: z.strictObject({
    axes: z.record(z.string(), z.array(z.unknown()).min(1)),
    replications: count.optional(),
  }).optional(),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type DiskInput = z.output<typeof diskEntry>;
export type JobInput = z.output<typeof jobEntry>;
export type DeviceInput = z.output<typeof deviceSchema>;

/** The schema as JSON Schema (2020-12) for editors. */
export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' });
}
