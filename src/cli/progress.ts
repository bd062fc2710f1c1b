import cliProgress from 'cli-progress';
import type { Progress } from './sweep.js';

/** A progress bar on a terminal; silent when stderr is not a TTY or under CI. */
export function progressBar(): { update(p: Progress): void; stop(): void } {
  if (!process.stderr.isTTY || process.env.CI) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: 'sweep [{bar}] {value}/{total} points | elapsed {duration_formatted} | eta {eta_formatted}',
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
