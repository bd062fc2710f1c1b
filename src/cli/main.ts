#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InvariantError } from '../model/invariants.js';
import { ScenarioError } from '../scenario/errors.js';
import { scenarioJsonSchema } from '../scenario/schema.js';
import { runCommand } from './run.js';

/** Bad input exits 2 with one line; a broken model invariant exits 1; neither leaves output files. */
function guard(action: () => void): void {
  try {
    action();
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
    'simulate every variant of a scenario; print a table, write summary.csv, latency.csv, threads.csv',
    (y) => y
      .positional('file', { type: 'string', demandOption: true, describe: 'scenario file (YAML or JSON)' })
      .option('out', { type: 'string', describe: 'output directory (default results/<scenario name>/)' })
      .option('seed', { type: 'number', describe: 'override the scenario seed' })
      .option('variant', { type: 'string', array: true, describe: 'run only this variant (repeatable)' }),
    (argv) => guard(() => {
      runCommand({ file: argv.file, out: argv.out, seed: argv.seed, variants: argv.variant }, (l) => console.log(l));
    }),
  )
  .command('schema', 'print the scenario format as JSON Schema (for editors)', {}, () => {
    console.log(JSON.stringify(scenarioJsonSchema(), null, 2));
  })
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync();
