import { rm } from 'node:fs/promises';
import { createBenchService } from '../clients';
import { writeRandomFile } from '../files';
import { measureRss } from '../memory';
import type { ServerConnection } from '../server';
import { MIB } from '../units';
import type { ProbeRequest } from './launch';

const WARMUP_BYTES = 24 * MIB;

/**
 * The child process of `probeRss`: in a fresh Node process, builds the service, warms it up
 * with one small multipart upload and parallel download (so that code loading and JIT are not
 * counted), then measures the RSS growth of one `uploadFile` or `downloadFile` and prints it as
 * JSON.
 */
async function main(): Promise<void> {
  const request = JSON.parse(process.env.BENCH_PROBE ?? '{}') as ProbeRequest & {
    server: ServerConnection;
  };
  const { service, close } = await createBenchService(request.server);
  try {
    const warmup = `${request.folder}/probe-warmup`;
    await writeRandomFile(warmup, WARMUP_BYTES);
    await service.uploadFile(request.bucket, warmup, 'probe-warmup');
    await rm(warmup);
    await service.downloadFile(request.bucket, 'probe-warmup', warmup);
    await rm(warmup);
    await service.deleteFile(request.bucket, 'probe-warmup');
    const { result: ms, rss } = await measureRss(async () => {
      const started = performance.now();
      if (request.direction === 'upload')
        await service.uploadFile(request.bucket, request.path, request.key);
      else await service.downloadFile(request.bucket, request.key, request.path);
      return performance.now() - started;
    });
    process.stdout.write(`${JSON.stringify({ ms, rss })}\n`);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
