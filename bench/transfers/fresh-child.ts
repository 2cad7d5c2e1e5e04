import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { rm } from 'node:fs/promises';
import { createBenchService, createRawClient } from '../clients';
import { writeRandomFile } from '../files';
import { MIB } from '../units';
import type { FreshRunRequest } from './fresh-process';
import { createMinioClient } from './minio';
import { nodeWork, timeTransfer } from './node-work';
import { sdkUpload } from './sdk';

const WARMUP_BYTES = 24 * MIB;

/**
 * The child process of `runInFreshProcess`: builds the service and a raw client, warms the
 * variant up with one transfer of 24 MiB (code loading, JIT, sockets), then times one transfer
 * and prints `{ ms, cpuSecondsPerGiB, rss, received }` as JSON.
 */
async function main(): Promise<void> {
  const request = JSON.parse(process.env.BENCH_FRESH_RUN ?? '{}') as FreshRunRequest;
  const { job, direction } = request;
  const { service, close } = await createBenchService(request.server);
  const client = createRawClient(request.server);
  try {
    const work = nodeWork(request.variant, direction, {
      service,
      client,
      rawHttp: request.rawHttp,
      minio: createMinioClient(request.server),
    });
    const warmup = {
      bucket: job.bucket,
      key: `${job.key}.warmup`,
      path: `${request.folder}/fresh-warmup-${process.pid}`,
      size: WARMUP_BYTES,
    };
    await writeRandomFile(warmup.path, WARMUP_BYTES);
    if (direction === 'download') await sdkUpload(client, warmup.bucket, warmup.key, warmup.path);
    await work(warmup);
    await rm(warmup.path, { force: true });
    await client.send(new DeleteObjectCommand({ Bucket: warmup.bucket, Key: warmup.key }));

    const timing = await timeTransfer(() => work(job), job.size);
    process.stdout.write(`${JSON.stringify(timing)}\n`);
  } finally {
    client.destroy();
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
