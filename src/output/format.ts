/** Fixed decimals per column, so that outputs are byte-identical across runs and machines; a figure
 *  that does not exist (NaN: a latency where nothing completed) is an empty cell. */
export function formatNumber(column: string, v: number): string {
  if (!Number.isFinite(v)) return '';
  if (column.endsWith('_per_io') || column.endsWith('_per_packet') || column === 'cpus_per_gbit' || column === 'gbit_s') return v.toFixed(4);
  if (column === 'iops' || column.endsWith('_iops') || column === 'pps' || column === 'trans_s') return v.toFixed(0);
  if (column.startsWith('msix_') || column.endsWith('_kib') || column === 'vms') return v.toFixed(0);
  if (column.endsWith('_cpus')) return v.toFixed(3);
  return v.toFixed(2);
}
