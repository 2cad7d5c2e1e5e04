import type { TelemetryResult } from './scenarios/telemetry';
import { medianRange, renderTable } from './table';
import { ratioText } from './report-transfers';

/**
 * The telemetry section of the report: ops/s and CPU of small operations with a real tracer
 * provider against none, and with `@opentelemetry/api` absent against present without an SDK,
 * with their ratios.
 *
 * @param result - the scenario's figures
 */
export function telemetrySection(result: TelemetryResult): string {
  const { config, ops, absentCheck } = result;
  const rows = Object.entries(ops).map(([op, r]) => [
    op,
    medianRange(r.noSdk),
    medianRange(r.sdk),
    ratioText(r.sdkRatio),
    `${r.noSdkCpuUs.median.toFixed(0)} / ${r.sdkCpuUs.median.toFixed(0)}`,
    ratioText(r.sdkCpuRatio),
    medianRange(r.absent),
    medianRange(r.api),
    ratioText(r.apiRatio),
    ratioText(r.apiCpuRatio),
  ]);
  const yesNo = (value: boolean) => (value ? 'yes' : 'no');
  return [
    `Telemetry cost on ${config.objectBytes / 1024} KiB operations (${config.opsPerBatch} a batch, ${config.inFlight} in flight, ${config.repetitions} repetitions), ops/s: median [min-max]; "SDK / none" = with a tracer and a meter provider installed / with the API's no-ops, in one process, alternating; "API / absent" = @opentelemetry/api without SDK / not installed, a fresh process each (the median of its 3 rounds); ratios paired per repetition; CPU µs/op of the process`,
    renderTable(
      [
        'op',
        'no SDK',
        'SDK',
        'SDK / none',
        'CPU µs/op none / SDK',
        'CPU ratio',
        'API absent',
        'API, no SDK',
        'API / absent',
        'CPU ratio',
      ],
      rows,
    ),
    `With @opentelemetry/api absent: loaded by the library ${yesNo(absentCheck.apiLoaded)}, telemetry middleware on the client ${yesNo(absentCheck.instrumented)}`,
  ].join('\n');
}
