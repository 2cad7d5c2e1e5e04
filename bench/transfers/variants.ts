import type { S3Client } from '@aws-sdk/client-s3';
import { rm } from 'node:fs/promises';
import type { BucketService } from '../../libs/bucket/src';
import { fileSize } from '../files';
import { measureRss } from '../memory';
import type { ServerConnection } from '../server';
import { GIB } from '../units';
import { boto3Transfer } from './boto3';
import { rawHttpDownload, rawHttpUpload, type RawHttpPlan } from './raw-http';
import { sdkDownload, sdkUpload } from './sdk';

/** One large transfer to time: the object and the local file. */
export interface TransferJob {
  bucket: string;
  key: string;
  /** The file to upload, or the file to download into. */
  path: string;
  size: number;
}

/** What one run of a variant measured. */
export interface Measured {
  ms: number;
  /** RSS growth of the process that moved the bytes, in MiB. */
  rssGrowthMiB: number;
  /** CPU time (user + system, every thread) of that process per GiB moved, in seconds. */
  cpuSecondsPerGiB: number;
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
}

/** Variant names, as the report shows them. */
export const VARIANT = {
  library: 'nest-bucket',
  sdk: 'raw SDK',
  http: 'raw HTTP',
  httpFetch: 'raw HTTP (fetch)',
  httpDiscard: 'raw HTTP, discarded',
  boto3: 'boto3',
} as const;

/** Times `work` with its RSS growth and CPU time in this process; checks the bytes moved. */
function inProcess(
  name: string,
  work: (job: TransferJob) => Promise<unknown>,
  verify: (job: TransferJob) => Promise<number>,
): TransferVariant {
  return {
    name,
    measure: async (job) => {
      let cpu = { user: 0, system: 0 };
      const { result: ms, rss } = await measureRss(async () => {
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        await work(job);
        const elapsed = performance.now() - started;
        cpu = process.cpuUsage(cpuBefore);
        return elapsed;
      });
      const moved = await verify(job);
      if (moved !== job.size) throw new Error(`${name}: moved ${moved} of ${job.size} bytes`);
      return {
        ms,
        rssGrowthMiB: rss.growthMiB,
        cpuSecondsPerGiB: (cpu.user + cpu.system) / 1e6 / (job.size / GIB),
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
 * The upload variants: `uploadFile` (library defaults), lib-storage's `Upload` with its defaults,
 * the presigned-URL multipart upload over `node:http` (and over `fetch` when `withFetch`), and
 * boto3's `upload_file` when available.
 *
 * @param context - clients and settings
 * @param withFetch - whether to add the `fetch` flavour of the raw-HTTP reference
 */
export function uploadVariants(context: VariantContext, withFetch: boolean): TransferVariant[] {
  const { service, client, server, rawHttp, python } = context;
  const stored = async (job: TransferJob) =>
    (await service.getBucketFile(job.bucket, job.key)).size;
  const http = (name: string, plan: RawHttpPlan) =>
    inProcess(
      name,
      (job) => rawHttpUpload(client, job.bucket, job.key, job.path, job.size, plan),
      stored,
    );
  return [
    inProcess(VARIANT.library, (job) => service.uploadFile(job.bucket, job.path, job.key), stored),
    inProcess(VARIANT.sdk, (job) => sdkUpload(client, job.bucket, job.key, job.path), stored),
    http(VARIANT.http, rawHttp),
    ...(withFetch ? [http(VARIANT.httpFetch, { ...rawHttp, transport: 'fetch' })] : []),
    ...(python ? [viaBoto3(python, server, 'upload', stored)] : []),
  ];
}

/**
 * The download variants: `downloadFile` (library defaults), one streamed `GetObject` piped to a
 * file, parallel ranged presigned GETs over `node:http` each piped into the file at its offset,
 * and boto3's `download_file` when available; with `withFetch`, also the same ranged GETs over
 * `fetch`, and over `node:http` with the bytes discarded (the server's ceiling). Each downloaded
 * file is removed after its check.
 *
 * @param context - clients and settings
 * @param withFetch - whether to add the `fetch` and discarding flavours of the reference
 */
export function downloadVariants(context: VariantContext, withFetch: boolean): TransferVariant[] {
  const { service, client, server, rawHttp, python } = context;
  const written = async (job: TransferJob) => {
    try {
      return await fileSize(job.path);
    } finally {
      await rm(job.path, { force: true });
    }
  };
  const http = (name: string, plan: RawHttpPlan, toFile: boolean) => {
    let received = 0;
    return inProcess(
      name,
      async (job) => {
        const path = toFile ? job.path : undefined;
        received = await rawHttpDownload(client, { ...job, path }, plan);
      },
      async (job) => {
        if (toFile) await written(job);
        return received;
      },
    );
  };
  return [
    inProcess(
      VARIANT.library,
      (job) => service.downloadFile(job.bucket, job.key, job.path),
      written,
    ),
    inProcess(VARIANT.sdk, (job) => sdkDownload(client, job.bucket, job.key, job.path), written),
    http(VARIANT.http, rawHttp, true),
    ...(withFetch
      ? [
          http(VARIANT.httpFetch, { ...rawHttp, transport: 'fetch' }, true),
          http(VARIANT.httpDiscard, rawHttp, false),
        ]
      : []),
    ...(python ? [viaBoto3(python, server, 'download', written)] : []),
  ];
}
