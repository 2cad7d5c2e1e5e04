import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Bytes per disk read while hashing: one trip to libuv's pool per MiB. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** The `Content-MD5` of a body in memory: its MD5, base64. @internal */
export function contentMd5Of(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

/**
 * The `Content-MD5` of a byte range of a file, read once as a stream (never held in memory),
 * before the range is sent: the server then refuses bytes that changed on the way (`BadDigest`).
 * @internal
 */
export async function contentMd5OfFileRange(
  path: string,
  start: number,
  length: number,
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
