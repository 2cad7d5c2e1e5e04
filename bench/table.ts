/**
 * Renders rows as a plain-text table with aligned columns; numbers are right-aligned.
 *
 * @param headers - the column titles
 * @param rows - the cells, as text
 */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const numeric = (cell: string) =>
    /^[-+]?[\d.,]+( ?[x%]|\S*)?$/.test(cell) || /^[\d.]+ \[/.test(cell);
  const line = (cells: string[]) =>
    cells
      .map((cell, c) =>
        numeric(cell) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * A median with its range: `123 [110-130]`.
 *
 * @param s - the summary
 * @param digits - decimals
 */
export function medianRange(s: { median: number; min: number; max: number }, digits = 0): string {
  return `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}-${s.max.toFixed(digits)}]`;
}
