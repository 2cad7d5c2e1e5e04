import type { BenchResults } from './results';
import { medianRange, renderTable } from './table';
import { libraryRatio } from './targets';
import { VARIANT } from './transfers/variants';
import { formatBytes } from './units';

function ratioText(r: { median: number; min: number; max: number } | undefined): string {
  return r ? `${r.median.toFixed(2)}x [${r.min.toFixed(2)}-${r.max.toFixed(2)}]` : '-';
}

function smallOpsSection(results: BenchResults): string {
  const rows = results.smallOps.flatMap((mode) =>
    Object.entries(mode.ops).map(([op, r]) => [
      mode.mode.name,
      op,
      medianRange(r.service),
      medianRange(r.raw),
      ratioText(r.ratio),
      `${r.serviceCpuUs.median.toFixed(0)} / ${r.rawCpuUs.median.toFixed(0)}`,
    ]),
  );
  const latencyRows = results.smallOps.flatMap((mode) =>
    (['service', 'raw'] as const).map((v) => {
      const l = mode.putLatency[v];
      return [
        mode.mode.name,
        v === 'service' ? 'BucketService' : 'raw SDK',
        l.p50.toFixed(2),
        l.p99.toFixed(2),
        String(l.n),
      ];
    }),
  );
  const size = formatBytes(results.config.smallOps.objectBytes);
  return [
    `Small operations on ${size} objects, ops/s: median [min-max] of ${results.config.smallOps.repetitions} repetitions; ratio = BucketService / raw SDK, paired per repetition; client CPU in µs per operation (BucketService / raw SDK)`,
    renderTable(['mode', 'op', 'BucketService', 'raw SDK', 'ratio', 'CPU µs/op'], rows),
    '',
    'putObject latency, ms (every timed put)',
    renderTable(['mode', 'variant', 'p50', 'p99', 'puts'], latencyRows),
  ].join('\n');
}

function transfersSection(results: BenchResults): string {
  const rows: string[][] = [];
  for (const size of results.largeTransfers) {
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
          `${r.rssGrowthMiB.median.toFixed(0)} / ${r.rssGrowthMiB.max.toFixed(0)}`,
        ]);
      }
    }
  }
  return [
    `Large transfers, MiB/s: median [min-max]; "nest-bucket vs" = nest-bucket / that variant, paired per repetition; client CPU s/GiB (median); RSS growth in MiB (median / worst) of the process moving the bytes (each Node variant's run in ${results.config.nodeVariantsIn}; boto3 in a fresh Python process each)`,
    renderTable(
      ['size', 'direction', 'variant', 'MiB/s', 'nest-bucket vs', 'CPU s/GiB', 'RSS growth'],
      rows,
    ),
    '',
    'nest-bucket RSS growth in a fresh process (peak during the transfer - RSS before, after a warm-up), MiB',
    renderTable(
      ['size', 'uploadFile', 'downloadFile'],
      results.largeTransfers.map((s) => [
        formatBytes(s.bytes),
        s.probe.upload.growthMiB.toFixed(0),
        s.probe.download.growthMiB.toFixed(0),
      ]),
    ),
  ].join('\n');
}

function listingSection(results: BenchResults): string {
  const l = results.listing;
  return [
    `Listing ${l.keys} keys, keys/s: median [min-max] (created once in ${(l.createMs / 1000).toFixed(1)} s)`,
    renderTable(
      ['listFiles', 'raw paginateListObjectsV2', 'ratio'],
      [[medianRange(l.listFiles), medianRange(l.raw), ratioText(l.ratio)]],
    ),
  ].join('\n');
}

function copySection(results: BenchResults): string {
  const c = results.copy;
  return [
    `Server-side copy of ${c.objectBytes / 1024 / 1024} MiB (copyFile), ms: median [min-max]; ratio = time / one CopyObject's`,
    renderTable(
      ['how', 'ms', 'ratio'],
      [
        ['one CopyObject', medianRange(c.singleCopyObject), '1'],
        ...c.inParts.map((p) => [
          `parts of ${p.partSizeMiB} MiB`,
          medianRange(p.ms),
          ratioText(p.ratio),
        ]),
      ],
    ),
  ].join('\n');
}

function targetsSection(results: BenchResults): string {
  const rows = results.targets.map((t) => [
    t.target,
    t.measured,
    t.met === undefined ? 'n/a' : t.met ? 'met' : 'MISSED',
  ]);
  return ['Targets (issue 4)', renderTable(['target', 'measured', 'verdict'], rows)].join('\n');
}

/**
 * The human-readable report of a run: every table with its ratios, then the targets.
 *
 * @param results - the figures
 */
export function renderReport(results: BenchResults): string {
  const m = results.machine;
  return [
    `nest-bucket benchmark, ${results.date}, ${results.durationSeconds.toFixed(0)} s`,
    `machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.platform}, Linux ${m.kernel}, node ${m.node}, load average ${m.loadAverageAtStart.toFixed(2)} at start, ${(m.loadAverageAtEnd ?? Number.NaN).toFixed(2)} at end`,
    `server: ${results.server.description} at ${results.server.endpoint} (same machine)`,
    `boto3: ${results.boto3.note}${results.boto3.versions ? ` ${JSON.stringify(results.boto3.versions)}` : ''}`,
    '',
    smallOpsSection(results),
    '',
    transfersSection(results),
    '',
    listingSection(results),
    '',
    copySection(results),
    '',
    targetsSection(results),
  ].join('\n');
}
