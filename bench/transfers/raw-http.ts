import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { runPool } from '../pool';
import { httpCall, type HttpBody, type HttpTransport } from './http-client';

/** Part size, parts in flight and HTTP client of the raw-HTTP reference. */
export interface RawHttpPlan {
  partSizeBytes: number;
  concurrency: number;
  transport: HttpTransport;
}

const EXPIRES_IN = 3600;

/**
 * A part's body: with `node:http`, a read stream of the file's range, piped into the request
 * (no copy in JavaScript); with `fetch`, a buffer read at the part's offset (what `fetch` handles
 * best: a web stream body costs it more).
 */
async function partBody(
  file: FileHandle,
  path: string,
  offset: number,
  length: number,
  transport: HttpTransport,
): Promise<HttpBody> {
  if (transport === 'node:http') {
    const stream = createReadStream(path, {
      start: offset,
      end: offset + length - 1,
      highWaterMark: 1024 * 1024,
    });
    return { stream, length };
  }
  const body = Buffer.allocUnsafe(length);
  const { bytesRead } = await file.read(body, 0, length, offset);
  if (bytesRead !== length) throw new Error(`short read at ${offset}`);
  return body;
}

/**
 * Uploads a file as a multipart upload made only of presigned URLs and plain HTTP requests: the SDK only
 * signs the URLs (locally); every byte goes through plain HTTP. Each part (see `partBody`) is PUT
 * to its presigned `UploadPart` URL, `concurrency` parts at once.
 *
 * @param client - signs the URLs
 * @param bucket - the bucket
 * @param key - the object's key
 * @param path - the local file
 * @param size - its size in bytes
 * @param plan - part size and parts in flight
 */
export async function rawHttpUpload(
  client: S3Client,
  bucket: string,
  key: string,
  path: string,
  size: number,
  plan: RawHttpPlan,
): Promise<void> {
  const target = { Bucket: bucket, Key: key };
  const createUrl = await getSignedUrl(client, new CreateMultipartUploadCommand(target), {
    expiresIn: EXPIRES_IN,
  });
  const { transport } = plan;
  const created = (await httpCall(transport, 'POST', createUrl)).text;
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created)?.[1];
  if (!uploadId) throw new Error(`no UploadId in ${created.slice(0, 300)}`);
  const multipart = { ...target, UploadId: uploadId };
  const parts = Math.ceil(size / plan.partSizeBytes);
  const etags = new Array<string>(parts);
  const file = await open(path, 'r');
  try {
    await runPool(parts, plan.concurrency, async (i) => {
      const offset = i * plan.partSizeBytes;
      const length = Math.min(plan.partSizeBytes, size - offset);
      const body = await partBody(file, path, offset, length, transport);
      const url = await getSignedUrl(
        client,
        new UploadPartCommand({ ...multipart, PartNumber: i + 1 }),
        { expiresIn: EXPIRES_IN },
      );
      etags[i] = (await httpCall(transport, 'PUT', url, { body, sink: 'count' })).etag ?? '';
    });
    const completeUrl = await getSignedUrl(client, new CompleteMultipartUploadCommand(multipart), {
      expiresIn: EXPIRES_IN,
    });
    const xml = `<CompleteMultipartUpload>${etags
      .map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
      .join('')}</CompleteMultipartUpload>`;
    const completed = (await httpCall(transport, 'POST', completeUrl, { body: xml })).text;
    if (completed.includes('<Error>')) throw new Error(`complete failed: ${completed}`);
  } catch (error) {
    const abortUrl = await getSignedUrl(client, new AbortMultipartUploadCommand(multipart));
    await httpCall(transport, 'DELETE', abortUrl).catch(() => undefined);
    throw error;
  } finally {
    await file.close();
  }
}

/**
 * Reads an object through its presigned GET URL with plain HTTP, as ranged GETs of
 * `partSizeBytes`, `concurrency` at once. With `path`, each range is written at its offset in that
 * file in 1 MiB batches (`writeBodyAt`, the library's own writer for `downloadFile`); without, the bytes are
 * counted and discarded: what the server and the loopback deliver, without the cost of a file.
 *
 * @param client - signs the URL
 * @param target - bucket, key and size of the object; the file to write, if any
 * @param plan - range size, ranges in flight and HTTP client
 * @returns the number of bytes received
 */
export async function rawHttpDownload(
  client: S3Client,
  target: { bucket: string; key: string; size: number; path?: string },
  plan: RawHttpPlan,
): Promise<number> {
  const { bucket, key, size, path } = target;
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
    expiresIn: EXPIRES_IN,
  });
  const file = path === undefined ? undefined : await open(path, 'w');
  let received = 0;
  try {
    await runPool(Math.ceil(size / plan.partSizeBytes), plan.concurrency, async (i) => {
      const start = i * plan.partSizeBytes;
      const end = Math.min(start + plan.partSizeBytes, size) - 1;
      const answer = await httpCall(plan.transport, 'GET', url, {
        headers: { Range: `bytes=${start}-${end}` },
        sink: file ? { file, offset: start } : 'count',
      });
      received += answer.bytes;
    });
  } finally {
    await file?.close();
  }
  if (received !== size) throw new Error(`received ${received} of ${size} bytes`);
  return received;
}
