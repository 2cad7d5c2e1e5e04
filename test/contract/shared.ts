import { createHash } from 'node:crypto';
import {
  BUCKET_OPTION_DEFAULTS,
  type BucketError,
  type BucketErrorCode,
  type BucketErrorContext,
  type ListedFile,
} from 'nest-bucket';
import { operationFailed } from 'nest-bucket/bucket.messages';
import type { BucketServiceContract } from 'nest-bucket/testing';

/*
 * What the area files of the contract suite (`*.contract.ts` here) share: the subject a run
 * provides, the context each area reads, constants and small helpers.
 */

/** What a contract run needs: a service, and how to release it. */
export interface ContractSubject {
  /** The service under test: a real `BucketService` or the in-memory fake. */
  service: BucketServiceContract;
  /** Releases the service (and whatever the run started for it). */
  close(): Promise<void>;
  /**
   * Requests a presigned URL as a plain HTTP client would. Default: the global `fetch`; the
   * in-memory fake gives its own resolver, since its URLs point at no server.
   */
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  /**
   * Makes every download of one object (`downloadFile`, `getObject`) receive bytes that do not
   * match it, until `restore()`: on the real server a byte flipped on the way by the HTTP fault
   * proxy, on the fake `failNext('IntegrityError')`.
   */
  corruptDownloads(bucket: string, key: string): { restore: () => void };
  /** The tags of an object as stored: read with another client, or from the fake's store. */
  tagsOf(bucket: string, key: string): Promise<Record<string, string>>;
  /** An SSE-KMS key id the server knows, for the encryption test; undefined where it has none. */
  kmsKeyId?: string;
}

/** One mebibyte, in bytes. */
export const MIB = 1024 * 1024;

/** The part size of multipart uploads when the call does not set one: the module's default. */
export const PART_SIZE = BUCKET_OPTION_DEFAULTS.partSizeBytes;

/** Above this known size, uploads go in parts. */
export const THRESHOLD = BUCKET_OPTION_DEFAULTS.multipartThresholdBytes;

/** The ETag of a multipart upload: md5 of the parts' binary md5s, then "-" and the part count. */
export function multipartEtag(data: Buffer, partSize: number = PART_SIZE): string {
  const digests: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += partSize) {
    digests.push(
      createHash('md5')
        .update(data.subarray(offset, offset + partSize))
        .digest(),
    );
  }
  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}`;
}

/** Every file of a listing. */
export async function collect(files: AsyncIterable<ListedFile>): Promise<ListedFile[]> {
  const all: ListedFile[] = [];
  for await (const file of files) all.push(file);
  return all;
}

/**
 * Checks an error's code, class, context (operation, bucket, key; absent ones must be absent) and
 * message: BucketService's `operationFailed` text, whatever detail the server added.
 */
export function expectBucketError(
  error: BucketError,
  code: BucketErrorCode,
  ErrorClass: new (...args: never[]) => BucketError,
  context: BucketErrorContext,
): void {
  expect(error).toBeInstanceOf(ErrorClass);
  expect(error.code).toBe(code);
  expect({ operation: error.operation, bucket: error.bucket, key: error.key }).toEqual({
    operation: context.operation,
    bucket: context.bucket,
    key: context.key,
  });
  const withoutDetail = operationFailed(code, context);
  expect(error.message.startsWith(withoutDetail.slice(0, -` (${code})`.length))).toBe(true);
  expect(error.message.endsWith(` (${code})`)).toBe(true);
}

/** Empties and deletes a bucket through the service. */
export async function dropBucket(service: BucketServiceContract, bucket: string): Promise<void> {
  const keys = await service.getBucketFiles(bucket).catch(() => undefined);
  if (keys === undefined) return;
  for (const key of keys) await service.deleteFile(bucket, key);
  await service.deleteBucket(bucket);
}

/**
 * What each area of the contract reads, once the run's `beforeAll` is done: the service under
 * test, a bucket and a local folder created for the run, and how to fetch a presigned URL.
 */
export interface ContractContext {
  /** The run's subject, for what only it can do (corrupt downloads, read tags). */
  subject: ContractSubject;
  /** The service under test. */
  service: BucketServiceContract;
  /** A bucket created for the run, deleted after it. */
  bucket: string;
  /** A local folder for the run's files, removed after it. */
  folder: { path: string; remove: () => Promise<void> };
  /** Requests a presigned URL as a plain HTTP client would. */
  fetchUrl: (url: string, init?: RequestInit) => Promise<Response>;
}
