#!/usr/bin/env node
import { checkWorker } from './check.js';
import { runWorker } from './run.js';
import { sweepWorker } from './sweep.js';

/**
 * The entry of a worker process (`worker.js sweep|run|check`): only what simulating and summarizing a
 * point needs, not the command line's parser, so that a worker starts in a fraction of the CLI's time.
 */
const serve: Record<string, () => void> = { sweep: sweepWorker, run: runWorker, check: checkWorker };
const kind = process.argv[2];
if (!serve[kind]) throw new Error(`worker: unknown kind ${kind}`);
serve[kind]();
