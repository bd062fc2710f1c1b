import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * npm run profile -- SCENARIO [VARIANT]: simulates one variant (default the first) under node
 * --cpu-prof, writes the profile (open it in Chrome DevTools or speedscope) and prints the functions
 * with the most self time, so the next slow case is found by a command.
 */
const [file, variant] = process.argv.slice(2);
if (!file) {
  console.error('usage: npm run profile -- SCENARIO [VARIANT]');
  process.exit(2);
}
const probe = fileURLToPath(new URL('./rss-probe.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vqsim-profile-'));
const run = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, probe, resolve(file), '', variant ?? ''], { encoding: 'utf8' });
if (run.status !== 0) {
  console.error(run.stderr.trim());
  process.exit(1);
}
const name = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
const out = resolve('vqsim.cpuprofile');
const text = readFileSync(join(dir, name), 'utf8');
rmSync(dir, { recursive: true });

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; }
const profile = JSON.parse(text) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const f = byId.get(id)!.callFrame;
  const key = `${f.functionName || '(anonymous)'}  ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + dt);
  total += dt;
});
writeFileSync(out, text);
console.log(`self time, top 25 of ${(total / 1e6).toFixed(2)} s sampled (profile: ${out})`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)} %  ${key}`);
}
