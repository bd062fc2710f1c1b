import { blockSizeProblem, parseSize, SIZE_EXPECTED } from './units.js';

/**
 * fio's bssplit (options.c bssplit_ddir): `size/percent` entries joined by `:`; entries without a
 * percent share what the others leave equally; the shares must not exceed 100 % and, with every entry
 * given one, must make it. One direction only: vqsim's job has one size distribution.
 */
export function parseBssplit(text: string, fail: (reason: string) => Error): { bytes: number; share: number }[] {
  if (text.includes(',')) throw fail('per-direction bssplit (reads,writes) is not modelled: give one list');
  const entries = text.split(':').map((e) => {
    const [size, pct] = e.split('/');
    const bytes = parseSize(size.trim());
    if (bytes === undefined) throw fail(`"${size}" is not a size (${SIZE_EXPECTED})`);
    const problem = blockSizeProblem(bytes);
    if (problem) throw fail(`${size.trim()}: ${problem}`);
    const share = pct === undefined || pct.trim() === '' ? undefined : Number(pct);
    if (share !== undefined && !(share >= 0 && share <= 100)) throw fail(`"${pct}" is not a percentage`);
    return { bytes, share };
  });
  const given = entries.reduce((s, e) => s + (e.share ?? 0), 0);
  const rest = entries.filter((e) => e.share === undefined).length;
  if (given > 100 + 1e-9) throw fail(`the shares add up to ${given} %, more than 100`);
  if (rest === 0 && Math.abs(given - 100) > 1e-9) throw fail(`the shares add up to ${given} %, not 100`);
  return entries.map((e) => ({ bytes: e.bytes, share: (e.share ?? (100 - given) / rest) / 100 })).filter((e) => e.share > 0);
}
