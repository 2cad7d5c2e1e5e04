import type { S3Client } from '@aws-sdk/client-s3';
import type { Client as MinioClient } from 'minio';
import { rm } from 'node:fs/promises';
import type { BucketService } from '../../libs/bucket/src';
import { fileSize } from '../files';
import type { ServerConnection } from '../server';
import { GIB } from '../units';
import { boto3Transfer } from './boto3';
import { curlGet, curlParallelGet, curlPut, type CurlTiming, type RangePlan } from './curl';
import type { CurlSetup } from './curl-setup';
import { runInFreshProcess } from './fresh-process';
import {
  NODE_VARIANT,
  nodeWork,
  timeTransfer,
  type NodeVariantName,
  type TransferJob,
} from './node-work';
import type { RawHttpPlan } from './raw-http';

export type { TransferJob } from './node-work';

/** What one timed transfer cost. */
export interface Measured {
  ms: number;
  /** RSS growth of the process that moved the bytes, in MiB. */
  rssGrowthMiB: number;
  /** CPU time (user + system, every thread) of that process per GiB moved, in seconds. */
  cpuSecondsPerGiB: number;
  /** The share of all the machine's CPUs busy during the timed transfer (see `busyShare`). */
  machineBusy?: number;
}

/** One way of uploading or downloading a large file. */
export interface TransferVariant {
  name: string;
  measure: (job: TransferJob) => Promise<Measured>;
}

/** Everything the variants need. */
export interface VariantContext {
  service: BucketService;
  client: S3Client;
  server: ServerConnection;
  /** The raw-HTTP reference's settings (its transport is `node:http`). */
  rawHttp: RawHttpPlan;
  /** The Python interpreter with boto3, when available. */
  python?: string;
  /** The `minio` npm client (for the in-process runs; fresh processes make their own). */
  minio: MinioClient;
  /** Debian's curl, for the one-stream and parallel-range references. */
  curl: CurlSetup;
  /** The ranges of `downloadFile` (the library's part size and download concurrency). */
  ranges: RangePlan;
  /** A folder for the fresh processes' warm-up files. */
  folder: string;
  /**
   * Time the Node variants in the bench's own process (`BENCH_IN_PROCESS=1`) rather than each
   * run in a fresh process.
   */
  inProcess: boolean;
}

/** Variant names, as the report shows them. */
export const VARIANT = {
  ...NODE_VARIANT,
  boto3: 'boto3',
  curl: 'curl, 1 stream',
  curlParallel: 'curl --parallel',
} as const;

/** Seconds a presigned URL of a curl reference lives: longer than any timed run. */
const URL_LIFETIME = 3600;

/**
 * A Node variant: each timed run in a fresh process after a warm-up there (as boto3 runs), or,
 * with `context.inProcess`, in this process. The bytes moved are checked with `verify`, which
 * gets what the run received when it wrote no file.
 */
function nodeVariant(
  context: VariantContext,
  name: NodeVariantName,
  direction: 'upload' | 'download',
  verify: (job: TransferJob, received: number | undefined) => Promise<number>,
): TransferVariant {
  const work = nodeWork(name, direction, context);
  return {
    name,
    measure: async (job) => {
      const run = context.inProcess
        ? await timeTransfer(() => work(job), job.size)
        : await runInFreshProcess({
            server: context.server,
            variant: name,
            direction,
            job,
            rawHttp: context.rawHttp,
            folder: context.folder,
          });
      const moved = await verify(job, run.received);
      if (moved !== job.size) throw new Error(`${name}: moved ${moved} of ${job.size} bytes`);
      return {
        ms: run.ms,
        rssGrowthMiB: run.rss.growthMiB,
        cpuSecondsPerGiB: run.cpuSecondsPerGiB,
        machineBusy: run.machineBusy,
      };
    },
  };
}

/** A boto3 transfer in a Python child process, checked with `verify`. */
function viaBoto3(
  python: string,
  server: ServerConnection,
  direction: 'upload' | 'download',
  verify: (job: TransferJob) => Promise<number>,
): TransferVariant {
  return {
    name: VARIANT.boto3,
    measure: async (job) => {
      const timing = await boto3Transfer(python, server, direction, job.bucket, job.key, job.path);
      const moved = await verify(job);
      if (moved !== job.size) throw new Error(`boto3: moved ${moved} of ${job.size} bytes`);
      return { ...timing, cpuSecondsPerGiB: timing.cpuSeconds / (job.size / GIB) };
    },
  };
}

/**
 * A curl reference: the URL signed by the library's `getPresignedUrl` (for the endpoint the
 * context's service talks to: the server, or the capped link), then one curl run; checked with
 * `verify`, which gets the bytes curl wrote when it wrote range files.
 */
function viaCurl(
  context: VariantContext,
  name: string,
  method: 'GET' | 'PUT',
  transfer: (url: string, job: TransferJob) => Promise<CurlTiming & { written?: number }>,
  verify: (job: TransferJob, written: number | undefined) => Promise<number>,
): TransferVariant {
  return {
    name,
    measure: async (job) => {
      const url = await context.service.getPresignedUrl(job.bucket, job.key, {
        method,
        expiresIn: URL_LIFETIME,
      });
      const timing = await transfer(url, job);
      const moved = await verify(job, timing.written);
      if (moved !== job.size) throw new Error(`${name}: moved ${moved} of ${job.size} bytes`);
      return timing;
    },
  };
}

/**
 * The upload variants: `uploadFile` (library defaults, and with `verifyChecksums: false` for the
 * cost of Content-MD5), lib-storage's `Upload` with its defaults,
 * the presigned-URL multipart upload over `node:http` (and over `fetch` when `withFetch`),
 * minio's `fPutObject`, one curl PUT of the whole file to a presigned URL, and boto3's
 * `upload_file` when available.
 *
 * @param context - clients and settings
 * @param withFetch - whether to add the `fetch` flavour of the raw-HTTP reference
 */
export function uploadVariants(context: VariantContext, withFetch: boolean): TransferVariant[] {
  const { service, server, python, curl } = context;
  const stored = async (job: TransferJob) =>
    (await service.getBucketFile(job.bucket, job.key)).size;
  const node = (name: NodeVariantName) => nodeVariant(context, name, 'upload', stored);
  return [
    node(VARIANT.library),
    node(VARIANT.libraryUnchecked),
    node(VARIANT.sdk),
    node(VARIANT.http),
    ...(withFetch ? [node(VARIANT.httpFetch)] : []),
    node(VARIANT.minio),
    viaCurl(
      context,
      VARIANT.curl,
      'PUT',
      (url, job) => curlPut(curl, url, job.path, job.size),
      stored,
    ),
    ...(python ? [viaBoto3(python, server, 'upload', stored)] : []),
  ];
}

/**
 * The download variants: `downloadFile` (library defaults, and with `verifyChecksums: false` for
 * the cost of the ETag check), one streamed `GetObject` piped to a
 * file, parallel ranged presigned GETs over `node:http` each piped into the file at its offset,
 * minio's `fGetObject`, curl: one stream, and `--parallel` over the ranges of `downloadFile` (see
 * `curlParallelGet`), and boto3's `download_file` when available; with `withFetch`, also the same ranged GETs over
 * `fetch`, and over `node:http` with the bytes discarded (the server's ceiling). Each downloaded
 * file is removed after its check.
 *
 * @param context - clients and settings
 * @param withFetch - whether to add the `fetch` and discarding flavours of the reference
 */
export function downloadVariants(context: VariantContext, withFetch: boolean): TransferVariant[] {
  const { server, python, curl, ranges } = context;
  const written = async (job: TransferJob) => {
    try {
      return await fileSize(job.path);
    } finally {
      await rm(job.path, { force: true });
    }
  };
  const node = (name: NodeVariantName) => nodeVariant(context, name, 'download', written);
  return [
    node(VARIANT.library),
    node(VARIANT.libraryUnchecked),
    node(VARIANT.sdk),
    node(VARIANT.http),
    node(VARIANT.minio),
    viaCurl(
      context,
      VARIANT.curl,
      'GET',
      (url, job) => curlGet(curl, url, job.path, job.size),
      written,
    ),
    viaCurl(
      context,
      VARIANT.curlParallel,
      'GET',
      (url, job) => curlParallelGet(curl, url, job.path, job.size, ranges),
      (_job, bytes) => Promise.resolve(bytes ?? 0),
    ),
    ...(withFetch
      ? [
          node(VARIANT.httpFetch),
          nodeVariant(context, VARIANT.httpDiscard, 'download', (_job, received) =>
            Promise.resolve(received ?? 0),
          ),
        ]
      : []),
    ...(python ? [viaBoto3(python, server, 'download', written)] : []),
  ];
}
