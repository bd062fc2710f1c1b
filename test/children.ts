import { spawn, type SpawnOptions } from 'node:child_process';

/**
 * Child processes that die with the test run. spawnSync blocks the worker's event loop, so a killed
 * run (SIGTERM, Ctrl-C, vitest gone) left its child running to the end: `vqsim calibration` for a
 * minute. These are spawned asynchronously and killed when this worker exits, is signalled, or loses
 * its parent.
 */
const live = new Set<ReturnType<typeof spawn>>();
const killAll = () => { for (const c of live) c.kill('SIGKILL'); };
process.once('exit', killAll);
process.once('disconnect', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.kill(process.pid, signal); // then die of it, as without this handler
  });
}

export interface Ran { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Starts a command (stdout and stderr piped) that dies with the test run. */
export function start(command: string, args: string[], options: SpawnOptions = {}): ReturnType<typeof spawn> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}

/** Runs a command to its end, as spawnSync would, without blocking: its status, signal and output. */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<Ran> {
  const child = start(command, args, options);
  let stdout = '', stderr = '';
  child.stdout!.on('data', (b) => { stdout += String(b); });
  child.stderr!.on('data', (b) => { stderr += String(b); });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}
