import type { FileHandle } from 'node:fs/promises';

/** Bytes gathered before one `writev`. */
const BATCH_BYTES = 1024 * 1024;

/** The buffers without their first `count` bytes (after a short `writev`). */
function dropBytes(buffers: Buffer[], count: number): Buffer[] {
  const rest: Buffer[] = [];
  let skip = count;
  for (const buffer of buffers) {
    if (skip >= buffer.length) skip -= buffer.length;
    else {
      rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
  }
  return rest;
}

/**
 * Writes a body into an open file from `offset`, gathering the network's chunks (usually 64 KiB)
 * into batches of 1 MiB, each written with one awaited `FileHandle.writev`: 16 times fewer trips
 * to libuv's thread pool than one write per chunk, which is what costs most on a busy machine.
 *
 * @param file - the open file
 * @param body - the bytes, as they arrive
 * @param offset - where the first byte goes
 * @returns the number of bytes written
 */
export async function writeBodyAt(
  file: FileHandle,
  body: AsyncIterable<Uint8Array>,
  offset: number,
): Promise<number> {
  let position = offset;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const flush = async () => {
    while (batch.length > 0) {
      const { bytesWritten } = await file.writev(batch, position);
      position += bytesWritten;
      batchBytes -= bytesWritten;
      batch = dropBytes(batch, bytesWritten);
    }
  };
  for await (const chunk of body) {
    batch.push(
      Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
    );
    batchBytes += chunk.byteLength;
    if (batchBytes >= BATCH_BYTES) await flush();
  }
  await flush();
  return position - offset;
}
