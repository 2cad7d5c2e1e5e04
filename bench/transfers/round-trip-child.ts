import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { createBenchService, createRawClient } from '../clients';
import type { ServerConnection } from '../server';
import { MIB } from '../units';
import { sdkDownload, sdkUpload } from './sdk';

/** What the parent hands the round-trip process, as JSON in `BENCH_ROUND_TRIP`. */
export interface RoundTripRequest {
  /** Who moves the bytes: the module, or the raw SDK (lib-storage `Upload`, one `GetObject`). */
  client: 'nest-bucket' | 'raw SDK';
  server: ServerConnection;
  bucket: string;
  key: string;
  /** The file to upload. */
  source: string;
  /** The file to download into. */
  target: string;
}

/** What the round-trip process prints, as JSON. */
export interface RoundTripMemory {
  /** RSS once the service is up, in MiB. */
  beforeMiB: number;
  /** The process's peak RSS over its whole life (VmHWM, never reset), in MiB. */
  peakMiB: number;
  ms: number;
}

/** VmHWM, the kernel's peak RSS of this process since it started, in bytes. */
function lifetimePeak(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** A round trip, ready to go once its client is up, and how to release that client. */
interface RoundTripWork {
  go: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The module as an application uses it: `BucketModule` in a Nest context (its start-up check
 * opens a connection, like boto3's HeadBucket), then `uploadFile` and `downloadFile`.
 */
async function moduleRoundTrip(request: RoundTripRequest): Promise<RoundTripWork> {
  const { service, close } = await createBenchService(request.server);
  return {
    go: async () => {
      await service.uploadFile(request.bucket, request.source, request.key);
      await service.downloadFile(request.bucket, request.key, request.target);
    },
    close,
  };
}

/** The raw SDK, no Nest: one HeadBucket, then lib-storage's `Upload` and one `GetObject`. */
async function sdkRoundTrip(request: RoundTripRequest): Promise<RoundTripWork> {
  const client = createRawClient(request.server);
  await client.send(new HeadBucketCommand({ Bucket: request.bucket }));
  return {
    go: async () => {
      await sdkUpload(client, request.bucket, request.key, request.source);
      await sdkDownload(client, request.bucket, request.key, request.target);
    },
    close: () => {
      client.destroy();
      return Promise.resolve();
    },
  };
}

/**
 * One round trip in a fresh process, with the default options: upload the file, download it;
 * prints the process's peak RSS.
 */
async function main(): Promise<void> {
  const request = JSON.parse(process.env.BENCH_ROUND_TRIP ?? '{}') as RoundTripRequest;
  const work = await (request.client === 'raw SDK' ? sdkRoundTrip : moduleRoundTrip)(request);
  try {
    const before = process.memoryUsage.rss();
    const started = performance.now();
    await work.go();
    const result: RoundTripMemory = {
      beforeMiB: before / MIB,
      peakMiB: Math.max(lifetimePeak(), process.memoryUsage.rss()) / MIB,
      ms: performance.now() - started,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await work.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
