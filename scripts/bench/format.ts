// Figures to text: medians, quantiles, sizes, ratios and plain-text tables.

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The q-quantile of sorted values (nearest rank). */
export const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;

/** 1 kB = 1000 bytes. */
export const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
export const signedKb = (bytes: number) => `${bytes >= 0 ? '+' : ''}${kb(bytes)}`;
export const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

/** `align`: the first right-aligned column (those before it are left-aligned), or one letter per column, l or r. */
export function table(header: string[], rows: string[][], align: number | string = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = (i: number) => (typeof align === 'number' ? i >= align : align[i] === 'r');
  const line = (cells: string[]) =>
    cells.map((c, i) => (right(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
