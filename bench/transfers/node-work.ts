import { busyShare, cpuTicks } from '../machine-busy';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Client as MinioClient } from 'minio';
import type { BucketService } from '../../libs/bucket/src';
import { measureRss, type RssGrowth } from '../memory';
import { GIB } from '../units';
import { rawHttpDownload, rawHttpUpload, type RawHttpPlan } from './raw-http';
import { minioDownload, minioUpload } from './minio';
import { sdkDownload, sdkUpload } from './sdk';

/** One transfer to make: the object, the local file, and the size. */
export interface TransferJob {
  bucket: string;
  key: string;
  /** The file to upload, or the file to download into. */
  path: string;
  size: number;
}

/** The Node variants, by the name the tables use. */
export const NODE_VARIANT = {
  library: 'nest-bucket',
  libraryUnchecked: 'nest-bucket, verifyChecksums: false',
  sdk: 'raw SDK',
  http: 'raw HTTP',
  httpFetch: 'raw HTTP (fetch)',
  httpDiscard: 'raw HTTP, discarded',
  minio: 'minio',
} as const;

/** A Node variant's name. */
export type NodeVariantName = (typeof NODE_VARIANT)[keyof typeof NODE_VARIANT];

/** What a Node variant needs to run. */
export interface NodeWorkContext {
  service: BucketService;
  client: S3Client;
  rawHttp: RawHttpPlan;
  /** The `minio` npm client, for the same server. */
  minio: MinioClient;
}

/**
 * The transfer a Node variant makes, in whichever process runs it.
 *
 * @returns the bytes received when the variant writes no file (the discarding reference)
 */
export function nodeWork(
  name: NodeVariantName,
  direction: 'upload' | 'download',
  context: NodeWorkContext,
): (job: TransferJob) => Promise<number | undefined> {
  const { service, client, rawHttp, minio } = context;
  const none = () => undefined;
  // The library's two variants differ only in this option.
  const checks = { verifyChecksums: name !== NODE_VARIANT.libraryUnchecked };
  if (direction === 'upload') {
    switch (name) {
      case NODE_VARIANT.library:
      case NODE_VARIANT.libraryUnchecked:
        return (job) => service.uploadFile(job.bucket, job.path, job.key, checks).then(none);
      case NODE_VARIANT.sdk:
        return (job) => sdkUpload(client, job.bucket, job.key, job.path).then(none);
      case NODE_VARIANT.http:
        return (job) =>
          rawHttpUpload(client, job.bucket, job.key, job.path, job.size, rawHttp).then(none);
      case NODE_VARIANT.httpFetch:
        return (job) =>
          rawHttpUpload(client, job.bucket, job.key, job.path, job.size, {
            ...rawHttp,
            transport: 'fetch',
          }).then(none);
      case NODE_VARIANT.minio:
        return (job) => minioUpload(minio, job.bucket, job.key, job.path).then(none);
      default:
        throw new Error(`no upload variant named ${name}`);
    }
  }
  switch (name) {
    case NODE_VARIANT.library:
    case NODE_VARIANT.libraryUnchecked:
      return (job) => service.downloadFile(job.bucket, job.key, job.path, checks).then(none);
    case NODE_VARIANT.sdk:
      return (job) => sdkDownload(client, job.bucket, job.key, job.path).then(none);
    case NODE_VARIANT.http:
      return (job) => rawHttpDownload(client, job, rawHttp).then(none);
    case NODE_VARIANT.httpFetch:
      return (job) => rawHttpDownload(client, job, { ...rawHttp, transport: 'fetch' }).then(none);
    case NODE_VARIANT.httpDiscard:
      return (job) => rawHttpDownload(client, { ...job, path: undefined }, rawHttp);
    case NODE_VARIANT.minio:
      return (job) => minioDownload(minio, job.bucket, job.key, job.path).then(none);
  }
}

/** What one timed transfer cost the process that made it. */
export interface TransferTiming {
  ms: number;
  cpuSecondsPerGiB: number;
  rss: RssGrowth;
  /** Bytes received, for a variant that writes no file. */
  received?: number;
  /** The share of all the machine's CPUs busy meanwhile. */
  machineBusy: number;
}

/**
 * Times one transfer of `bytes` in this process: wall time, CPU time (user + system, every
 * thread) per GiB, and RSS growth.
 *
 * @param work - the transfer; resolves to the bytes received when it writes no file
 * @param bytes - the bytes it moves
 */
export async function timeTransfer(
  work: () => Promise<number | undefined>,
  bytes: number,
): Promise<TransferTiming> {
  let cpu = { user: 0, system: 0 };
  let received: number | undefined;
  let machineBusy = Number.NaN;
  const { result: ms, rss } = await measureRss(async () => {
    const cpuBefore = process.cpuUsage();
    const ticksBefore = cpuTicks();
    const started = performance.now();
    received = await work();
    const elapsed = performance.now() - started;
    cpu = process.cpuUsage(cpuBefore);
    machineBusy = busyShare(ticksBefore, cpuTicks());
    return elapsed;
  });
  return {
    ms,
    rss,
    received,
    machineBusy,
    cpuSecondsPerGiB: (cpu.user + cpu.system) / 1e6 / (bytes / GIB),
  };
}
