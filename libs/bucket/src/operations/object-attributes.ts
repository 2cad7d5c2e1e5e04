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
  SSECustomerAlgorithm?: 'AES256';
  /** The SSE-C key, base64 (the SDK adds its MD5). */
  SSECustomerKey?: string;
}

/** What a HeadObject or GetObject answer says of the stored headers and encryption. @internal */
export interface StoredAttributes {
  CacheControl?: string;
  ContentDisposition?: string;
  ContentEncoding?: string;
  ContentLanguage?: string;
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
  SSECustomerAlgorithm?: string;
}

/** The HTTP header of each stored header option. @internal */
export const HEADER_OF_OPTION: Readonly<Record<keyof ObjectHeaders, string>> = {
  cacheControl: 'cache-control',
  contentDisposition: 'content-disposition',
  contentEncoding: 'content-encoding',
  contentLanguage: 'content-language',
};

/** The stored header options, by name. @internal */
export const HEADER_NAMES = Object.keys(HEADER_OF_OPTION) as (keyof ObjectHeaders)[];

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
  const { type, keyId, key } = (encryption ?? {}) as {
    type?: unknown;
    keyId?: unknown;
    key?: unknown;
  };
  if (type !== 'SSE-S3' && type !== 'SSE-KMS' && type !== 'SSE-C') {
    throw invalidArgument(
      context,
      `encryption.type = ${describeValue(type)}: must be 'SSE-S3', 'SSE-KMS' or 'SSE-C'`,
    );
  }
  if (type === 'SSE-C') assertCustomerKey(key, 'encryption.key', context);
  if (type === 'SSE-KMS' && keyId !== undefined && (typeof keyId !== 'string' || keyId === '')) {
    throw invalidArgument(
      context,
      `encryption.keyId = ${describeValue(keyId)}: must be a non-empty string`,
    );
  }
}

/** The length of an SSE-C key: AES-256. */
const CUSTOMER_KEY_BYTES = 32;

/**
 * Checks an SSE-C key before any request: 32 bytes. The message gives its length, never its bytes.
 * @internal
 */
export function assertCustomerKey(
  key: unknown,
  name: string,
  context: BucketErrorContext,
): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== CUSTOMER_KEY_BYTES) {
    const given =
      key instanceof Uint8Array ? `${key.length} bytes` : `a value of type ${typeof key}`;
    throw invalidArgument(
      context,
      `${name}: ${given}: must be a Uint8Array of ${CUSTOMER_KEY_BYTES} bytes (an AES-256 key)`,
    );
  }
}

/** The S3 fields that give an SSE-C key for a read or a write of the object itself. @internal */
export function customerKeyParams(
  key: Uint8Array | undefined,
): Pick<AttributeParams, 'SSECustomerAlgorithm' | 'SSECustomerKey'> {
  if (key === undefined) return {};
  return { SSECustomerAlgorithm: 'AES256', SSECustomerKey: Buffer.from(key).toString('base64') };
}

/** The S3 fields that give the SSE-C key of a copy's source. @internal */
export function copySourceKeyParams(key: Uint8Array | undefined): {
  CopySourceSSECustomerAlgorithm?: 'AES256';
  CopySourceSSECustomerKey?: string;
} {
  if (key === undefined) return {};
  return {
    CopySourceSSECustomerAlgorithm: 'AES256',
    CopySourceSSECustomerKey: Buffer.from(key).toString('base64'),
  };
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
): Pick<
  AttributeParams,
  'ServerSideEncryption' | 'SSEKMSKeyId' | 'SSECustomerAlgorithm' | 'SSECustomerKey'
> {
  if (encryption === undefined) return {};
  if (encryption.type === 'SSE-S3') return { ServerSideEncryption: 'AES256' };
  if (encryption.type === 'SSE-C') return customerKeyParams(encryption.key);
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
  if (answer.SSECustomerAlgorithm) info.encryption = { type: 'SSE-C' };
  return info;
}

/**
 * Whether a copy's options change the object (its headers, tags or encryption): a move onto its
 * own key then copies it onto itself; otherwise it changes nothing. @internal
 */
export function changesObject(options: CopyFileOptions): boolean {
  return replacesHeaders(options) || options.tags !== undefined || options.encryption !== undefined;
}

/**
 * Refuses SSE-C where the uploader is a browser (presigned PUTs and POSTs): it would have to send
 * the key itself, which then is no longer the app's secret. @internal
 */
export function assertNoCustomerKey(
  attributes: UploadAttributes,
  context: BucketErrorContext,
): void {
  if (attributes.encryption?.type === 'SSE-C') {
    throw invalidArgument(
      context,
      "encryption.type = 'SSE-C': a presigned upload would hand the key to the uploader; use SSE-KMS or SSE-S3",
    );
  }
}

/** Checks the SSE-C keys of a read or a copy, when given: 32 bytes each. @internal */
export function assertReadKey(
  options: { customerKey?: unknown; sourceCustomerKey?: unknown },
  context: BucketErrorContext,
): void {
  if (options.customerKey !== undefined) {
    assertCustomerKey(options.customerKey, 'customerKey', context);
  }
  if (options.sourceCustomerKey !== undefined) {
    assertCustomerKey(options.sourceCustomerKey, 'sourceCustomerKey', context);
  }
}
