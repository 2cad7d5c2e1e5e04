import type { ListedFile, ListFilesOptions } from '../bucket.types';
import { assertOptionalInteger, assertValidBucketName } from '../bucket.validation';
import type { InMemoryBackend } from './in-memory-bucket.backend';
import { s3Error } from './in-memory-bucket.sdk-errors';

/**
 * The listings of the in-memory fake (`getBucketFiles`, `listFiles`, `listFolders`), read page
 * by page from the store as the real service follows `ListObjectsV2` pagination
 * (`operations/listing.ts`).
 * @internal
 */

/** Every key in a bucket (optionally under a prefix), in S3's order (by UTF-8 bytes). @internal */
export async function getBucketFiles(
  backend: InMemoryBackend,
  bucket: string,
  prefix: string | undefined,
): Promise<string[]> {
  assertValidBucketName(bucket, 'getBucketFiles');
  return backend.connection.run({ operation: 'getBucketFiles', bucket }, () => {
    const keys: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = backend.store.listObjects(bucket, { prefix, continuationToken });
      if (!page) throw s3Error('NoSuchBucket', 404);
      for (const object of page.objects) keys.push(object.key);
      continuationToken = page.nextContinuationToken;
    } while (continuationToken !== undefined);
    return keys;
  });
}

/**
 * The objects of a bucket as an async iterator that reads pages lazily (`pageSize` keys each),
 * as the real one: nothing is checked until the first iteration.
 * @internal
 */
export async function* listFiles(
  backend: InMemoryBackend,
  bucket: string,
  options: ListFilesOptions,
): AsyncGenerator<ListedFile, void, undefined> {
  const context = { operation: 'listFiles' as const, bucket };
  assertValidBucketName(bucket, context.operation);
  assertOptionalInteger(options.pageSize, 'pageSize', 1, 1000, context);
  const { prefix, delimiter, pageSize } = options;
  let continuationToken: string | undefined;
  do {
    const token = continuationToken;
    const page = await backend.connection.run(context, () => {
      const listed = backend.store.listObjects(bucket, {
        prefix,
        delimiter,
        maxKeys: pageSize,
        continuationToken: token,
      });
      if (!listed) throw s3Error('NoSuchBucket', 404);
      return listed;
    });
    for (const object of page.objects) {
      yield {
        key: object.key,
        size: object.data.length,
        lastModified: new Date(object.lastModified),
        etag: object.etag,
      };
    }
    continuationToken = page.nextContinuationToken;
  } while (continuationToken !== undefined);
}

/** The common prefixes ("folders") directly under `prefix`, grouped by `delimiter`. @internal */
export async function listFolders(
  backend: InMemoryBackend,
  bucket: string,
  options: { prefix?: string; delimiter?: string },
): Promise<string[]> {
  assertValidBucketName(bucket, 'listFolders');
  return backend.connection.run({ operation: 'listFolders', bucket }, () => {
    const prefixes: string[] = [];
    const query = { prefix: options.prefix, delimiter: options.delimiter ?? '/' };
    let continuationToken: string | undefined;
    do {
      const page = backend.store.listObjects(bucket, { ...query, continuationToken });
      if (!page) throw s3Error('NoSuchBucket', 404);
      prefixes.push(...page.commonPrefixes);
      continuationToken = page.nextContinuationToken;
    } while (continuationToken !== undefined);
    return prefixes;
  });
}
