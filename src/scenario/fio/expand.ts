import { dirname, isAbsolute, join, relative } from 'node:path';
import { ScenarioError } from '../errors.js';
import { readInput } from '../input.js';
import { jobEntrySchema } from '../schema.js';
import { parseFioIni, FioSyntaxError, type FioOption, type IniSource } from './ini.js';
import { fioWorkload, FioOptionError } from './job-file.js';

type Raw = Record<string, unknown>;
type Path = (string | number)[];

/** Where the scenario's fields stand, for errors about its `job.fio`. */
export interface FioContext {
  scenarioFile: string;
  lineOf(path: Path): number | undefined;
  env: Record<string, string | undefined>;
  /** The job file's runtime and ramp_time win over the scenario's duration and warmup (`--fio`, as
   *  the command line's file is the later word); otherwise the scenario's win. */
  jobFileTiming: boolean;
}

/**
 * Replaces each `job: { fio: FILE }` (top level, or in a `vms` entry) by the job file's sections as
 * `jobs:`; other `job:` keys beside `fio:` override every section, as options on fio's command line
 * override a job file (so variants and sweeps can vary `job.iodepth`); and takes fio's runtime and
 * ramp_time as `duration` and `warmup` (see jobFileTiming). A job file's path is relative to the
 * scenario's folder. Returns the new raw scenario and the warnings (options that change nothing, a
 * runtime the scenario overrides).
 */
export function expandFioJobs(raw: Raw, ctx: FioContext): { raw: Raw; warnings: string[] } {
  const warnings: string[] = [];
  const timing: { key: 'duration' | 'warmup'; ns: number; from: string }[] = [];
  const expandVm = (vm: Raw, at: Path): Raw => {
    const job = vm.job as Raw | undefined;
    if (job?.fio === undefined) return vm;
    const fail = (path: Path, reason: string) => new ScenarioError(ctx.scenarioFile, [...at, ...path], ctx.lineOf([...at, ...path]), reason);
    if (typeof job.fio !== 'string' || job.fio === '') throw fail(['job', 'fio'], 'expected the path of a fio job file');
    if (vm.jobs !== undefined) throw fail(['jobs'], 'give either jobs: or job.fio, not both');

    const file = shown(isAbsolute(job.fio) ? job.fio : join(dirname(ctx.scenarioFile), job.fio));
    const w = readJobFile(file, ctx, fail);
    if (w.ignored.length > 0) {
      warnings.push(`${file}: ignored, as they do not change what vqsim reports: ${w.ignored.join(', ')}`);
    }
    if (w.durationNs !== undefined) timing.push({ key: 'duration', ns: w.durationNs, from: `${file}: runtime` });
    if (w.warmupNs !== undefined) timing.push({ key: 'warmup', ns: w.warmupNs, from: `${file}: ramp_time` });
    const { fio: _file, ...overrides } = job;
    // Keys beside job.fio override every section, as fio's command line would: echoed as set.
    const echoed = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, String(v)]));
    const jobs = w.jobs.map((j) => ({ ...j, ...overrides, fio_options: { ...j.fio_options!, job: { ...j.fio_options!.job, ...echoed } } }));
    const { job: _fio, ...rest } = vm;
    return { ...rest, jobs };
  };

  let out: Raw = Array.isArray(raw.vms)
    ? { ...raw, vms: raw.vms.map((v, i) => (v && typeof v === 'object' ? expandVm(v as Raw, ['vms', i]) : v)) }
    : expandVm(raw, []);
  for (const key of ['duration', 'warmup'] as const) {
    const given = timing.filter((t) => t.key === key);
    if (given.length === 0) continue;
    if (out[key] !== undefined && !ctx.jobFileTiming) {
      warnings.push(`${ctx.scenarioFile}: ${key} is set, so ${given.map((t) => t.from).join(' and ')} does not apply`);
      continue;
    }
    const differ = given.find((t) => t.ns !== given[0].ns);
    if (differ) {
      throw new ScenarioError(ctx.scenarioFile, [key], undefined, `${given[0].from} and ${differ.from} differ and one run has one ${key}: set ${key} in the scenario`);
    }
    out = { ...out, [key]: `${given[0].ns}ns` };
  }
  return { raw: out, warnings };
}

/** The workload of a job file, its errors located in it: file, line, section and option. */
function readJobFile(file: string, ctx: FioContext, fail: (path: Path, reason: string) => ScenarioError) {
  const src: IniSource = {
    read(name, from) {
      const path = shown(isAbsolute(name) ? name : join(dirname(from), name));
      return { file: path, text: readInput(path, 'fio job file', (reason) => fail(['job', 'fio'], `${path} (included by ${from}) ${reason}`)) };
    },
    env: ctx.env,
  };
  try {
    const w = fioWorkload(parseFioIni(file, readInput(file, 'fio job file', (reason) => fail(['job', 'fio'], `the fio job file ${file}: ${reason}`)), src));
    // The vqsim limits (iodepth, rate_iops...), reported at the fio option that set the field.
    w.jobs.forEach((j, i) => {
      const r = jobEntrySchema.safeParse(j);
      if (r.success) return;
      const field = String(r.error.issues[0].path[0]);
      const option = w.origins[i][field] as FioOption | undefined;
      if (!option) throw new ScenarioError(file, [w.jobs[i].name, field], undefined, r.error.issues[0].message);
      throw new ScenarioError(option.file, [w.jobs[i].name, option.key], option.line, r.error.issues[0].message);
    });
    return w;
  } catch (e) {
    if (e instanceof FioSyntaxError) throw new ScenarioError(e.file, [], e.line || undefined, e.message);
    if (e instanceof FioOptionError) throw new ScenarioError(e.option.file, [e.section, e.option.key], e.option.line, e.message);
    throw e;
  }
}

/** A path as messages show it: relative to the working directory when it lies below it. */
function shown(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

