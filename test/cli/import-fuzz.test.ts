import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { importCommand, type ImportKind } from '../../src/cli/import.js';
import { compareCommand } from '../../src/cli/compare.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { scenarioFromText } from '../../src/scenario/load.js';

/** Cases per format per CI run, at a fixed seed; `npm run fuzz` runs ten times more at a fresh one. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000) / 10;
const SEED = Number(process.env.FUZZ_SEED ?? (process.env.FUZZ_RUNS ? Date.now() % 2 ** 31 : 20261206));

/** What a hostile or careless file puts where a value should be. */
const junk = fc.constantFrom('', '0', '-1', '1e9', '99999999999999999999', 'NaN', 'abc', '<', '&', '"', '\'', '../../x', '0-999999999', '\u001b]0;x\u0007', ' ', '\\', '{', '[', '#');

/** The fixture with one to four edits: a value (the text between quotes or tags, or a word) replaced,
 *  a line dropped or doubled. */
function mutated(text: string): fc.Arbitrary<string> {
  const lines = text.split('\n');
  const edit = fc.tuple(fc.nat(lines.length - 1), fc.constantFrom('value', 'drop', 'double'), junk, fc.nat(20));
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    const out = [...lines];
    for (const [i, kind, value, k] of edits) {
      const at = i % out.length;
      if (kind === 'drop') out.splice(at, 1);
      else if (kind === 'double') out.splice(at, 0, out[at]);
      else {
        // The k-th value-like run of the line: quoted, between > and <, after = or :, or a number.
        const runs = [...out[at].matchAll(/'[^']*'|"[^"]*"|>[^<]*<|[=:]\s*[^\s,=:]+|\b\d+\b/g)];
        if (runs.length === 0) continue;
        const m = runs[k % runs.length];
        const keep = m[0][0] === '\'' || m[0][0] === '"' ? [m[0][0], m[0][0]] : m[0][0] === '>' ? ['>', '<'] : /^[=:]/.test(m[0]) ? [m[0][0], ''] : ['', ''];
        out[at] = out[at].slice(0, m.index) + keep[0] + value + keep[1] + out[at].slice(m.index! + m[0].length);
      }
    }
    return out.join('\n');
  });
}

const FIX = 'scenarios/vms';
const formats: [ImportKind, string][] = [['libvirt', 'domain.xml'], ['libvirt', 'vhost-domain.xml'], ['kubevirt', 'vm.yaml'], ['kubevirt', 'vmi-dedicated.yaml'], ['qemu', 'qemu.cmdline']];

describe(`imports of damaged files (${RUNS} per format at seed ${SEED})`, () => {
  for (const [kind, name] of formats) {
    it(`${kind} ${name}: a scenario that loads, or one UsageError line, never another error`, () => {
      const d = mkdtempSync(join(tmpdir(), 'vqsim-import-fuzz-'));
      fc.assert(fc.property(mutated(readFileSync(join(FIX, name), 'utf8')), (text) => {
        const file = join(d, name);
        writeFileSync(file, text);
        try {
          importCommand(kind, file, []);
        } catch (e) {
          if (!(e instanceof UsageError)) throw new Error(`${(e as Error).name}: ${(e as Error).message}\n--- ${kind} input:\n${text}`);
          expect(e.message.split('\n'), e.message).toHaveLength(1);
        }
      }), { numRuns: RUNS, seed: SEED });
    }, 300_000);
  }

  it('a damaged fio job file as a scenario\'s workload: a scenario that loads, or one ScenarioError line', () => {
    const d = mkdtempSync(join(tmpdir(), 'vqsim-fio-fuzz-'));
    const scenario = join(d, 's.yaml');
    fc.assert(fc.property(mutated(readFileSync('scenarios/jobs/oltp.fio', 'utf8')), (text) => {
      writeFileSync(join(d, 'oltp.fio'), text);
      try {
        scenarioFromText(scenario, 'vm: {vcpus: 4}\njob: {fio: oltp.fio}\n');
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw new Error(`${(e as Error).name}: ${(e as Error).message}\n--- fio job file:\n${text}`);
        expect(e.message.split('\n'), e.message).toHaveLength(1);
      }
    }), { numRuns: RUNS, seed: SEED });
  }, 300_000);

  it('compare with a damaged fio JSON: a table, or one UsageError line', () => {
    const d = mkdtempSync(join(tmpdir(), 'vqsim-compare-fuzz-'));
    const fio = JSON.stringify({ 'fio version': 'fio-3.36', jobs: [{ jobname: 'j', read: { iops: 1000, bw_bytes: 4096000, total_ios: 1000, lat_ns: { mean: 1e5 }, clat_ns: { mean: 9e4, percentile: { '50.000000': 9e4 } } }, write: { iops: 0, bw_bytes: 0, total_ios: 0, lat_ns: { mean: 0 }, clat_ns: { mean: 0 } } }] }, null, 1);
    fc.assert(fc.property(mutated(fio), (text) => {
      const file = join(d, 'fio.json');
      writeFileSync(file, text);
      try {
        compareCommand('results/iothread-pool', file, 'iothreads-1');
      } catch (e) {
        if (!(e instanceof UsageError)) throw new Error(`${(e as Error).name}: ${(e as Error).message}\n--- fio JSON:\n${text}`);
      }
    }), { numRuns: RUNS, seed: SEED });
  }, 300_000);
});
