import { CreateBucketCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { open, rm } from 'node:fs/promises';
import { downloadToFile } from '../../libs/bucket/src/transfers/download';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { cleanupOnSignals, onCleanup, runCleanup } from '../cleanup';
import { createBenchService, createRawClient } from '../clients';
import { createWorkFolder, writeRandomFile } from '../files';
import { benchConfig } from '../config';
import { startCappedLink } from '../link/start-link';
import { provideServer } from '../server';
import type { HttpTransport } from '../transfers/http-client';
import { rawHttpDownload, rawHttpUpload } from '../transfers/raw-http';
import { sdkDownload, sdkUpload } from '../transfers/sdk';
import { MIB } from '../units';
import {
  fileMultipartUpload,
  libStorageUpload,
  signPartsUnsigned,
  type PartBody,
} from './file-multipart';
import { runMatrix, type Candidate } from './matrix';
import { workerDownload } from './worker-download';
import { rangedDownload, type RangedOptions, type WritePath } from './ranged-download';

/** `[partMiB, concurrency]` pairs, from `BENCH_TUNE_GRID` (`8x4,16x8`) or a default grid. */
function grid(variable: string, fallback: string): [number, number][] {
  return (process.env[variable] ?? fallback)
    .split(',')
    .map((pair) => pair.split('x').map(Number) as [number, number]);
}

/**
 * `node dist/bench/bench/tune/run.js upload|download [MiB] [repetitions]`: times the library's
 * transfers over a grid of part sizes and concurrencies, next to the baselines, to find what the
 * library's defaults should be. Uses `BUCKET_HOST` when set, else starts the local server.
 */
async function main(): Promise<void> {
  cleanupOnSignals();
  const [experiment = 'upload', sizeArg = '256', repsArg = '3'] = process.argv.slice(2);
  const size = Number(sizeArg) * MIB;
  const reps = Number(repsArg);
  // BENCH_TUNE_LINK=1: every candidate through the capped link (BENCH_LINK_MIBPS, _DELAY_MS).
  const direct = await provideServer();
  const server =
    process.env.BENCH_TUNE_LINK === '1'
      ? await startCappedLink(direct, benchConfig().link)
      : direct;
  const folder = await createWorkFolder();
  const client = createRawClient(server);
  const { service, close } = await createBenchService(server);
  onCleanup('close', close);
  const bucket = `tune-${Date.now().toString(36)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const source = join(folder, 'source');
  await writeRandomFile(source, size);
  const remove = (key: string) => async () => {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  };
  const candidates: Candidate[] = [];
  const transports: HttpTransport[] = ['fetch', 'node:http'];
  if (experiment === 'upload') {
    candidates.push({
      name: 'lib-storage Upload (5 MiB x 4)',
      run: () => sdkUpload(client, bucket, 'sdk', source),
      after: remove('sdk'),
    });
    for (const [part, concurrency] of grid('BENCH_TUNE_GRID', '8x4,8x8,16x4,16x8,5x8')) {
      const key = `lib-${part}-${concurrency}`;
      candidates.push({
        name: `uploadFile ${part} MiB x ${concurrency}`,
        run: async () => {
          await service.uploadFile(bucket, source, key, { partSizeBytes: part * MIB, concurrency });
        },
        after: remove(key),
      });
    }
    for (const [part, concurrency] of grid('BENCH_TUNE_ALT', '8x4')) {
      const target = { bucket, key: `alt-${part}-${concurrency}`, path: source, size };
      for (const body of ['file-range-stream', 'buffer'] as PartBody[]) {
        candidates.push({
          name: `parts ${body} ${part} MiB x ${concurrency}`,
          run: () => fileMultipartUpload(client, target, part * MIB, concurrency, body),
          after: remove(target.key),
        });
      }
      const unsigned = signPartsUnsigned(createRawClient(server));
      candidates.push({
        name: `lib-storage unsigned ${part} MiB x ${concurrency}`,
        run: () => libStorageUpload(unsigned, target, part * MIB, concurrency, 64 * 1024),
        after: remove(target.key),
      });
      candidates.push({
        name: `lib-storage hwm 1 MiB ${part} MiB x ${concurrency}`,
        run: () => libStorageUpload(client, target, part * MIB, concurrency, MIB),
        after: remove(target.key),
      });
    }
    for (const [part, concurrency] of grid('BENCH_TUNE_HTTP', '8x4,8x8')) {
      for (const transport of transports) {
        const key = `http-${part}-${concurrency}`;
        candidates.push({
          name: `raw HTTP PUT ${transport} ${part} MiB x ${concurrency}`,
          run: () =>
            rawHttpUpload(client, bucket, key, source, size, {
              partSizeBytes: part * MIB,
              concurrency,
              transport,
            }),
          after: remove(key),
        });
      }
    }
  } else {
    await sdkUpload(client, bucket, 'source', source);
    const target = join(folder, 'target');
    const removeFile = () => rm(target, { force: true });
    candidates.push({
      name: 'one GetObject stream',
      run: () => sdkDownload(client, bucket, 'source', target),
      after: removeFile,
    });
    for (const [part, concurrency] of grid('BENCH_TUNE_GRID', '8x8,8x4,16x4,16x8')) {
      candidates.push({
        name: `downloadFile ${part} MiB x ${concurrency}`,
        run: async () => {
          await service.downloadFile(bucket, 'source', target, {
            partSizeBytes: part * MIB,
            concurrency,
          });
        },
        after: removeFile,
      });
    }
    candidates.push({
      name: 'downloadToFile (library core, raw client, plain file)',
      run: async () => {
        const file = await open(target, 'w');
        try {
          await downloadToFile(client, { operation: 'downloadFile', bucket, key: 'source' }, file, {
            verifyChecksums: true,
            partSizeBytes: 8 * MIB,
            concurrency: 8,
          });
        } finally {
          await file.close();
        }
      },
      after: removeFile,
    });
    const paths = (process.env.BENCH_TUNE_WRITE ?? 'awaited-writes,write-stream').split(',');
    for (const [workers, inFlight] of grid('BENCH_TUNE_WORKERS', '2x4')) {
      candidates.push({
        name: `worker threads ${workers} x ${inFlight} in flight, 8 MiB`,
        run: () =>
          workerDownload({
            server,
            bucket,
            key: 'source',
            path: target,
            size,
            partSizeBytes: 8 * MIB,
            workers,
            inFlight,
          }),
        after: removeFile,
      });
    }
    for (const [part, concurrency] of grid('BENCH_TUNE_ALT', '8x8')) {
      const firstWrite = (paths[0] ?? 'batched-writes') as WritePath;
      const steps: [string, RangedOptions][] = [
        ['first alone', { firstAlone: true }],
        ['first alone + If-Match', { firstAlone: true, ifMatch: true }],
        ['overlap + If-Match', { firstAlone: true, ifMatch: true, overlap: true }],
        ['overlap', { firstAlone: true, overlap: true }],
      ];
      for (const [label, options] of steps) {
        candidates.push({
          name: `ranged ${firstWrite} ${label} ${part} MiB x ${concurrency}`,
          run: () =>
            rangedDownload(
              client,
              { bucket, key: 'source', path: target, size },
              part * MIB,
              concurrency,
              firstWrite,
              options,
            ),
          after: removeFile,
        });
      }
      for (const how of paths as WritePath[]) {
        candidates.push({
          name: `ranged ${how} ${part} MiB x ${concurrency}`,
          run: () =>
            rangedDownload(
              client,
              { bucket, key: 'source', path: target, size },
              part * MIB,
              concurrency,
              how,
            ),
          after: removeFile,
        });
      }
    }
    for (const [part, concurrency] of grid('BENCH_TUNE_HTTP', '8x8,8x4')) {
      for (const transport of transports) {
        for (const toFile of [true, false]) {
          candidates.push({
            name: `raw HTTP GET ${transport} ${toFile ? 'to file' : 'discard'} ${part} MiB x ${concurrency}`,
            run: async () => {
              const path = toFile ? target : undefined;
              await rawHttpDownload(
                client,
                { bucket, key: 'source', size, path },
                { partSizeBytes: part * MIB, concurrency, transport },
              );
            },
            after: removeFile,
          });
        }
      }
    }
  }
  if (process.env.BENCH_TUNE_PREWARM) {
    // The full bench's earlier scenarios, in short: many small operations through the service.
    const body = Buffer.alloc(1024, 1);
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < Number(process.env.BENCH_TUNE_PREWARM)) {
          const key = `warm/${next++ % 100}`;
          await service.putObject(bucket, key, body);
          const { body: read } = await service.getObject(bucket, key);
          await finished(read.resume());
        }
      }),
    );
  }
  const only = process.env.BENCH_TUNE_ONLY;
  const wanted = only?.split('|');
  const chosen = wanted
    ? candidates.filter((c) => wanted.some((part) => c.name.includes(part)))
    : candidates;
  await runMatrix(`${experiment} ${sizeArg} MiB`, size, chosen, reps);
  if (experiment !== 'upload') await remove('source')();
}

main()
  .catch((error: unknown) => {
    console.error('tune failed:', error);
    process.exitCode = 1;
  })
  .finally(() => runCleanup());
