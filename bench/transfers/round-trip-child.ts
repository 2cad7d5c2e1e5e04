import { readFileSync } from 'node:fs';
import { createBenchService } from '../clients';
import type { ServerConnection } from '../server';
import { MIB } from '../units';

/** What the parent hands the round-trip process, as JSON in `BENCH_ROUND_TRIP`. */
export interface RoundTripRequest {
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

/**
 * The library's round trip in a fresh process, as an application makes it: `BucketModule` in a
 * Nest context (its start-up check opens a connection, like boto3's HeadBucket), then
 * `uploadFile` and `downloadFile` of the same file with the default options; prints the
 * process's peak RSS.
 */
async function main(): Promise<void> {
  const request = JSON.parse(process.env.BENCH_ROUND_TRIP ?? '{}') as RoundTripRequest;
  const { service, close } = await createBenchService(request.server);
  try {
    const before = process.memoryUsage.rss();
    const started = performance.now();
    await service.uploadFile(request.bucket, request.source, request.key);
    await service.downloadFile(request.bucket, request.key, request.target);
    const result: RoundTripMemory = {
      beforeMiB: before / MIB,
      peakMiB: Math.max(lifetimePeak(), process.memoryUsage.rss()) / MIB,
      ms: performance.now() - started,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
