import type { SizeResult } from './scenarios/large-transfers';
import { medianRange, renderTable } from './table';
import { libraryRatio } from './targets';
import { VARIANT } from './transfers/variants';
import { formatBytes } from './units';

/**
 * A ratio with its range: `1.23x [1.10-1.30]`, or `-` when not measured.
 *
 * @param r - the ratio's summary
 */
export function ratioText(r: { median: number; min: number; max: number } | undefined): string {
  return r ? `${r.median.toFixed(2)}x [${r.min.toFixed(2)}-${r.max.toFixed(2)}]` : '-';
}

/**
 * The table of large transfers: every variant of every size and direction, with its ratio to
 * nest-bucket, CPU and RSS.
 *
 * @param sizes - the figures
 * @param heading - the line above the table
 */
export function transferTable(sizes: SizeResult[], heading: string): string {
  const rows: string[][] = [];
  for (const size of sizes) {
    for (const direction of ['upload', 'download'] as const) {
      for (const [name, r] of Object.entries(size[direction])) {
        const ratio =
          name === VARIANT.library ? '' : ratioText(libraryRatio(size, direction, name));
        rows.push([
          formatBytes(size.bytes),
          direction,
          name,
          medianRange(r.mibPerSec),
          ratio,
          r.cpuSecondsPerGiB.median.toFixed(2),
          // Older results have no such figure.
          r.machineBusy?.n ? `${(r.machineBusy.median * 100).toFixed(0)}%` : '-',
          `${r.rssGrowthMiB.median.toFixed(0)} / ${r.rssGrowthMiB.max.toFixed(0)}`,
        ]);
      }
    }
  }
  return [
    heading,
    renderTable(
      [
        'size',
        'direction',
        'variant',
        'MiB/s',
        'nest-bucket vs',
        'CPU s/GiB',
        'machine busy',
        'RSS growth',
      ],
      rows,
    ),
  ].join('\n');
}
