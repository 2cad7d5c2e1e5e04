import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { loadavg } from 'node:os';
import { BUCKET_OPTION_DEFAULTS } from '../libs/bucket/src';
import { cleanupOnSignals, onCleanup, runCleanup } from './cleanup';
import { createBenchService, createRawClient } from './clients';
import { benchConfig } from './config';
import { createWorkFolder } from './files';
import { machineInfo } from './machine';
import { RESULTS_FILE } from './paths';
import { renderReport } from './report';
import { writeResults } from './results';
import { runCopies } from './scenarios/copy';
import { runLargeTransfers } from './scenarios/large-transfers';
import { runListing } from './scenarios/listing';
import { runSmallOps } from './scenarios/small-ops';
import { provideServer } from './server';
import { checkTargets } from './targets';
import { prepareBoto3 } from './transfers/boto3';

const started = performance.now();

/** Progress, on stderr so that stdout holds only the report. */
function log(line: string): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
  console.error(`[${seconds} s] ${line}`);
}

/**
 * `npm run bench`: starts the local S3 server (unless `BUCKET_HOST` names one), measures the
 * library against the raw SDK, raw HTTP and boto3, prints the report and writes
 * `bench/results/latest.json`. Stops the server and removes its files at the end, on error and on
 * SIGINT.
 */
async function main(): Promise<void> {
  cleanupOnSignals();
  const machine = machineInfo(loadavg()[0] ?? 0);
  const config = benchConfig();
  const boto3 = await prepareBoto3();
  log(boto3.note);
  log('starting the local S3 server...');
  const server = await provideServer();
  log(`server: ${server.endpoint} (${server.description})`);
  const folder = await createWorkFolder();
  const client = createRawClient(server);
  onCleanup('close the raw client', () => {
    client.destroy();
  });
  const { service, close } = await createBenchService(server);
  onCleanup('close the Nest context', close);

  const bucket = `bench-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  onCleanup(`delete bucket ${bucket}`, async () => {
    if (!server.startedHere) await service.deleteBucket(bucket, { force: true });
  });

  log('small operations...');
  const smallOps = await runSmallOps(service, client, bucket, config.smallOps, log);
  log('listing...');
  const listing = await runListing(service, client, bucket, config.listing, log);
  log('server-side copies...');
  const copy = await runCopies(service, client, bucket, config.copy, log);
  const inProcess = process.env.BENCH_IN_PROCESS === '1';
  log(
    `large transfers (Node variants in ${inProcess ? 'this process' : 'a fresh process each'})...`,
  );
  const largeTransfers = await runLargeTransfers(
    {
      service,
      client,
      server,
      rawHttp: config.rawHttp,
      python: boto3.available ? boto3.python : undefined,
      folder,
      inProcess,
    },
    bucket,
    folder,
    config.largeTransfers,
    log,
  );

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
    smallOps,
    largeTransfers,
    listing,
    copy,
    targets: checkTargets(smallOps, largeTransfers, listing),
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
