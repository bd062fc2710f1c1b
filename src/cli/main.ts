#!/usr/bin/env node
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { calibrationScore, calibrationTables, evaluateCalibration } from '../calibration/report.js';
import { jsonReport, junitReport } from '../output/check-report.js';
import { textTable } from '../output/table.js';
import { writeFilesAtomically } from '../output/write.js';
import { adviceJsonSchema } from '../output/advice-json.js';
import { scenarioJsonSchema } from '../scenario/schema.js';
import { atLeastOne, outArg, percentArg, refuseRepeatedFlags, seedArg } from './args.js';
import { LIMITS } from '../scenario/limits.js';
import { adviseCommand } from './advise.js';
import { calibrateCommand } from './calibrate.js';
import { calibrateAgainstCommand } from './calibrate-against.js';
import { checkCommand } from './check.js';
import { compareCommand, compareMarkdown } from './compare.js';
import { fioCommand } from './fio.js';
import { importCommand } from './import.js';
import { reportCommand } from './report.js';
import { reportError, UsageError } from './errors.js';
import { progressBar, runProgress } from './progress.js';
import { runCommand } from './run.js';
import { resolveShard } from './shard.js';
import { mergeCommand, sweepCommand } from './sweep.js';

/** Where the CLI writes, and what it can tell of its terminal. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** stderr is a terminal (progress bars). */
  tty: boolean;
}

const processIo: Io = {
  out: (l) => console.log(l),
  err: (l) => process.stderr.write(`${l}\n`),
  tty: Boolean(process.stderr.isTTY) && !process.env.CI,
};

/** The line without control characters (ESC and the other C0 and C1 codes; tabs and newlines kept). */
export function printable(line: string): string {
  return line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** SIGINT/SIGTERM stop a run or sweep between slices of simulation, with nothing half-written. */
function watchSignals(): { stop(): NodeJS.Signals | undefined; dispose(): void } {
  let got: NodeJS.Signals | undefined;
  const on = (s: NodeJS.Signals) => { got = s; };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return { stop: () => got, dispose: () => { process.off('SIGINT', on); process.off('SIGTERM', on); } };
}

/**
 * The command line: parses and validates the arguments (a bad one is one line and exit 2), runs the
 * command, and turns any error into one line and an exit status (reportError). Returns the status.
 */
export async function main(args: string[], rawIo: Io = processIo): Promise<number> {
  // What the user wrote (a scenario's name, a variant, a path) comes back in messages: no terminal
  // control sequence of it reaches the terminal.
  const io: Io = { ...rawIo, out: (l) => rawIo.out(printable(l)), err: (l) => rawIo.err(printable(l)) };
  let code = 0;
  let context: { file?: string; seed?: number } = {};
  const debug = args.includes('--debug') || process.env.VQSIM_DEBUG === '1';
  const signals = watchSignals();
  const act = (file: string | undefined, seed: number | undefined, f: () => Promise<void> | void) => async () => {
    context = { file, seed };
    await f();
  };
  try {
    // fio's own command line (--name=... --rw=... --name=...): options repeat per job, unknown to yargs.
    if (args[0] === 'fio' && args.length > 1 && !['--help', '-h'].includes(args[1])) {
      context = { file: args[1] };
      const r = fioCommand(args[1], args.slice(2));
      if (r.written) io.err(`vqsim: wrote ${r.written}`);
      else io.out(r.text.replace(/\n$/, ''));
      return code;
    }
    refuseRepeatedFlags(args);
    await yargs(args)
      .scriptName('vqsim')
      .exitProcess(false)
      .showHelpOnFail(false)
      // yargs' own complaints (unknown argument, a failed coerce it wraps in a YError) are usage
      // errors, on one line (some of yargs' span two); anything a command threw goes on to
      // reportError as it is.
      .fail((msg, err) => { throw err && err.name !== 'YError' ? err : new UsageError((err?.message ?? msg).replace(/:?\s*\n\s*/g, ': ')); })
      .option('debug', { type: 'boolean', default: false, describe: 'print the stack of an internal error' })
      .command(
        'run <file>',
        'simulate every variant of a scenario; print a table; write summary.csv, latency.csv, threads.csv, latency-cdf.svg',
        (y) => y
          .positional('file', { type: 'string', demandOption: true, describe: 'scenario file (YAML or JSON)' })
          .option('out', { type: 'string', coerce: outArg, describe: 'output directory (default results/<scenario name>/)' })
          .option('seed', { type: 'string', coerce: seedArg, describe: 'override the scenario seed (a non-negative integer)' })
          .option('variant', { type: 'string', array: true, describe: 'run only this variant (repeatable)' })
          .option('fio', { type: 'string', describe: 'a fio job file as the workload, in place of the scenario\'s jobs (default output results/<scenario>/fio-<job file>/)' })
          .option('output-format', { choices: ['normal', 'json', 'json+'] as const, default: 'normal' as const, describe: 'json or json+: also fio\'s JSON output, fio-<variant>.json' })
          .option('force', { type: 'boolean', default: false, describe: 'run even when the estimate is past a day of wall time' })
          .option('jobs', { type: 'string', coerce: atLeastOne('jobs', 1024, 'worker processes, each with its own memory'), describe: `worker processes for the variants (default ${availableParallelism()}); the outputs are the same for any` }),
        (argv) => act(argv.file, argv.seed as number | undefined, async () => {
          await runCommand({
            file: argv.file, out: argv.out, seed: argv.seed as number | undefined, variants: argv.variant, fio: argv.fio,
            outputFormat: argv['output-format'], force: argv.force, jobs: (argv.jobs as number | undefined) ?? availableParallelism(),
          }, io.out, {
            warn: (l) => io.err(`vqsim: ${l}`),
            longRun: (e) => runProgress(e, io),
            stop: signals.stop,
          });
        })(),
      )
      .command(
        'sweep <file>',
        'run the cartesian product of axes with replications; write sweep.csv (means, 95 % CIs) and charts',
        (y) => y
          .positional('file', { type: 'string', demandOption: true })
          .option('set', { type: 'string', array: true, default: [], describe: 'an axis: PATH=V1,V2,... (repeatable)' })
          .option('replications', { type: 'string', coerce: atLeastOne('replications', LIMITS.replications, 'a 95 % CI narrows as 1/sqrt(n): 1000 replications put it within 3 % of one'), describe: 'replications per point (default: the file\'s sweep.replications, or 1)' })
          .option('jobs', { type: 'string', coerce: atLeastOne('jobs', 1024, 'worker processes, each with its own memory'), describe: `worker processes (default ${availableParallelism()})` })
          .option('out', { type: 'string', coerce: outArg, describe: 'output directory (default results/<scenario name>/sweep/)' })
          .option('seed', { type: 'string', coerce: seedArg })
          .option('variant', { type: 'string', array: true, default: [], describe: 'sweep these variants too (default: the base only)' })
          .option('shard', { type: 'string', describe: 'run only shard k/N (k from 0); N alone takes k from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID' }),
        (argv) => act(argv.file, argv.seed as number | undefined, async () => {
          const shard = resolveShard(argv.shard, process.env);
          const bar = io.tty ? progressBar() : { update: () => {}, stop: () => {} };
          const r = await sweepCommand({
            file: argv.file, sets: argv.set, variants: argv.variant, replications: argv.replications as number | undefined,
            seed: argv.seed as number | undefined, out: argv.out, jobs: (argv.jobs as number | undefined) ?? availableParallelism(), shard,
          }, (p) => bar.update(p), signals.stop, (f) => io.err(`vqsim: warning: ${f}: not a point file, set aside as ${basename(f)}.corrupt; its point runs again`));
          bar.stop();
          if (r.missing > 0) io.out(`shard done; ${r.missing} points of the sweep are elsewhere: vqsim merge the shard directories`);
          else io.out(`wrote ${r.written.join(', ')}`);
        })(),
      )
      .command(
        'advise <file>',
        'recommend the iothreads, queues and aio engine for a VM\'s disks (a scenario, domain XML, KubeVirt manifest or QEMU command line): run each setting, print the knee',
        (y) => y
          .positional('file', { type: 'string', demandOption: true, describe: 'scenario, domain.xml, vm.yaml or a file holding a QEMU command line; - reads standard input' })
          .option('from', { choices: ['scenario', 'libvirt', 'kubevirt', 'qemu'] as const, describe: 'what the file holds (default: told from its text)' })
          .option('goal', { choices: ['throughput', 'efficiency', 'latency'] as const, default: 'throughput' as const, describe: 'IOPS, IOPS per host CPU, or p99 latency' })
          .option('within', { type: 'string', coerce: percentArg, default: '5', describe: 'percent of the best a setting may fall short by and still count as good as it' })
          .option('fio', { type: 'string', describe: 'a fio job file as the workload (default: the file\'s, or a random-read job per vCPU for an imported VM)' })
          .option('vm', { type: 'string', describe: 'a KubeVirt file or List holding several VMs: this one (metadata.name)' })
          .option('kubevirt', { type: 'string', describe: 'a KubeVirt file: the cluster\'s KubeVirt release (versions.kubevirt)' })
          .option('variant', { type: 'string', describe: 'a scenario\'s variant to take as the current setting (default: its base)' })
          .option('max-iothreads', { type: 'string', coerce: atLeastOne('max-iothreads', LIMITS.numQueues, 'an iothread per virtqueue at most'), describe: 'the largest pool tried (default: the vCPUs, and the host\'s cores)' })
          .option('replications', { type: 'string', coerce: atLeastOne('replications', LIMITS.replications, 'a 95 % CI narrows as 1/sqrt(n)'), default: '3', describe: 'replications per setting: their CIs decide ties' })
          .option('jobs', { type: 'string', coerce: atLeastOne('jobs', 1024, 'worker processes, each with its own memory'), describe: `worker processes (default ${availableParallelism()})` })
          .option('shard', { type: 'string', describe: 'run only shard k/N of the settings, into a shared --out; advise again without it to finish' })
          .option('out', { type: 'string', coerce: outArg, describe: 'output directory (default results/<scenario name>/advise/)' })
          .option('seed', { type: 'string', coerce: seedArg }),
        (argv) => act(argv.file, argv.seed as number | undefined, async () => {
          if (Array.isArray(argv.variant)) throw new UsageError('--variant is given more than once: advise takes one variant as the current setting');
          const bar = io.tty ? progressBar('advise', 'settings') : { update: () => {}, stop: () => {} };
          const file = argv.file === '' && args.includes('-') ? '-' : argv.file;
          let r;
          try {
            r = await adviseCommand({
              file, from: argv.from, fio: argv.fio, vm: argv.vm, kubevirt: argv.kubevirt, variant: argv.variant, goal: argv.goal, within: argv.within as number,
              replications: argv.replications as number, maxIothreads: argv['max-iothreads'] as number | undefined, seed: argv.seed as number | undefined,
              out: argv.out, jobs: (argv.jobs as number | undefined) ?? availableParallelism(), shard: resolveShard(argv.shard, process.env),
            }, (p) => bar.update(p), signals.stop);
          } finally {
            bar.stop();
          }
          for (const l of r.lines) io.out(l);
        })(),
      )
      .command(
        'merge <dirs..>',
        'combine the shard directories of one sweep into its sweep.csv and charts',
        (y) => y
          .positional('dirs', { type: 'string', array: true, demandOption: true })
          .option('out', { type: 'string', coerce: outArg, describe: 'output directory (default: the first shard directory)' }),
        async (argv) => {
          const r = await mergeCommand(argv.dirs, argv.out);
          io.out(`wrote ${r.written.join(', ')}`);
        },
      )
      .command(
        'check',
        'rerun the scenarios and compare with their references; exit 1 on drift',
        (y) => y
          .option('update', { type: 'boolean', default: false, describe: 'rewrite the references (after a deliberate model change)' })
          .option('scenarios', { type: 'string', describe: 'the scenarios\' directory (default: the shipped ones)' })
          .option('results', { type: 'string', describe: 'the references\' directory, <scenario name>/summary.csv in it (default: the shipped ones)' })
          .option('report', { choices: ['junit', 'json'] as const, describe: 'print a JUnit XML or JSON report instead of the table' })
          .option('jobs', { type: 'string', coerce: atLeastOne('jobs', 1024, 'worker processes, each with its own memory'), describe: `worker processes for the scenarios (default ${availableParallelism()}); the result is the same for any` }),
        async (argv) => {
          // Minutes for the shipped set: a bar on a terminal.
          const bar = io.tty ? progressBar('check', 'scenarios') : { update: () => {}, stop: () => {} };
          let result;
          try {
            result = await checkCommand({
              update: argv.update, scenariosDir: argv.scenarios, resultsDir: argv.results, onProgress: (p) => bar.update(p),
              jobs: (argv.jobs as number | undefined) ?? availableParallelism(),
            });
          } finally {
            bar.stop();
          }
          const { checked, drifts } = result;
          if (argv.update) {
            io.out(`updated references: ${checked.join(', ')}`);
            return;
          }
          if (drifts.length > 0) code = 1;
          if (argv.report) {
            io.out((argv.report === 'junit' ? junitReport : jsonReport)(checked, drifts).trimEnd());
            return;
          }
          if (drifts.length === 0) {
            io.out(`no drift in ${checked.length} scenarios (${checked.join(', ')})`);
            return;
          }
          io.out(textTable(drifts, ['scenario', 'variant', 'metric', 'reference', 'current', 'change', 'tolerance']));
          io.out(`${drifts.length} metrics drifted beyond tolerance; if the change is deliberate: vqsim check --update`);
        },
      )
      .command(
        'compare <a> <b>',
        'compare two result directories (a run or a sweep), or a run with a measured fio JSON: each metric, the ratio, and whether the difference is significant',
        (y) => y
          .positional('a', { type: 'string', demandOption: true, describe: 'results/<scenario>/, its sweep/, or a fio JSON file' })
          .positional('b', { type: 'string', demandOption: true })
          .option('point', { type: 'string', describe: 'the variant (or "variant vm", or sweep point) to set beside a one-point side' })
          .option('format', { choices: ['markdown', 'json'] as const, default: 'markdown' as const }),
        (argv) => {
          const rows = compareCommand(argv.a, argv.b, argv.point);
          io.out(argv.format === 'json' ? JSON.stringify({ a: argv.a, b: argv.b, rows }, null, 2) : compareMarkdown(rows, argv.a, argv.b));
        },
      )
      .command(
        'import <kind> [file]',
        'write a scenario from a libvirt domain XML, a KubeVirt VirtualMachine(Instance) manifest, or a QEMU command line (after --)',
        (y) => y
          .positional('kind', { choices: ['libvirt', 'kubevirt', 'qemu'] as const, demandOption: true })
          .positional('file', { type: 'string', describe: 'domain.xml, vm.yaml, or a file holding the QEMU command line; - reads standard input (virsh dumpxml VM | vqsim import libvirt -)' })
          .option('out', { type: 'string', describe: 'write the scenario here (default: print it); an existing file only with --force' })
          .option('force', { type: 'boolean', default: false, describe: 'let --out replace an existing file' })
          .option('fio', { type: 'string', describe: 'a fio job file as the scenario\'s workload (job: { fio: FILE })' })
          .option('vm', { type: 'string', describe: 'import kubevirt: the VM (metadata.name) of a file or List holding several' })
          .option('kubevirt', { type: 'string', describe: 'import kubevirt: the cluster\'s KubeVirt release (versions.kubevirt; default: a VMI\'s virt-launcher tag, else vqsim\'s newest)' }),
        (argv) => {
          if (argv.out && existsSync(argv.out) && !argv.force) throw new UsageError(`--out ${argv.out} exists: give --force to replace it, or another path`);
          const dashdash = args.indexOf('--');
          // yargs takes a lone `-` for no argument: it names standard input.
          const stdin = (dashdash >= 0 ? args.slice(0, dashdash) : args).includes('-');
          const file = argv.file || (stdin ? '-' : undefined);
          const { text, notUnderstood } = importCommand(argv.kind, file, dashdash >= 0 ? args.slice(dashdash + 1) : [], { fio: argv.fio, vm: argv.vm, kubevirt: argv.kubevirt });
          for (const n of notUnderstood) io.err(`vqsim: not understood: ${n}`);
          if (argv.out) {
            writeFilesAtomically(dirname(resolve(argv.out)), { [basename(argv.out)]: text });
            io.out(`wrote ${argv.out}`);
          } else {
            io.out(text.trimEnd());
          }
        },
      )
      .command(
        'report <dir>',
        'write one self-contained report.html for a run\'s or a sweep\'s result directory',
        (y) => y
          .positional('dir', { type: 'string', demandOption: true, describe: 'results/<scenario>/ or its sweep/' })
          .option('scenario', { type: 'string', describe: 'the scenario file (default: DIR/scenario.yaml, or the shipped one of that name)' }),
        (argv) => {
          io.out(`wrote ${reportCommand(argv.dir, argv.scenario)}`);
        },
      )
      .command(
        'fio <scenario> [fio..]',
        'run fio\'s command line (--name=NAME --rw=randread --bs=4k --iodepth=32 ..., or a job file) on the scenario\'s VM; print fio\'s normal output, or --output-format=json,json+ (a comma list), to stdout or --output=FILE',
        (y) => y.positional('scenario', { type: 'string', demandOption: true }).positional('fio', { type: 'string', array: true }),
        () => { throw new UsageError('vqsim fio SCENARIO --name=NAME [--option=value ...]'); },
      )
      .command('calibration', 'run the published-measurement rows: vqsim beside each, host speeds, in-sample, leave-one-out and leave-one-source-out errors', {}, () => {
        const c = evaluateCalibration();
        io.out(calibrationTables(c));
        io.out(calibrationScore(c));
        if (c.fitNote) io.out(`note: ${c.fitNote}`);
      })
      .command(
        'calibrate',
        'fit the fitted costs and each source machine\'s host.cpu_speed to the published rows (least squares on log ratios, within their ranges); write them. With --against: your host\'s speed from your own fio run',
        (y) => y
          .option('iterations', { type: 'string', coerce: atLeastOne('iterations', 100, 'Gauss-Newton converges in a few'), default: '2', describe: 'Gauss-Newton iterations' })
          .option('against', { type: 'string', describe: 'your fio JSON output (fio --output-format=json) of the configuration --scenario describes: fit your host\'s host.cpu_speed (and the device\'s service times, where the run shows them)' })
          .option('scenario', { type: 'string', describe: 'with --against: the scenario of that configuration' })
          .option('variant', { type: 'string', describe: 'with --against: the scenario\'s variant that ran (default: its base)' })
          .option('out', { type: 'string', describe: 'with --against: the fitted scenario to write (default <scenario>-fitted.yaml here)' })
          .option('force', { type: 'boolean', default: false, describe: 'with --against: let --out replace an existing file' }),
        (argv) => {
          const against = argv.against as string | undefined, scenario = argv.scenario as string | undefined;
          if (against === undefined) {
            const stray = (['scenario', 'variant', 'out'] as const).find((k) => argv[k] !== undefined);
            if (stray) throw new UsageError(`--${stray} goes with --against FIO.json`);
            calibrateCommand(argv.iterations as number, io.out);
            return;
          }
          if (scenario === undefined) throw new UsageError('--against needs --scenario: the scenario of the configuration fio ran');
          calibrateAgainstCommand({ against, scenario, variant: argv.variant as string | undefined, out: argv.out as string | undefined, force: argv.force as boolean }, io.out);
        },
      )
      .command(
        'schema [of]',
        'print the scenario format (or advise\'s advice.json) as JSON Schema',
        (y) => y.positional('of', { choices: ['scenario', 'advice'] as const, default: 'scenario' as const }),
        (argv) => {
          io.out(JSON.stringify(argv.of === 'advice' ? adviceJsonSchema() : scenarioJsonSchema(), null, 2));
        },
      )
      .demandCommand(1, 'name a command')
      .strict()
      .help()
      .parseAsync();
  } catch (e) {
    code = reportError(e, io.err, { debug, ...context });
  } finally {
    signals.dispose();
  }
  return code;
}

// Run when executed (also through npm's bin symlink), not when imported by a test.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  process.exitCode = await main(hideBin(process.argv));
}
