import { formatNumber } from './format.js';

/** A plain aligned text table for the terminal. */
export function textTable<T extends object>(rows: T[], columns: string[], headers?: string[]): string {
  const cells = rows.map((r) => columns.map((c) => {
    const v = (r as Record<string, unknown>)[c];
    return typeof v === 'number' ? formatNumber(c, v) || '-' : String(v ?? '');
  }));
  const head = headers ?? columns;
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  return [line(head), ...cells.map(line)].join('\n');
}
