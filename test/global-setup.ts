import { execFileSync } from 'node:child_process';

/** CLI tests run the built command (dist/), as users do: build it once before the suite. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', '.'], { stdio: 'inherit' });
}
