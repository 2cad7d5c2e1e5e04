import { createHash } from 'node:crypto';
import type { BucketFileInfo, ObjectHeaders, UploadAttributes } from '../bucket.types';
import { HEADER_NAMES, HEADER_OF_OPTION } from '../operations/object-attributes';
import { s3Error } from './in-memory-bucket.sdk-errors';
import type { StoredObject } from './in-memory-bucket.store';

/**
 * What the in-memory fake stores with an object besides its bytes (content type, metadata,
 * headers, tags, encryption), read from options, HTTP headers or form fields as S3 reads them,
 * and given back as S3 does.
 * @internal
 */

/**
 * What S3 stores as the Content-Type of an object written without one (`CopyObject` with new
 * metadata, a presigned PUT).
 * @internal
 */
export const S3_DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/** Lowercases metadata names, as S3 does (HTTP header names carry no case). @internal */
export function normaliseMetadata(
  metadata: Record<string, string> | undefined,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

/** A date cut to the second, as S3's `Last-Modified` header gives it. @internal */
export function toSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** The stored headers and encryption of an object, as `BucketFileInfo` gives them. @internal */
export function attributesOf(
  object: StoredObject,
): Pick<
  BucketFileInfo,
  'cacheControl' | 'contentDisposition' | 'contentEncoding' | 'contentLanguage' | 'encryption'
> {
  return {
    ...object.headers,
    ...(object.encryption ? { encryption: { ...object.encryption } } : {}),
  };
}

/** An object as a HEAD of it describes it (`getBucketFile`, `listStored`). @internal */
export function fileInfoOf(object: StoredObject): BucketFileInfo & { contentType: string } {
  return {
    key: object.key,
    size: object.data.length,
    lastModified: toSecond(object.lastModified),
    etag: object.etag,
    contentType: object.contentType,
    metadata: { ...object.metadata },
    ...attributesOf(object),
  };
}

/** The attributes a plain HTTP PUT sets with its headers, as S3 reads them. @internal */
export function attributesFromHeaders(headers: Headers): UploadAttributes {
  const header = (name: string) => headers.get(name) ?? undefined;
  const tagging = header('x-amz-tagging');
  const sse = header('x-amz-server-side-encryption');
  const stored: ObjectHeaders = {};
  for (const name of HEADER_NAMES) stored[name] = header(HEADER_OF_OPTION[name]);
  return {
    ...stored,
    tags: tagging === undefined ? undefined : Object.fromEntries(new URLSearchParams(tagging)),
    encryption:
      sse === 'AES256'
        ? { type: 'SSE-S3' }
        : sse === 'aws:kms'
          ? { type: 'SSE-KMS', keyId: header('x-amz-server-side-encryption-aws-kms-key-id') }
          : undefined,
  };
}

/** The attributes a POST form sets with its fields (tags as the XML of `tagging`). @internal */
export function attributesFromPostFields(fields: Record<string, string>): UploadAttributes {
  const headers = new Headers();
  for (const [name, value] of Object.entries(fields)) {
    if (name !== 'tagging' && name !== 'file') headers.set(name, value);
  }
  const attributes = attributesFromHeaders(headers);
  const tagging = fields.tagging as string | undefined;
  if (tagging === undefined) return attributes;
  const unescape = (text: string) =>
    text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  const tags: Record<string, string> = {};
  for (const match of tagging.matchAll(/<Tag><Key>(.*?)<\/Key><Value>(.*?)<\/Value><\/Tag>/g)) {
    tags[unescape(match[1])] = unescape(match[2]);
  }
  return { ...attributes, tags };
}

/** What an upload or a copy stores besides the bytes, the content type and the metadata. @internal */
export function storedAttributesOf(
  options: UploadAttributes,
): Pick<StoredObject, 'headers' | 'tags' | 'encryption' | 'customerKeyMd5'> {
  const headers: ObjectHeaders = {};
  for (const name of HEADER_NAMES) {
    if (options[name] !== undefined) headers[name] = options[name];
  }
  const { encryption } = options;
  return {
    headers,
    tags: { ...options.tags },
    ...(encryption?.type === 'SSE-C'
      ? { encryption: { type: 'SSE-C' }, customerKeyMd5: keyMd5(encryption.key) }
      : encryption
        ? { encryption: { ...encryption } }
        : {}),
  };
}

/** The MD5 of an SSE-C key, which is all S3 keeps of it. */
function keyMd5(key: Uint8Array): string {
  return createHash('md5').update(key).digest('hex');
}

/**
 * Refuses a read of an SSE-C object without its key (400) or with another one (403), as AWS
 * does; a key given for an object stored without one is refused too (400).
 * @internal
 */
export function requireCustomerKey(object: StoredObject, key: Uint8Array | undefined): void {
  if (object.customerKeyMd5 === undefined) {
    if (key !== undefined)
      throw s3Error(
        'InvalidArgument',
        400,
        'The encryption parameters are not applicable to this object.',
      );
    return;
  }
  if (key === undefined)
    throw s3Error(
      'InvalidRequest',
      400,
      'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
    );
  if (keyMd5(key) !== object.customerKeyMd5)
    throw s3Error(
      'AccessDenied',
      403,
      'The SSE-C key does not match the one the object was stored with.',
    );
}
