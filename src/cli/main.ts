#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InvariantError } from '../model/invariants.js';
import { textTable } from '../output/table.js';
import { ScenarioError } from '../scenario/errors.js';
import { scenarioJsonSchema } from '../scenario/schema.js';
import { calibrationScore, calibrationTables, evaluateCalibration } from '../calibration/report.js';
import { calibrateCommand } from './calibrate.js';
import { checkCommand } from './check.js';
import { progressBar } from './progress.js';
import { runCommand } from './run.js';
import { resolveShard } from './shard.js';
import { mergeCommand, sweepCommand, sweepWorker, type SweepSpec } from './sweep.js';
import { availableParallelism } from 'node:os';

/** Bad input exits 2 with one line; a broken model invariant exits 1; neither leaves output files. */
async function guard(action: () => Promise<void> | void): Promise<void> {
  try {
    await action();
  } catch (e) {
    if (e instanceof ScenarioError) {
      process.stderr.write(`vqsim: ${e.message}\n`);
      process.exit(2);
    }
    if (e instanceof InvariantError) {
      process.stderr.write(`vqsim: model error: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}

await yargs(hideBin(process.argv))
  .scriptName('vqsim')
  .command(
    'run <file>',
    'simulate every variant of a scenario; print a table; write summary.csv, latency.csv, threads.csv, latency-cdf.svg',
    (y) => y
      .positional('file', { type: 'string', demandOption: true, describe: 'scenario file (YAML or JSON)' })
      .option('out', { type: 'string', describe: 'output directory (default results/<scenario name>/)' })
      .option('seed', { type: 'number', describe: 'override the scenario seed' })
      .option('variant', { type: 'string', array: true, describe: 'run only this variant (repeatable)' }),
    (argv) => guard(async () => {
      await runCommand({ file: argv.file, out: argv.out, seed: argv.seed, variants: argv.variant }, (l) => console.log(l));
    }),
  )
  .command(
    'sweep <file>',
    'run the cartesian product of axes with replications; write sweep.csv (means, 95 % CIs) and charts',
    (y) => y
      .positional('file', { type: 'string', demandOption: true })
      .option('set', { type: 'string', array: true, default: [], describe: 'an axis: PATH=V1,V2,... (repeatable)' })
      .option('replications', { type: 'number', describe: 'replications per point (default: the file\'s sweep.replications, or 1)' })
      .option('jobs', { type: 'number', default: availableParallelism(), describe: 'worker processes' })
      .option('out', { type: 'string', describe: 'output directory (default results/<scenario name>/sweep/)' })
      .option('seed', { type: 'number' })
      .option('variant', { type: 'string', array: true, default: [], describe: 'sweep these variants too (default: the base only)' })
      .option('shard', { type: 'string', describe: 'run only shard k/N (k from 0); N alone takes k from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID' }),
    (argv) => guard(async () => {
      const shard = resolveShard(argv.shard, process.env);
      const bar = progressBar();
      const r = await sweepCommand({
        file: argv.file, sets: argv.set, variants: argv.variant, replications: argv.replications,
        seed: argv.seed, out: argv.out, jobs: Math.max(1, Math.floor(argv.jobs)), shard,
      }, (p) => bar.update(p));
      bar.stop();
      if (r.missing > 0) console.log(`shard done; ${r.missing} points of the sweep are elsewhere: vqsim merge the shard directories`);
      else console.log(`wrote ${r.written.join(', ')}`);
    }),
  )
  .command('sweep-worker <spec>', false, (y) => y.positional('spec', { type: 'string', demandOption: true }), (argv) => {
    sweepWorker(JSON.parse(argv.spec) as SweepSpec);
  })
  .command(
    'merge <dirs..>',
    'combine the shard directories of one sweep into its sweep.csv and charts',
    (y) => y
      .positional('dirs', { type: 'string', array: true, demandOption: true })
      .option('out', { type: 'string', describe: 'output directory (default: the first shard directory)' }),
    (argv) => guard(async () => {
      const r = await mergeCommand(argv.dirs, argv.out);
      console.log(`wrote ${r.written.join(', ')}`);
    }),
  )
  .command(
    'check',
    'rerun the shipped scenarios and compare with their references in results/; exit 1 on drift',
    (y) => y.option('update', { type: 'boolean', default: false, describe: 'rewrite the references (after a deliberate model change)' }),
    (argv) => guard(async () => {
      const { checked, drifts } = await checkCommand({ update: argv.update });
      if (argv.update) {
        console.log(`updated references: ${checked.join(', ')}`);
        return;
      }
      if (drifts.length === 0) {
        console.log(`no drift in ${checked.length} scenarios (${checked.join(', ')})`);
        return;
      }
      console.log(textTable(drifts, ['scenario', 'variant', 'metric', 'reference', 'current', 'change', 'tolerance']));
      console.log(`${drifts.length} metrics drifted beyond tolerance; if the change is deliberate: vqsim check --update`);
      process.exitCode = 1;
    }),
  )
  .command('calibration', 'run the published-measurement rows: vqsim beside each, in-sample and leave-one-out errors', {}, () => guard(() => {
    const c = evaluateCalibration();
    console.log(calibrationTables(c));
    console.log(calibrationScore(c));
    if (c.fitNote) console.log(`note: ${c.fitNote}`);
  }))
  .command(
    'calibrate',
    'fit the fitted costs to the published rows (least squares on log ratios, within their ranges); write the fitted defaults',
    (y) => y.option('iterations', { type: 'number', default: 2, describe: 'Gauss-Newton iterations' }),
    (argv) => guard(() => calibrateCommand(argv.iterations, (l) => console.log(l))),
  )
  .command('schema', 'print the scenario format as JSON Schema (for editors)', {}, () => {
    console.log(JSON.stringify(scenarioJsonSchema(), null, 2));
  })
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync();
