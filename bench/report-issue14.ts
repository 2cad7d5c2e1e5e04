import { ratioText, transferTable } from './report-transfers';
import type { BenchResults } from './results';
import { medianRange, renderTable } from './table';
import { formatBytes } from './units';

function cappedSection(results: BenchResults): string {
  const { link } = results.config;
  return transferTable(
    results.cappedLink.transfers,
    `Large transfers through the capped link (bench/link: a loopback TCP proxy, ${link.mibPerSec} MiB/s per connection and direction, token bucket; the first byte of each answer held ${link.delayMs} ms), same variants and columns as above; URLs signed for the proxy's address`,
  );
}

function roundTripSection(results: BenchResults): string {
  const r = results.roundTrip;
  const row = (name: string, side: typeof r.library | undefined) =>
    side
      ? [name, medianRange(side.peakMiB), medianRange(side.beforeMiB)]
      : [name, 'not measured', '-'];
  return [
    `Round trip of ${formatBytes(r.bytes)} (upload, then download, in a fresh process each, ${results.config.roundTrip.repetitions} time(s)): the process's peak RSS, runtime included, MiB: median [min-max]`,
    renderTable(
      ['client', 'peak RSS', 'RSS before'],
      [
        row('nest-bucket (uploadFile + downloadFile)', r.library),
        row('raw SDK (lib-storage Upload + one GetObject), no Nest', r.sdk),
        row('boto3 (upload_file + download_file)', r.boto3),
        ['Node, loading nothing', r.bareNodeMiB ? medianRange(r.bareNodeMiB) : '-', '-'],
      ],
    ),
  ].join('\n');
}

function verdict(met: boolean | undefined, hasTarget: boolean): string {
  if (!hasTarget) return '';
  return met === undefined ? 'n/a' : met ? 'met' : 'MISSED';
}

function ratiosSection(results: BenchResults): string {
  const { ratios, memory } = results.issue14;
  const rows = ratios.map((r) => [
    r.group,
    r.ratio,
    ratioText(r.value),
    r.atLeast === undefined ? '' : `>= ${r.atLeast}x`,
    verdict(r.met, r.atLeast !== undefined),
  ]);
  rows.push(['memory', memory.target, memory.measured, 'see left', verdict(memory.met, true)]);
  return [
    'Issue 14: ratios (median [min-max], paired per repetition) and targets; a missed target fails nothing',
    renderTable(['where', 'ratio', 'measured', 'target', 'verdict'], rows),
  ].join('\n');
}

/**
 * The report's part for issue 14: the capped-link table, the round trip's memory, and the
 * ratios with their targets.
 *
 * @param results - the figures
 */
export function issue14Section(results: BenchResults): string {
  return [cappedSection(results), '', roundTripSection(results), '', ratiosSection(results)].join(
    '\n',
  );
}
