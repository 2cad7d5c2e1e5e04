import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { BucketErrorContext } from '../bucket.errors';
import { withExactLength } from './exact-length';

/** Bytes per disk read: one trip to libuv's pool per MiB rather than per 64 KiB. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** A byte range of a local file. @internal */
export interface FileRange {
  path: string;
  start: number;
  length: number;
}

/** How a request that streams a file range hears of its body's failures and progress. @internal */
export interface FileRangeWatch {
  /** Gets the body's own failure (the file changed size, or could not be read): must abort the request. */
  onFailure: (error: Error) => void;
  /** Hears of every chunk read. */
  onBytes: (bytes: number) => void;
  /** Sees every chunk read, as it goes to the request (to hash what is sent). */
  onChunk?: (chunk: Buffer) => void;
}

/**
 * The `Content-MD5` of a byte range of a file, read once as a stream (never held in memory),
 * before the range is sent: the server then refuses bytes that changed on the way (`BadDigest`).
 * @internal
 */
export async function contentMd5OfFileRange(
  { path, start, length }: FileRange,
  signal?: AbortSignal,
): Promise<string> {
  const hash = createHash('md5');
  if (length > 0) {
    const file = createReadStream(path, {
      start,
      end: start + length - 1,
      highWaterMark: READ_CHUNK_BYTES,
      signal,
    });
    for await (const chunk of file as AsyncIterable<Buffer>) hash.update(chunk);
  }
  return hash.digest('base64');
}

/**
 * Sends one request whose body is a file range, streamed from disk and checked to be exactly
 * `length` bytes (`withExactLength`), and closes the file afterwards, whatever happened. Called
 * again, it reads the range again: that is how a request the SDK cannot rewind is retried.
 * @internal
 */
export async function sendFileRange<T>(
  { path, start, length }: FileRange,
  context: BucketErrorContext,
  watch: FileRangeWatch,
  send: (body: Readable) => Promise<T>,
): Promise<T> {
  const file = createReadStream(path, {
    start,
    // An empty range reads the file to its end: bytes added meanwhile fail the length check.
    end: length > 0 ? start + length - 1 : undefined,
    highWaterMark: READ_CHUNK_BYTES,
  });
  const body = withExactLength(file, length, context, watch.onFailure, (chunk) => {
    watch.onBytes(chunk.length);
    watch.onChunk?.(chunk);
  });
  try {
    return await send(body);
  } finally {
    file.destroy();
  }
}
