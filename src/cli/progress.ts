import cliProgress from 'cli-progress';
import type { Estimate } from '../model/estimate.js';
import type { Progress } from './sweep.js';

/** A progress bar on stderr: a sweep's points done, a check's scenarios. */
export function progressBar(command = 'sweep', unit = 'points'): { update(p: Progress): void; stop(): void } {
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${command} [{bar}] {value}/{total} ${unit} | elapsed {duration_formatted} | eta {eta_formatted}`,
    etaBuffer: 20,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(p) {
      if (!started) { bar.start(p.total, p.done); started = true; } else bar.update(p.done);
    },
    stop() { if (started) bar.stop(); },
  };
}

const minutes = (s: number) => (s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

/**
 * A long run: the estimate, then a progress bar with an ETA on a terminal, or the estimate alone as
 * one line otherwise. Returns the progress callback (fraction done).
 */
export function runProgress(e: Estimate, io: { err(line: string): void; tty: boolean }): (fraction: number) => void {
  io.err(`vqsim: estimate: about ${minutes(e.wallSeconds)} for this run (${(e.events / 1e6).toFixed(0)} M events)`);
  if (!io.tty) return () => {};
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: 'run [{bar}] {percentage}% | elapsed {duration_formatted} | eta {eta_formatted}',
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  bar.start(1000, 0);
  return (f) => {
    bar.update(Math.round(f * 1000));
    if (f >= 1) bar.stop();
  };
}
