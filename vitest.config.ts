import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest test files, slowest first. On a fresh clone (CI) vitest has no timings and starts the
 * largest files first, which left the regression gate (a minute) to start last, with the other worker
 * idle: starting these first keeps both workers busy to the end.
 */
const SLOWEST = [
  'test/cli/check.test.ts', 'test/cli/fuzz.test.ts', 'test/cli/package.test.ts', 'test/validation/queueing.test.ts',
  'test/model/shipped-scenarios.test.ts', 'test/properties/host-symmetry.test.ts', 'test/cli/sweep.test.ts',
];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOWEST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOWEST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    sequence: { sequencer: SlowestFirst },
    // Every core: vitest's default leaves one free (one worker on this 2-core machine), and the files
    // then ran one after another.
    maxWorkers: availableParallelism(),
    // The JSON report is what .ci/run reads for its "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
