import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { loadavg } from 'node:os';
import { BUCKET_OPTION_DEFAULTS } from '../libs/bucket/src';
import { cleanupOnSignals, onCleanup, runCleanup } from './cleanup';
import { createBenchService, createRawClient } from './clients';
import { benchConfig } from './config';
import { createWorkFolder } from './files';
import { issue14Report } from './issue14';
import { startCappedLink } from './link/start-link';
import { machineInfo } from './machine';
import { RESULTS_FILE } from './paths';
import { renderReport } from './report';
import { writeResults } from './results';
import { runCopies } from './scenarios/copy';
import { runLargeTransfers } from './scenarios/large-transfers';
import { runListing } from './scenarios/listing';
import { runRoundTrip } from './scenarios/round-trip';
import { runSmallOps } from './scenarios/small-ops';
import { boto3SmallOps } from './scenarios/small-ops-boto3';
import { runTelemetry, telemetryConfig } from './scenarios/telemetry';
import { provideServer, type ServerConnection } from './server';
import { checkTargets } from './targets';
import { prepareBoto3 } from './transfers/boto3';
import { prepareCurl } from './transfers/curl-setup';
import { createMinioClient, minioVersion } from './transfers/minio';
import type { VariantContext } from './transfers/variants';

const started = performance.now();

/** Progress, on stderr so that stdout holds only the report. */
function log(line: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  console.error(`[${seconds} s] ${line}`);
}

/**
 * The clients of the transfer variants for one endpoint (the server, or the capped link), closed
 * by the cleanup.
 */
async function variantContext(
  server: ServerConnection,
  shared: Omit<VariantContext, 'service' | 'client' | 'server' | 'minio'>,
): Promise<VariantContext> {
  const client = createRawClient(server);
  onCleanup(`close the raw client of ${server.endpoint}`, () => {
    client.destroy();
  });
  const { service, close } = await createBenchService(server);
  onCleanup(`close the Nest context of ${server.endpoint}`, close);
  return { ...shared, service, client, server, minio: createMinioClient(server) };
}

/**
 * `npm run bench`: starts the local S3 server (unless `BUCKET_HOST` names one), measures the
 * library against the raw SDK, raw HTTP, boto3, the minio client and curl, on loopback and
 * through a capped link, prints the report and writes `bench/results/latest.json`. Stops the
 * server and removes its files at the end, on error and on SIGINT.
 */
async function main(): Promise<void> {
  cleanupOnSignals();
  const machine = machineInfo(loadavg()[0] ?? 0);
  const config = benchConfig();
  const boto3 = await prepareBoto3();
  log(boto3.note);
  const curl = await prepareCurl();
  log(`curl ${curl.version}, start-up ${curl.startupMs.toFixed(1)} ms`);
  log('starting the local S3 server...');
  const server = await provideServer();
  log(`server: ${server.endpoint} (${server.description})`);
  const folder = await createWorkFolder();
  const inProcess = process.env.BENCH_IN_PROCESS === '1';
  const python = boto3.available ? boto3.python : undefined;
  const shared = {
    rawHttp: config.rawHttp,
    python,
    folder,
    inProcess,
    curl,
    ranges: {
      partSizeBytes: BUCKET_OPTION_DEFAULTS.partSizeBytes,
      concurrency: BUCKET_OPTION_DEFAULTS.downloadConcurrency,
    },
  };
  const loopback = await variantContext(server, shared);
  const { service, client } = loopback;

  const bucket = `bench-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  onCleanup(`delete bucket ${bucket}`, async () => {
    if (!server.startedHere) await service.deleteBucket(bucket, { force: true });
  });

  log('small operations...');
  const smallOps = await runSmallOps(
    service,
    client,
    bucket,
    config.smallOps,
    log,
    python === undefined
      ? undefined
      : boto3SmallOps(python, server, bucket, config.smallOps.objectBytes),
  );
  log('listing...');
  const listing = await runListing(service, client, bucket, config.listing, log);
  log('server-side copies...');
  const copy = await runCopies(service, client, bucket, config.copy, log);
  log(
    `large transfers (Node variants in ${inProcess ? 'this process' : 'a fresh process each'})...`,
  );
  const largeTransfers = await runLargeTransfers(
    loopback,
    bucket,
    folder,
    config.largeTransfers,
    log,
  );
  const linkServer = await startCappedLink(server, config.link);
  log(
    `capped link: ${linkServer.endpoint} (${config.link.mibPerSec} MiB/s, ${config.link.delayMs} ms)`,
  );
  const capped = await runLargeTransfers(
    await variantContext(linkServer, shared),
    bucket,
    folder,
    config.link.transfers,
    (line) => {
      log(`capped link: ${line}`);
    },
  );
  log('round trip memory...');
  const roundTrip = await runRoundTrip(
    server,
    client,
    bucket,
    folder,
    config.roundTrip,
    python,
    log,
  );
  log('telemetry cost (fresh processes)...');
  const telemetry = await runTelemetry(server, bucket, telemetryConfig(), log);

  const results = {
    date: new Date().toISOString(),
    durationSeconds: (performance.now() - started) / 1000,
    machine: { ...machine, loadAverageAtEnd: loadavg()[0] ?? 0 },
    server: { description: server.description, endpoint: server.endpoint },
    libraryOptions: { ...BUCKET_OPTION_DEFAULTS },
    config: {
      ...config,
      nodeVariantsIn: inProcess
        ? ('the bench process' as const)
        : ('a fresh process each' as const),
    },
    boto3: {
      available: boto3.available,
      note: boto3.note,
      ...(boto3.available ? { versions: { ...boto3.versions } } : {}),
    },
    curl: { version: curl.version, startupMs: curl.startupMs },
    minio: { version: minioVersion() },
    smallOps,
    largeTransfers,
    cappedLink: { description: linkServer.description, transfers: capped },
    roundTrip,
    listing,
    copy,
    targets: checkTargets(smallOps, largeTransfers, listing),
    issue14: issue14Report({
      loopback: largeTransfers,
      capped,
      link: config.link,
      plan: BUCKET_OPTION_DEFAULTS,
      smallOps,
      roundTrip,
    }),
    telemetry,
  };
  await writeResults(RESULTS_FILE, results);
  console.log(renderReport(results));
  log(`figures written to ${RESULTS_FILE}`);
}

main()
  .catch((error: unknown) => {
    console.error('bench failed:', error);
    process.exitCode = 1;
  })
  .finally(() => runCleanup());
