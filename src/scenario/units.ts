/** Time suffixes as fio spells them (parse.c), in ns; vqsim adds ns / nsec. Case-insensitive. */
const NS_PER: Record<string, number> = {
  ns: 1, nsec: 1, us: 1e3, usec: 1e3, 'µs': 1e3, ms: 1e6, msec: 1e6, s: 1e9, sec: 1e9,
  m: 60e9, min: 60e9, h: 3600e9, hour: 3600e9, d: 86400e9, day: 86400e9,
};
const DURATION = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*([a-zµ]*)\s*$/i;

export const DURATION_EXPECTED = 'a duration with a unit, e.g. 2s, 500ms, 30us, 100ns (fio\'s units: ns, us, ms, s, m, h, d '
  + 'and usec, msec, sec, min, hour, day); a bare number only for 0';

/** "2s", "500ms", "30us", "100ns", fio's spellings, or 0; undefined for anything else, a bare number included. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return v === 0 ? 0 : undefined;
  if (typeof v !== 'string') return undefined;
  const m = DURATION.exec(v);
  if (!m) return undefined;
  const value = Number(m[1]);
  if (m[2] === '') return value === 0 ? 0 : undefined;
  const per = NS_PER[m[2].toLowerCase()];
  if (per === undefined) return undefined;
  const ns = value * per;
  return Number.isFinite(ns) ? ns : undefined;
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?\s*$/i;
const SIZE_POWER: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5 };

export const SIZE_EXPECTED = 'a size such as 4k, 64KiB, 1m or a number of bytes';

/** "4k", "1m", "64KiB", "512" as fio reads them (kb_base=1024: k = 1024 bytes); undefined when invalid. */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = SIZE.exec(v);
  if (!m) return undefined;
  const bytes = Number(m[1]) * 1024 ** SIZE_POWER[m[2].toLowerCase()];
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** Linux MAX_RW_COUNT (INT_MAX & PAGE_MASK): one read or write moves at most this many bytes. */
const MAX_RW_BYTES = 0x7ffff000;

/** Why a size cannot be a block size of fio with direct=1 (bs, a bssplit entry), or undefined. */
export function blockSizeProblem(bytes: number): string | undefined {
  if (bytes < 512 || bytes % 512 !== 0) return 'a multiple of 512 bytes, the disk\'s logical block: with direct=1 the guest refuses anything else (EINVAL)';
  if (bytes > MAX_RW_BYTES) return 'at most 2 GiB - 4 KiB (Linux MAX_RW_COUNT: one read or write moves no more)';
  return undefined;
}
