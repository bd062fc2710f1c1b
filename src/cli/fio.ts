import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fioEntries, fioReport, fioSections, type FioOutputFormat } from '../output/fio-json.js';
import { fioNormal } from '../output/fio-normal.js';
import { writeFilesAtomically } from '../output/write.js';
import { simulatePoint } from '../run/simulate.js';
import { ScenarioError } from '../scenario/errors.js';
import { loadScenario } from '../scenario/load.js';
import { layoutOf } from '../stats/host-summary.js';
import { readFileArg } from './args.js';
import { UsageError } from './errors.js';

type Format = 'normal' | FioOutputFormat;
const FORMATS: readonly string[] = ['normal', 'json', 'json+'];

/** What a fio command line asks for: the jobs as a job file's text, and where and how to report. */
export interface FioCommandLine {
  /** `[global]` from the options before the first --name, then a section per --name (or the job file). */
  jobs: string;
  formats: Format[];
  output?: string;
  /** The command-line option on each line of `jobs` (1-based), for errors. */
  origins: Map<number, string>;
}

/**
 * fio's command line (fio(1)): `--name=NAME` starts a job and the options after it are its own, those
 * before the first are global; `--key=value` or a bare `--flag`; a job file instead of --name sections;
 * `--output-format` (a comma list of normal, json, json+; terse is refused) and `--output`.
 */
export function parseFioArgs(args: string[]): FioCommandLine {
  const origins = new Map<number, string>();
  const lines: string[] = ['[global]'];
  const files: string[] = [];
  let formats: Format[] = ['normal'];
  let output: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      files.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = a.slice(2, eq < 0 ? undefined : eq), value = eq < 0 ? undefined : a.slice(eq + 1);
    if (key === 'output-format') {
      const list = (value ?? '').split(',').map((f) => f.trim());
      const bad = list.find((f) => !FORMATS.includes(f));
      if (bad !== undefined) throw new UsageError(`--output-format=${value}: ${bad === 'terse' ? 'terse is not produced (give normal, json or json+)' : `expected a comma list of ${FORMATS.join(', ')}`}`);
      formats = list as Format[];
    } else if (key === 'output') {
      if (!value) throw new UsageError('--output: expected --output=FILE');
      output = value;
    } else if (key === 'name') {
      if (!value) throw new UsageError('--name: expected --name=NAME');
      lines.push(`[${value}]`);
      origins.set(lines.length, a);
    } else {
      if (key === '') throw new UsageError(`${a}: expected --option=value`);
      lines.push(value === undefined ? key : `${key}=${value}`);
      origins.set(lines.length, a);
    }
  }
  const sections = lines.filter((l) => l.startsWith('[') && l !== '[global]').length;
  if (files.length > 0 && sections > 0) throw new UsageError('give the jobs as --name sections or in a job file, not both');
  if (files.length > 1) throw new UsageError(`one job file at a time (got ${files.join(', ')})`);
  if (files.length === 0 && sections === 0) throw new UsageError('no job: give --name=NAME and its options (--rw=randread --bs=4k ...), or a job file');
  const jobs = files.length > 0 ? `${lines.join('\n')}\n${readFileArg(files[0], 'fio job file')}` : `${lines.join('\n')}\n`;
  return { jobs, formats, output, origins };
}

/**
 * vqsim fio SCENARIO [fio options | job file]: the scenario's VM (its base) runs the jobs fio's command
 * line describes, and the run is reported as fio reports it: normal text, JSON or json+, on standard
 * output or in --output. Returns the text printed (empty when written to a file).
 */
export function fioCommand(scenarioFile: string, args: string[]): { text: string; written?: string } {
  const cl = parseFioArgs(args);
  const dir = mkdtempSync(join(tmpdir(), 'vqsim-fio-'));
  const jobFile = join(dir, 'command-line.fio');
  try {
    writeFileSync(jobFile, cl.jobs);
    let scenario;
    try {
      scenario = loadScenario(scenarioFile, { fio: jobFile });
    } catch (e) {
      // The job file is the command line: name the option, not the file written for it.
      if (e instanceof ScenarioError && resolve(e.file) === jobFile) {
        const option = e.line !== undefined ? cl.origins.get(e.line) : undefined;
        throw new UsageError(`the fio command line${option ? `, ${option}` : ''}: ${e.path.length ? `${e.path.join('.')}: ` : ''}${e.reason}`);
      }
      throw e;
    }
    const point = scenario.point(null, [], 'base');
    const cfg = point.config(0);
    const run = simulatePoint(cfg, layoutOf([cfg]));
    const entries = fioEntries(run.result, cfg);
    const text = cl.formats.map((f) => {
      const report = fioReport(run.result, cfg, scenario, f === 'normal' ? 'json' : f, entries);
      return f === 'normal' ? fioNormal(report, entries, fioSections(run.result, cfg)) : `${JSON.stringify(report, null, 2)}\n`;
    }).join('');
    if (cl.output === undefined) return { text };
    writeFilesAtomically(dirname(resolve(cl.output)), { [basename(cl.output)]: text });
    return { text: '', written: cl.output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
