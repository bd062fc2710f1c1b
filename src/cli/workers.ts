import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Interrupted } from '../run/simulate.js';

/**
 * Units of work over `jobs` worker processes (the built worker.js of that kind), handed out one at a
 * time on demand, in the order given (longest first is the caller's to choose), so that a slow unit
 * does not leave a worker idle at the end. Each worker gets `init`
 * first (over IPC, not argv: a scenario's text can pass the kernel's limit on one argument), then units;
 * `collect` sees each result as it comes, in whatever order. Messages are structured clones (NaN, the
 * empty figure, stays NaN). A signal kills the workers and rejects with Interrupted(`left`).
 */
export async function inWorkers<U, R>(
  kind: 'sweep' | 'run' | 'check', init: unknown, units: U[], jobs: number,
  collect: (u: U, r: R) => void, stop: () => NodeJS.Signals | undefined, left: string,
  local?: (u: U) => Promise<R>,
): Promise<void> {
  // The built worker beside this module; from the sources (the tests), the build in dist/.
  const worker = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '../../dist/cli/worker.js' : './worker.js', import.meta.url));
  if (!existsSync(worker)) throw new Error(`worker processes run the built CLI (${worker}): run npm run build`);
  let next = 0;
  const workers = Math.min(jobs, units.length);
  // This process takes units too, when it can serve them without holding its event loop (the workers'
  // answers wait on it): one process fewer to start, and its scenario already loaded.
  const here = local === undefined ? [] : [(async () => {
    for (let u = units[next++]; u !== undefined; u = units[next++]) {
      collect(u, await local(u));
      const signal = stop();
      if (signal) throw new Interrupted(signal, left);
    }
  })()];
  await Promise.all([...here, ...Array.from({ length: workers - here.length }, () => new Promise<void>((resolve, reject) => {
    const child = fork(worker, [kind], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    child.send({ init });
    let current: U | undefined;
    const feed = () => {
      current = units[next++];
      if (current !== undefined) child.send({ unit: current });
      else child.disconnect();
    };
    child.on('message', (m) => {
      const reply = m as { result?: R; error?: string };
      if (reply.error !== undefined) {
        child.kill();
        reject(new Error(reply.error));
        return;
      }
      collect(current!, reply.result as R);
      const signal = stop();
      if (signal) {
        child.kill();
        reject(new Interrupted(signal, left));
        return;
      }
      feed();
    });
    child.on('exit', (code, signal) => {
      const stopped = stop();
      if (stopped) reject(new Interrupted(stopped, left));
      else if (code === 0) resolve();
      else reject(new Error(`${kind} worker exited with ${code ?? signal}`));
    });
    child.on('error', reject);
    feed();
  }))]);
}

/** The worker's side: `setup` takes the init message and returns what serves each unit. */
export function serveUnits<I, U, R>(setup: (init: I) => (unit: U) => R | Promise<R>): void {
  let serve: ((unit: U) => R | Promise<R>) | undefined;
  process.on('message', async (m) => {
    const msg = m as { init?: I; unit?: U };
    try {
      if (serve === undefined) serve = setup(msg.init as I);
      else process.send!({ result: await serve(msg.unit as U) });
    } catch (e) {
      // Whatever a worker meets is reported by the parent, once (a scenario error was already caught
      // when the parent loaded the same scenario).
      process.send!({ error: (e as Error).message });
    }
  });
}
