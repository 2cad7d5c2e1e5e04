import type { BucketErrorContext } from '../bucket.errors';
import type {
  BucketFileInfo,
  CopyFileOptions,
  ObjectHeaders,
  ServerSideEncryption,
  UploadAttributes,
} from '../bucket.types';
import { describeValue, invalidArgument } from '../bucket.validation';

/** The S3 request fields of an object's stored headers, tags and encryption. @internal */
export interface AttributeParams {
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  Tagging?: string;
  ServerSideEncryption?: 'AES256' | 'aws:kms';
  SSEKMSKeyId?: string;
}

/** What a HeadObject or GetObject answer says of the stored headers and encryption. @internal */
export interface StoredAttributes {
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
}

const HEADER_NAMES = [
  'cacheControl',
  'contentDisposition',
  'contentEncoding',
  'contentLanguage',
] as const satisfies readonly (keyof ObjectHeaders)[];

/** Header values a server stores as given: visible ASCII and spaces, no line breaks. @internal */
export const HEADER_VALUE = /^[\x20-\x7e]*$/;

/** The characters S3 allows in tag keys and values. */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** S3's limits on object tags. */
const MAX_TAGS = 10;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;

/**
 * Checks an upload's or a copy's headers, tags and encryption before any request: printable
 * ASCII headers, at most 10 tags within S3's lengths and characters, and an encryption of a known
 * type. Every problem is an `InvalidArgument` naming the value and the rule.
 * @internal
 */
export function assertUploadAttributes(
  options: UploadAttributes,
  context: BucketErrorContext,
): void {
  for (const name of HEADER_NAMES) {
    const value: unknown = options[name];
    if (value !== undefined && (typeof value !== 'string' || !HEADER_VALUE.test(value))) {
      throw invalidArgument(
        context,
        `${name} = ${describeValue(value)}: must be a string of printable ASCII (encode a non-ASCII file name as filename*=UTF-8''...)`,
      );
    }
  }
  assertTags(options.tags, context);
  assertEncryption(options.encryption, context);
}

function assertTags(tags: unknown, context: BucketErrorContext): void {
  if (tags === undefined) return;
  if (typeof tags !== 'object' || tags === null) {
    throw invalidArgument(context, `tags = ${describeValue(tags)}: must be an object`);
  }
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) {
    throw invalidArgument(context, `tags: ${entries.length} given, at most ${MAX_TAGS}`);
  }
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > MAX_TAG_KEY || !TAG_TEXT.test(key)) {
      throw invalidArgument(
        context,
        `tag key ${describeValue(key)}: must be 1 to ${MAX_TAG_KEY} letters, digits, spaces or + - = . _ : / @`,
      );
    }
    if (typeof value !== 'string' || value.length > MAX_TAG_VALUE || !TAG_TEXT.test(value)) {
      throw invalidArgument(
        context,
        `tags.${key} = ${describeValue(value)}: must be at most ${MAX_TAG_VALUE} letters, digits, spaces or + - = . _ : / @`,
      );
    }
  }
}

function assertEncryption(encryption: unknown, context: BucketErrorContext): void {
  if (encryption === undefined) return;
  const { type, keyId } = (encryption ?? {}) as { type?: unknown; keyId?: unknown };
  if (type !== 'SSE-S3' && type !== 'SSE-KMS') {
    throw invalidArgument(
      context,
      `encryption = ${describeValue(encryption)}: must be { type: 'SSE-S3' } or { type: 'SSE-KMS', keyId? }`,
    );
  }
  if (type === 'SSE-KMS' && keyId !== undefined && (typeof keyId !== 'string' || keyId === '')) {
    throw invalidArgument(
      context,
      `encryption.keyId = ${describeValue(keyId)}: must be a non-empty string`,
    );
  }
}

/** Tags as the `x-amz-tagging` header carries them: a URL query string. @internal */
export function taggingOf(tags: Record<string, string> | undefined): string | undefined {
  if (tags === undefined || Object.keys(tags).length === 0) return undefined;
  // Percent-encoded (%20, not URLSearchParams' +, which Ceph RGW would store as is).
  return Object.entries(tags)
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
}

/** The S3 fields of an encryption. @internal */
export function encryptionParams(
  encryption: ServerSideEncryption | undefined,
): Pick<AttributeParams, 'ServerSideEncryption' | 'SSEKMSKeyId'> {
  if (encryption === undefined) return {};
  if (encryption.type === 'SSE-S3') return { ServerSideEncryption: 'AES256' };
  return { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: encryption.keyId };
}

/** The S3 fields of the headers given, without those left out. @internal */
export function headerParams(headers: ObjectHeaders): AttributeParams {
  const params: AttributeParams = {};
  if (headers.cacheControl !== undefined) params.CacheControl = headers.cacheControl;
  if (headers.contentDisposition !== undefined)
    params.ContentDisposition = headers.contentDisposition;
  if (headers.contentEncoding !== undefined) params.ContentEncoding = headers.contentEncoding;
  if (headers.contentLanguage !== undefined) params.ContentLanguage = headers.contentLanguage;
  return params;
}

/** The S3 fields of an upload's headers, tags and encryption. @internal */
export function attributeParams(options: UploadAttributes): AttributeParams {
  const tagging = taggingOf(options.tags);
  return {
    ...headerParams(options),
    ...(tagging === undefined ? {} : { Tagging: tagging }),
    ...encryptionParams(options.encryption),
  };
}

/** Whether a copy's options replace the source's headers (`MetadataDirective: REPLACE`). @internal */
export function replacesHeaders(options: CopyFileOptions): boolean {
  return (
    options.metadata !== undefined ||
    options.contentType !== undefined ||
    HEADER_NAMES.some((name) => options[name] !== undefined)
  );
}

/** The stored headers and encryption of an answer, as `BucketFileInfo` gives them. @internal */
export function storedAttributes(
  answer: StoredAttributes,
): Pick<
  BucketFileInfo,
  'cacheControl' | 'contentDisposition' | 'contentEncoding' | 'contentLanguage' | 'encryption'
> {
  const info: ReturnType<typeof storedAttributes> = {};
  if (answer.CacheControl) info.cacheControl = answer.CacheControl;
  if (answer.ContentDisposition) info.contentDisposition = answer.ContentDisposition;
  if (answer.ContentEncoding) info.contentEncoding = answer.ContentEncoding;
  if (answer.ContentLanguage) info.contentLanguage = answer.ContentLanguage;
  if (answer.ServerSideEncryption === 'AES256') info.encryption = { type: 'SSE-S3' };
  if (answer.ServerSideEncryption?.startsWith('aws:kms')) {
    info.encryption = { type: 'SSE-KMS', keyId: answer.SSEKMSKeyId };
  }
  return info;
}

/**
 * Whether a copy's options change the object (its headers, tags or encryption): a move onto its
 * own key then copies it onto itself; otherwise it changes nothing. @internal
 */
export function changesObject(options: CopyFileOptions): boolean {
  return replacesHeaders(options) || options.tags !== undefined || options.encryption !== undefined;
}
