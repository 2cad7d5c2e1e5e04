import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { runPool } from '../pool';

/** How each part's body reaches the SDK. */
export type PartBody = 'file-range-stream' | 'buffer';

/**
 * A multipart upload of a local file without lib-storage's chunker: each of `concurrency`
 * workers sends part `i` straight from the file, either as a `createReadStream({ start, end })`
 * with its `ContentLength` (the SDK streams it, no copy, and signs it UNSIGNED-PAYLOAD), or as a
 * buffer read at its offset (the SDK hashes it with SHA-256 to sign it).
 *
 * @param client - the raw client
 * @param target - bucket, key, local path and size
 * @param partSizeBytes - bytes per part
 * @param concurrency - parts in flight
 * @param body - how parts are given to the SDK
 */
export async function fileMultipartUpload(
  client: S3Client,
  target: { bucket: string; key: string; path: string; size: number },
  partSizeBytes: number,
  concurrency: number,
  body: PartBody,
): Promise<void> {
  const object = { Bucket: target.bucket, Key: target.key };
  const { UploadId } = await client.send(new CreateMultipartUploadCommand(object));
  const parts = Math.ceil(target.size / partSizeBytes);
  const etags = new Array<string>(parts);
  const file = body === 'buffer' ? await open(target.path, 'r') : undefined;
  try {
    await runPool(parts, concurrency, async (i) => {
      const start = i * partSizeBytes;
      const length = Math.min(partSizeBytes, target.size - start);
      let data: Buffer | ReturnType<typeof createReadStream>;
      if (file) {
        data = Buffer.allocUnsafe(length);
        await file.read(data, 0, length, start);
      } else {
        data = createReadStream(target.path, {
          start,
          end: start + length - 1,
          highWaterMark: 1 << 20,
        });
      }
      const output = await client.send(
        new UploadPartCommand({
          ...object,
          UploadId,
          PartNumber: i + 1,
          Body: data,
          ContentLength: length,
        }),
      );
      etags[i] = output.ETag ?? '';
    });
    await client.send(
      new CompleteMultipartUploadCommand({
        ...object,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
  } catch (error) {
    await client.send(new AbortMultipartUploadCommand({ ...object, UploadId }));
    throw error;
  } finally {
    await file?.close();
  }
}

/**
 * lib-storage's `Upload` as the library calls it (8 MiB x 4 by default), with a chosen read-stream
 * `highWaterMark`: Node's default 64 KiB makes 128 small buffers per part for lib-storage to
 * concatenate, and much garbage to collect.
 *
 * @param client - the raw client
 * @param target - bucket, key and local path
 * @param partSizeBytes - bytes per part
 * @param concurrency - parts in flight
 * @param highWaterMark - the read stream's chunk size
 */
export async function libStorageUpload(
  client: S3Client,
  target: { bucket: string; key: string; path: string },
  partSizeBytes: number,
  concurrency: number,
  highWaterMark: number,
): Promise<void> {
  const body = createReadStream(target.path, { highWaterMark });
  try {
    await new Upload({
      client,
      params: { Bucket: target.bucket, Key: target.key, Body: body },
      partSize: partSizeBytes,
      queueSize: concurrency,
      leavePartsOnError: false,
    }).done();
  } finally {
    body.destroy();
  }
}

/**
 * The same client with every `UploadPart` signed `UNSIGNED-PAYLOAD`, as the SDK already signs a
 * streamed body: lib-storage hands the SDK buffered parts, which it otherwise hashes with SHA-256.
 *
 * @param client - a client of the bench's own, changed in place
 */
export function signPartsUnsigned(client: S3Client): S3Client {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (context.commandName === 'UploadPartCommand' && request.headers) {
        request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      }
      return next(args);
    },
    { step: 'build', name: 'benchUnsignedParts' },
  );
  return client;
}
