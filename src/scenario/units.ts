const DURATION = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(ns|us|µs|ms|s)?\s*$/i;
const NS_PER: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9 };

/** "2s", "500ms", "30us", "100ns" or a number of ns; undefined when it is none of these. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = DURATION.exec(v);
  if (!m) return undefined;
  return Number(m[1]) * NS_PER[(m[2] ?? 'ns').toLowerCase()];
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i;
const SIZE_POWER: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4 };

/** "4k", "1m", "512" as fio reads them (kb_base=1024: k = 1024 bytes); undefined when invalid. */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = SIZE.exec(v);
  if (!m) return undefined;
  const bytes = Number(m[1]) * 1024 ** SIZE_POWER[m[2].toLowerCase()];
  return Number.isInteger(bytes) && bytes > 0 ? bytes : undefined;
}
