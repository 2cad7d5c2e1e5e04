import { issue14Section } from './report-issue14';
import { telemetrySection } from './report-telemetry';
import type { BenchResults } from './results';
import { ratioText, transferTable } from './report-transfers';
import { medianRange, renderTable } from './table';
import { formatBytes } from './units';

function smallOpsSection(results: BenchResults): string {
  const rows = results.smallOps.flatMap((mode) =>
    Object.entries(mode.ops).map(([op, r]) => [
      mode.mode.name,
      op,
      medianRange(r.service),
      medianRange(r.raw),
      ratioText(r.ratio),
      r.boto3 ? medianRange(r.boto3) : '-',
      ratioText(r.boto3Ratio),
      r.http ? medianRange(r.http) : '-',
      ratioText(r.httpBoto3Ratio),
      `${r.serviceCpuUs.median.toFixed(0)} / ${r.rawCpuUs.median.toFixed(0)} / ${r.boto3CpuUs?.median.toFixed(0) ?? '-'} / ${r.httpCpuUs?.median.toFixed(0) ?? '-'}`,
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
    `Small operations on ${size} objects, ops/s: median [min-max] of ${results.config.smallOps.repetitions} repetitions; ratio = BucketService / raw SDK, "vs boto3" = BucketService / boto3, paired per repetition (boto3: one Python process per repetition, a thread pool for operations in flight); raw HTTP = presigned URLs signed before the batch, Node's http, no SDK (the server's ceiling), "HTTP vs boto3" = raw HTTP / boto3; client CPU in µs per operation (BucketService / raw SDK / boto3 / raw HTTP)`,
    renderTable(
      [
        'mode',
        'op',
        'BucketService',
        'raw SDK',
        'ratio',
        'boto3',
        'vs boto3',
        'raw HTTP',
        'HTTP vs boto3',
        'CPU µs/op',
      ],
      rows,
    ),
    '',
    'putObject latency, ms (every timed put)',
    renderTable(['mode', 'variant', 'p50', 'p99', 'puts'], latencyRows),
  ].join('\n');
}

function transfersSection(results: BenchResults): string {
  return [
    transferTable(
      results.largeTransfers,
      `Large transfers on loopback, MiB/s: median [min-max]; "nest-bucket vs" = nest-bucket / that variant, paired per repetition; client CPU s/GiB (median); RSS growth in MiB (median / worst) of the process moving the bytes (each Node variant's run in ${results.config.nodeVariantsIn}; boto3 in a fresh Python process each; curl: its whole peak RSS, CPU and RSS sampled from /proc every 10 ms, time less its ${results.curl.startupMs.toFixed(0)} ms start-up)`,
    ),
    '',
    'nest-bucket RSS growth in a fresh process (peak during the transfer - RSS before, after a warm-up), MiB',
    renderTable(
      ['size', 'uploadFile', 'downloadFile'],
      results.largeTransfers.map((s) => [
        formatBytes(s.bytes),
        s.probe?.upload.growthMiB.toFixed(0) ?? '-',
        s.probe?.download.growthMiB.toFixed(0) ?? '-',
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
    `curl ${results.curl.version} (Debian), minio ${results.minio.version} (npm)`,
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
    '',
    issue14Section(results),
    '',
    telemetrySection(results.telemetry),
  ].join('\n');
}
