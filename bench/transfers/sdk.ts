import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * The raw-SDK upload baseline: lib-storage's `Upload` with its default settings (5 MiB parts,
 * 4 in flight), fed a file read stream, as its documentation shows.
 *
 * @param client - the raw client
 * @param bucket - the bucket
 * @param key - the object's key
 * @param path - the local file
 */
export async function sdkUpload(
  client: S3Client,
  bucket: string,
  key: string,
  path: string,
): Promise<void> {
  const body = createReadStream(path);
  try {
    await new Upload({ client, params: { Bucket: bucket, Key: key, Body: body } }).done();
  } finally {
    body.destroy();
  }
}

/**
 * The raw-SDK download baseline: one `GetObject`, its body streamed into a file.
 *
 * @param client - the raw client
 * @param bucket - the bucket
 * @param key - the object's key
 * @param path - the file to write
 */
export async function sdkDownload(
  client: S3Client,
  bucket: string,
  key: string,
  path: string,
): Promise<void> {
  const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await pipeline(output.Body as Readable, createWriteStream(path));
}
