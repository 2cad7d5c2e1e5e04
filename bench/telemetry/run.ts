import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { cleanupOnSignals, onCleanup, runCleanup } from '../cleanup';
import { createBenchService, createRawClient } from '../clients';
import { telemetrySection } from '../report-telemetry';
import { runTelemetry, telemetryConfig } from '../scenarios/telemetry';
import { provideServer } from '../server';

/**
 * `npm run bench:telemetry`: the telemetry scenario of `npm run bench` alone (see
 * `runTelemetry`), printed as its report section; nothing is written. Same settings:
 * `BENCH_TELEMETRY_OPS`, `BENCH_TELEMETRY_REPS`, `BENCH_TELEMETRY_IN_FLIGHT`, `BENCH_QUICK`.
 */
async function main(): Promise<void> {
  cleanupOnSignals();
  const server = await provideServer();
  const client = createRawClient(server);
  onCleanup('close the raw client', () => {
    client.destroy();
  });
  const bucket = `bench-otel-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  onCleanup(`delete bucket ${bucket}`, async () => {
    if (server.startedHere) return;
    const { service, close } = await createBenchService(server);
    try {
      await service.deleteBucket(bucket, { force: true });
    } finally {
      await close();
    }
  });
  const result = await runTelemetry(server, bucket, telemetryConfig(), (line) => {
    console.error(line);
  });
  console.log(telemetrySection(result));
}

main()
  .catch((error: unknown) => {
    console.error('bench failed:', error);
    process.exitCode = 1;
  })
  .finally(() => runCleanup());
