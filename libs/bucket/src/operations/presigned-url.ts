import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BucketErrorContext } from '../bucket.errors';
import type { PresignedUrlOptions } from '../bucket.types';
import { assertOptionalInteger, describeValue, invalidArgument } from '../bucket.validation';
import {
  assertNoCustomerKey,
  assertUploadAttributes,
  attributeParams,
  HEADER_VALUE,
  type AttributeParams,
} from './object-attributes';

/** The largest object one PutObject may carry. */
const MAX_PUT_BYTES = 5 * 1024 * 1024 * 1024;

/** An HTTP token (RFC 9110), the rule for a header name such as `x-amz-meta-<name>`. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The request header of each S3 field that an upload's attributes set. */
const HEADER_OF_PARAM: Record<
  Exclude<keyof AttributeParams, 'SSECustomerAlgorithm' | 'SSECustomerKey'>,
  string
> = {
  CacheControl: 'cache-control',
  ContentDisposition: 'content-disposition',
  ContentEncoding: 'content-encoding',
  ContentLanguage: 'content-language',
  Tagging: 'x-amz-tagging',
  ServerSideEncryption: 'x-amz-server-side-encryption',
  SSEKMSKeyId: 'x-amz-server-side-encryption-aws-kms-key-id',
};

/**
 * Checks the options of `getPresignedUrl` before anything is signed: a lifetime from 1 s to
 * 7 days, `GET` or `PUT`, and for `PUT` only a content type, a length from 0 to 5 GiB and
 * metadata that can travel as HTTP headers. Every problem is an `InvalidArgument` naming the
 * value and the rule.
 * @internal
 */
export function assertPresignedUrlOptions(
  options: PresignedUrlOptions,
  context: BucketErrorContext,
): void {
  const fail = (detail: string) => invalidArgument(context, detail);
  assertOptionalInteger(options.expiresIn, 'expiresIn', 1, 604_800, context);
  const method: string = options.method ?? 'GET';
  if (method !== 'GET' && method !== 'PUT') {
    throw fail(`method = ${JSON.stringify(method)}: must be GET or PUT`);
  }
  if (method === 'GET') {
    for (const name of ['contentType', 'contentLength', 'metadata', 'attributes'] as const) {
      if (options[name] !== undefined) {
        throw fail(`${name} = ${describeValue(options[name])}: only a PUT URL binds it`);
      }
    }
    return;
  }
  const { contentType, metadata } = options;
  if (contentType !== undefined && (typeof contentType !== 'string' || contentType === '')) {
    throw fail(`contentType = ${describeValue(contentType)}: must be a non-empty string`);
  }
  if (contentType !== undefined && !HEADER_VALUE.test(contentType)) {
    throw fail(`contentType = ${describeValue(contentType)}: must be printable ASCII`);
  }
  assertOptionalInteger(options.contentLength, 'contentLength', 0, MAX_PUT_BYTES, context);
  if (options.attributes !== undefined) {
    assertUploadAttributes(options.attributes, context);
    assertNoCustomerKey(options.attributes, context);
  }
  for (const [name, value] of Object.entries(metadata ?? {})) {
    if (!TOKEN.test(name)) {
      throw fail(
        `metadata name ${describeValue(name)}: must be an HTTP token (letters, digits, -)`,
      );
    }
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw fail(`metadata.${name} = ${describeValue(value)}: must be a printable ASCII string`);
    }
  }
}

/**
 * The request headers that a presigned PUT binds, with the values the uploader must send:
 * `content-type`, `content-length`, `x-amz-meta-*` and those of the attributes (`cache-control`,
 * `x-amz-tagging`, `x-amz-server-side-encryption`, ...), as given; none without them. Hand
 * them to the uploader with the URL, for example `fetch(url, { method: 'PUT', headers, body })`.
 */
export function presignedPutHeaders(options: PresignedUrlOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  if (options.contentLength !== undefined) headers['content-length'] = `${options.contentLength}`;
  for (const [name, value] of Object.entries(options.metadata ?? {})) {
    headers[`x-amz-meta-${name.toLowerCase()}`] = value;
  }
  const params = attributeParams(options.attributes ?? {});
  for (const [field, header] of Object.entries(HEADER_OF_PARAM)) {
    const value = params[field as keyof typeof HEADER_OF_PARAM];
    if (value !== undefined) headers[header] = value;
  }
  return headers;
}

/**
 * A presigned GET or PUT URL, signed locally (no request is made). A PUT URL's signature covers
 * the headers of {@link presignedPutHeaders}: the server refuses (403 `SignatureDoesNotMatch`) an
 * upload that does not send each of them with its exact value. Without them, the SDK signs only
 * `host`, and the uploader could store any type (for example `text/html` under an avatar's key).
 * Metadata headers stay headers (not hoisted into the query), so that they are checked, not
 * merely allowed.
 * @internal
 */
export function presignUrl(
  client: S3Client,
  bucket: string,
  key: string,
  options: PresignedUrlOptions,
): Promise<string> {
  const expiresIn = options.expiresIn ?? 900;
  if ((options.method ?? 'GET') === 'GET') {
    return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
  }
  const bound = Object.keys(presignedPutHeaders(options));
  const command = new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    ContentType: options.contentType,
    ContentLength: options.contentLength,
    Metadata: options.metadata,
    ...attributeParams(options.attributes ?? {}),
  });
  return getSignedUrl(client, command, {
    expiresIn,
    signableHeaders: new Set(bound),
    unhoistableHeaders: new Set(bound.filter((name) => name.startsWith('x-amz-'))),
  });
}
