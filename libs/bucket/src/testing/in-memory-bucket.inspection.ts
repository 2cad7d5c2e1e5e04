import type { BucketFileInfo } from '../bucket.types';
import { assertValidBucketName, assertValidObjectAddress } from '../bucket.validation';
import type { InMemoryBackend } from './in-memory-bucket.backend';
import { fileInfoOf, normaliseMetadata } from './in-memory-bucket.object-attributes';
import { singlePartEtag } from './s3-etag';

/**
 * The test helpers of the in-memory fake that are not part of `BucketService`: inspect what is
 * stored (`listStored`, `readStored`) and arrange it (`seedBucket`, `seedObject`), without
 * connecting and never affected by `failNext`.
 */

/** What {@link InMemoryBucketService.listStored} returns for each object. */
export interface StoredObjectInfo extends BucketFileInfo {
  /** The object's bucket. */
  bucket: string;
  /** The Content-Type stored with the object. */
  contentType: string;
  /** The object's tags (empty when it has none). */
  tags: Record<string, string>;
}

/** Options of {@link InMemoryBucketService.seedObject}. */
export interface SeedObjectOptions {
  /** The Content-Type to store. Default: `application/octet-stream`. */
  contentType?: string;
  /** User metadata to store; names are lowercased, as S3 does. */
  metadata?: Record<string, string>;
  /** The object's date. Default: the fake's clock. */
  lastModified?: Date;
}

/** Every object of one bucket, or of every bucket, in S3's order. @internal */
export function listStored(backend: InMemoryBackend, bucket?: string): StoredObjectInfo[] {
  const { store } = backend;
  const buckets = bucket === undefined ? store.bucketNames() : [bucket];
  return buckets.flatMap((name) =>
    store.objectsOf(name).map((object) => ({
      bucket: name,
      ...fileInfoOf(object),
      tags: { ...object.tags },
    })),
  );
}

/** A copy of an object's bytes, or `undefined` when the bucket or the key is missing. @internal */
export function readStored(
  backend: InMemoryBackend,
  bucket: string,
  key: string,
): Buffer | undefined {
  const object = backend.store.getObject(bucket, key);
  return object ? Buffer.from(object.data) : undefined;
}

/** Creates buckets at once; an existing bucket is kept as it is. @internal */
export function seedBucket(backend: InMemoryBackend, names: string[]): void {
  for (const name of names) {
    assertValidBucketName(name, 'seedBucket');
    backend.store.createBucket(name, backend.now());
  }
}

/** Stores an object at once (creating its bucket if needed), with the MD5 of its bytes as ETag. @internal */
export function seedObject(
  backend: InMemoryBackend,
  bucket: string,
  key: string,
  body: string | Uint8Array,
  options: SeedObjectOptions,
): void {
  assertValidObjectAddress(bucket, key, 'seedObject');
  backend.store.createBucket(bucket, backend.now());
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  backend.store.putObject(bucket, {
    key,
    data,
    etag: singlePartEtag(data),
    contentType: options.contentType ?? 'application/octet-stream',
    metadata: normaliseMetadata(options.metadata),
    lastModified: options.lastModified ?? backend.now(),
  });
}
