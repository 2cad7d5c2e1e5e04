import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createWriteStream, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runPool } from '../pool';
import { writeBodyAt } from '../../libs/bucket/src/transfers/download';

/** How a ranged download writes each part into the file. */
export type WritePath = 'awaited-writes' | 'write-stream' | 'sync-writes' | 'batched-writes';

/**
 * Writes a body at its offset: `awaited-writes` awaits one `FileHandle.write` per network chunk,
 * as `libs/bucket/src/transfers/download.ts` does; `write-stream` pipes the body into an
 * `fs.WriteStream` on the same descriptor at `start`, which keeps reading from the socket while a
 * write runs and batches queued chunks into `writev` calls; `sync-writes` writes each chunk with
 * `fs.writeSync` on the main thread; `batched-writes` gathers chunks up to 1 MiB per awaited
 * `FileHandle.writev` (`writeBodyAt`). (Not `FileHandle.createWriteStream`:
 * with `autoClose: false`, on Node 20, the handle's `close()` then never resolves.)
 */
async function writePart(file: FileHandle, body: Readable, offset: number, how: WritePath) {
  if (how === 'write-stream') {
    await pipeline(body, createWriteStream('', { fd: file.fd, start: offset, autoClose: false }));
    return;
  }
  let position = offset;
  if (how === 'batched-writes') {
    const batchMiB = Number(process.env.BENCH_TUNE_BATCH_MIB ?? 1);
    await writeBodyAt(file, body as AsyncIterable<Buffer>, offset, undefined, batchMiB * 2 ** 20);
    return;
  }
  if (how === 'sync-writes') {
    // Blocks the event loop for each chunk (page cache: tens of µs), but no thread hop, no
    // promise, and the chunk is garbage as soon as it is written.
    for await (const chunk of body as AsyncIterable<Buffer>) {
      let written = 0;
      while (written < chunk.length)
        written += writeSync(file.fd, chunk, written, chunk.length - written, position + written);
      position += chunk.length;
    }
    return;
  }
  for await (const chunk of body as AsyncIterable<Buffer>) {
    let written = 0;
    while (written < chunk.length) {
      const { bytesWritten } = await file.write(chunk, written, chunk.length - written, position);
      written += bytesWritten;
      position += bytesWritten;
    }
  }
}

/**
 * The library's parallel ranged download reduced to its transfer loop (no ETag pinning, no
 * temporary file), with a choice of write path, to measure that choice alone.
 *
 * @param client - the raw client
 * @param target - bucket, key, local path and size
 * @param partSizeBytes - bytes per ranged GET
 * @param concurrency - ranged GETs in flight
 * @param how - the write path
 */
export async function rangedDownload(
  client: S3Client,
  target: { bucket: string; key: string; path: string; size: number },
  partSizeBytes: number,
  concurrency: number,
  how: WritePath,
  options: RangedOptions = {},
): Promise<void> {
  const file = await open(target.path, 'w');
  const fetchPart = async (i: number, ifMatch?: string) => {
    const start = i * partSizeBytes;
    const end = Math.min(start + partSizeBytes, target.size) - 1;
    const part = await client.send(
      new GetObjectCommand({
        Bucket: target.bucket,
        Key: target.key,
        Range: `bytes=${start}-${end}`,
        IfMatch: ifMatch,
      }),
    );
    await writePart(file, part.Body as Readable, start, how);
    return part.ETag;
  };
  try {
    const parts = Math.ceil(target.size / partSizeBytes);
    if (options.firstAlone && options.overlap) {
      // As the library does now: the others start on the first answer's headers.
      const first = await client.send(
        new GetObjectCommand({
          Bucket: target.bucket,
          Key: target.key,
          Range: `bytes=0-${partSizeBytes - 1}`,
        }),
      );
      await runPool(parts, concurrency, (i) =>
        i === 0
          ? writePart(file, first.Body as Readable, 0, how)
          : fetchPart(i, options.ifMatch ? first.ETag : undefined).then(() => undefined),
      );
    } else if (options.firstAlone) {
      // As the library does: part 0 alone, its body written, before the others start.
      const etag = await fetchPart(0);
      await runPool(parts - 1, concurrency, (i) =>
        fetchPart(i + 1, options.ifMatch ? etag : undefined),
      );
    } else {
      await runPool(parts, concurrency, (i) => fetchPart(i));
    }
  } finally {
    await file.close();
  }
}

/** Library behaviours to switch on, one at a time, to find their cost. */
export interface RangedOptions {
  /** Fetch and write the first part before starting the others. */
  firstAlone?: boolean;
  /** Send `If-Match: <first part's ETag>` with every other part (needs `firstAlone`). */
  ifMatch?: boolean;
  /** With `firstAlone`: start the others once the first answer's headers are in. */
  overlap?: boolean;
}
