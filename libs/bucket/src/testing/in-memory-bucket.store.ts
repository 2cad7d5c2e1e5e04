import type { ObjectHeaders, StoredEncryption } from '../bucket.types';

/** One object as the in-memory store holds it. Its bytes are never shared with callers. */
export interface StoredObject {
  /** The object's key. */
  readonly key: string;
  /** The object's bytes. */
  readonly data: Buffer;
  /** The entity tag, without quotes. */
  readonly etag: string;
  /** The Content-Type stored with the object. */
  readonly contentType: string;
  /** The user metadata, with lowercase names. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Cache-Control, Content-Disposition, Content-Encoding and Content-Language, as given. */
  readonly headers?: Readonly<ObjectHeaders>;
  /** The object's tags. */
  readonly tags?: Readonly<Record<string, string>>;
  /** The encryption at rest asked for, as the server reports it. */
  readonly encryption?: StoredEncryption;
  /** For SSE-C: the MD5 of the key (the server keeps only that), hex. */
  readonly customerKeyMd5?: string;
  /**
   * When the object was written, to the millisecond. Listings give it as it is (as Ceph RGW
   * does); `HeadObject` and `GetObject` answers cut it to the second, as every S3 server does.
   */
  readonly lastModified: Date;
}

/** A query on one bucket's keys, with the semantics of S3's `ListObjectsV2`. */
export interface ListObjectsQuery {
  /** Only keys that begin with this. Default: all keys. */
  prefix?: string;
  /**
   * Groups the keys that contain this after the prefix into one common prefix each (for `/`,
   * the "folders"). Default: no grouping.
   */
  delimiter?: string;
  /** Only keys after this one, in byte order. */
  startAfter?: string;
  /** The `nextContinuationToken` of the previous page. */
  continuationToken?: string;
  /** The most entries (keys and common prefixes together) in a page: 1 to 1,000. Default: 1,000. */
  maxKeys?: number;
}

/** One page of a listing. */
export interface ListObjectsPage {
  /** The objects of this page, in byte order of their keys. */
  objects: StoredObject[];
  /** The common prefixes of this page (with a delimiter only), in byte order. */
  commonPrefixes: string[];
  /** Whether more entries follow. */
  isTruncated: boolean;
  /** What to pass as `continuationToken` for the next page, when `isTruncated`. */
  nextContinuationToken?: string;
}

/** S3's page size, and the most keys a `ListObjectsV2` returns. */
export const MAX_KEYS_PER_PAGE = 1000;

/**
 * Compares two keys the way S3 orders them: by their UTF-8 bytes. This differs from JavaScript's
 * string order (UTF-16 code units) for characters above U+FFFF against U+E000 to U+FFFF:
 * `'😀' < 'Ａ'` in JavaScript, but `'Ａ'` comes first in S3.
 */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

interface Bucket {
  readonly createdAt: Date;
  readonly objects: Map<string, StoredObject>;
  /** The keys in byte order, computed on demand and dropped when a key is added or removed. */
  sortedKeys?: string[];
}

interface Cursor {
  /** The last entry returned: a key, or a common prefix. */
  after: string;
  /** Whether `after` is a common prefix, whose keys were all returned as one entry. */
  isPrefix: boolean;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(token: string): Cursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof value.after === 'string' && typeof value.isPrefix === 'boolean')
      return { after: value.after, isPrefix: value.isPrefix };
  } catch {
    // An unreadable token: S3 answers InvalidArgument; here, the listing starts over.
  }
  return undefined;
}

/**
 * The buckets and objects of an {@link InMemoryBucketService}: plain data structures with S3's
 * ordering and listing rules, and no error handling of their own (the service decides which
 * error each missing bucket or key gives).
 */
export class InMemoryBucketStore {
  private readonly buckets = new Map<string, Bucket>();

  /** Every bucket's name, in byte order, as `ListBuckets` returns them. */
  bucketNames(): string[] {
    return [...this.buckets.keys()].sort(compareKeys);
  }

  /** Whether a bucket exists. */
  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  /** Creates a bucket; returns `false` when it exists already (and leaves it untouched). */
  createBucket(name: string, now = new Date()): boolean {
    if (this.buckets.has(name)) return false;
    this.buckets.set(name, { createdAt: now, objects: new Map() });
    return true;
  }

  /** Deletes an empty bucket. */
  deleteBucket(name: string): 'deleted' | 'missing' | 'not-empty' {
    const bucket = this.buckets.get(name);
    if (!bucket) return 'missing';
    if (bucket.objects.size > 0) return 'not-empty';
    this.buckets.delete(name);
    return 'deleted';
  }

  /** An object, or `undefined` when the bucket or the key is missing. */
  getObject(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.objects.get(key);
  }

  /**
   * Stores (or replaces) an object in an existing bucket.
   * @returns `false` when the bucket does not exist
   */
  putObject(bucket: string, object: StoredObject): boolean {
    const target = this.buckets.get(bucket);
    if (!target) return false;
    if (!target.objects.has(object.key)) target.sortedKeys = undefined;
    target.objects.set(object.key, object);
    return true;
  }

  /**
   * Deletes every object of a bucket.
   * @returns `false` when the bucket does not exist
   */
  emptyBucket(bucket: string): boolean {
    const target = this.buckets.get(bucket);
    if (!target) return false;
    target.objects.clear();
    target.sortedKeys = undefined;
    return true;
  }

  /**
   * Deletes an object; a missing key is not an error, as in S3.
   * @returns `false` when the bucket does not exist
   */
  deleteObject(bucket: string, key: string): boolean {
    const target = this.buckets.get(bucket);
    if (!target) return false;
    if (target.objects.delete(key)) target.sortedKeys = undefined;
    return true;
  }

  /**
   * One page of a bucket's keys with `ListObjectsV2`'s semantics: byte order, prefix, delimiter
   * (common prefixes count as one entry each), `startAfter`, continuation and `maxKeys`.
   *
   * @returns `undefined` when the bucket does not exist
   */
  listObjects(bucket: string, query: ListObjectsQuery = {}): ListObjectsPage | undefined {
    const target = this.buckets.get(bucket);
    if (!target) return undefined;
    const { prefix = '', delimiter, startAfter } = query;
    const maxKeys = Math.min(Math.max(query.maxKeys ?? MAX_KEYS_PER_PAGE, 0), MAX_KEYS_PER_PAGE);
    const cursor = query.continuationToken ? decodeCursor(query.continuationToken) : undefined;
    const page: ListObjectsPage = { objects: [], commonPrefixes: [], isTruncated: false };
    if (maxKeys === 0) return page;
    let last: Cursor | undefined;
    for (const object of this.sortedObjects(target)) {
      const { key } = object;
      if (!key.startsWith(prefix)) continue;
      if (startAfter !== undefined && compareKeys(key, startAfter) <= 0) continue;
      if (cursor && compareKeys(key, cursor.after) <= 0) continue;
      if (cursor?.isPrefix && key.startsWith(cursor.after)) continue;
      const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      const commonPrefix = delimiter && at >= 0 ? key.slice(0, at + delimiter.length) : undefined;
      if (commonPrefix !== undefined && last?.isPrefix && last.after === commonPrefix) continue;
      if (page.objects.length + page.commonPrefixes.length >= maxKeys) {
        page.isTruncated = true;
        break;
      }
      if (commonPrefix === undefined) {
        page.objects.push(object);
        last = { after: key, isPrefix: false };
      } else {
        page.commonPrefixes.push(commonPrefix);
        last = { after: commonPrefix, isPrefix: true };
      }
    }
    if (page.isTruncated && last) page.nextContinuationToken = encodeCursor(last);
    return page;
  }

  /** Every object of a bucket, in byte order of the keys (none when the bucket is missing). */
  objectsOf(bucket: string): StoredObject[] {
    const target = this.buckets.get(bucket);
    if (!target) return [];
    return this.sortedObjects(target);
  }

  /** Removes every bucket and object. */
  clear(): void {
    this.buckets.clear();
  }

  /** The bucket's objects in byte order of their keys. */
  private sortedObjects(bucket: Bucket): StoredObject[] {
    bucket.sortedKeys ??= [...bucket.objects.keys()].sort(compareKeys);
    return bucket.sortedKeys.flatMap((key) => bucket.objects.get(key) ?? []);
  }
}
