import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createRawClient } from '../clients';
import { runPool } from '../pool';
import type { ServerConnection } from '../server';

/** What each worker thread is told to fetch. */
interface WorkerJob {
  server: ServerConnection;
  bucket: string;
  key: string;
  path: string;
  size: number;
  partSizeBytes: number;
  /** This worker takes parts `index`, `index + workers`, ... */
  index: number;
  workers: number;
  /** Ranged GETs in flight in this worker. */
  inFlight: number;
}

/** The worker's side: its own client and event loop, its share of the parts, written in place. */
async function workerMain(job: WorkerJob): Promise<void> {
  const client = createRawClient(job.server);
  const file = await open(job.path, 'r+');
  try {
    const parts = Math.ceil(job.size / job.partSizeBytes);
    const mine = Array.from({ length: parts }, (_, i) => i).filter(
      (i) => i % job.workers === job.index,
    );
    await runPool(mine.length, job.inFlight, async (n) => {
      const start = (mine[n] ?? 0) * job.partSizeBytes;
      const end = Math.min(start + job.partSizeBytes, job.size) - 1;
      const part = await client.send(
        new GetObjectCommand({ Bucket: job.bucket, Key: job.key, Range: `bytes=${start}-${end}` }),
      );
      await pipeline(
        part.Body as Readable,
        createWriteStream('', { fd: file.fd, start, autoClose: false }),
      );
    });
  } finally {
    await file.close();
    client.destroy();
  }
}

if (!isMainThread) {
  workerMain(workerData as WorkerJob).then(
    () => parentPort?.postMessage('done'),
    (error: unknown) => {
      throw error;
    },
  );
}

/**
 * A parallel ranged download spread over `workers` worker threads (each with its own S3Client),
 * so that HTTP parsing and file writes use more than the one core of the main event loop, as
 * boto3's threads do. Workers are started per call (their start-up is counted).
 *
 * @param job - the object, the file, and how to split the work
 */
export async function workerDownload(job: Omit<WorkerJob, 'index'>): Promise<void> {
  const file = await open(job.path, 'w');
  await file.truncate(job.size);
  await file.close();
  await Promise.all(
    Array.from(
      { length: job.workers },
      (_, index) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(__filename, { workerData: { ...job, index } });
          worker.once('message', () => {
            resolve();
          });
          worker.once('error', reject);
        }),
    ),
  );
}
