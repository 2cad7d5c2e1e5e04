import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost as signPost } from '@aws-sdk/s3-presigned-post';
import { createBucketError, type BucketErrorContext } from '../bucket.errors';
import { operationFailed } from '../bucket.messages';
import {
  assertOptionalInteger,
  describeValue,
  invalidArgument,
  keyProblem,
} from '../bucket.validation';
import type { UploadAttributes } from '../bucket.types';
import type { PresignedPost, PresignedPostOptions } from '../presigned-post.types';
import { assertNoCustomerKey, assertUploadAttributes, attributeParams } from './object-attributes';

type PolicyCondition =
  | ['starts-with', string, string]
  | ['content-length-range', number, number]
  | Record<string, string>;

const MAX_POST_BYTES = 5 * 1024 * 1024 * 1024;

/**
 * Checks the options of a presigned POST before anything is signed: one of `key` and
 * `keyPrefix`, a valid key, a length range from 0 to 5 GiB, at most one content type rule, and
 * a lifetime from 1 s to 7 days. Every problem is an `InvalidArgument` naming the value and the rule.
 * @internal
 */
export function assertPresignedPostOptions(
  options: PresignedPostOptions,
  context: BucketErrorContext,
): void {
  const fail = (detail: string) => invalidArgument(context, detail);
  if ((options.key === undefined) === (options.keyPrefix === undefined)) {
    throw fail('give exactly one of key and keyPrefix');
  }
  if (options.key !== undefined) {
    const problem = keyProblem(options.key);
    if (problem) {
      throw createBucketError(
        'InvalidKey',
        operationFailed('InvalidKey', context, `key = ${describeValue(options.key)}: ${problem}`),
        context,
      );
    }
  }
  if (options.keyPrefix !== undefined && typeof options.keyPrefix !== 'string') {
    throw fail(`keyPrefix = ${describeValue(options.keyPrefix)}: must be a string`);
  }
  if (options.contentType !== undefined && options.contentTypePrefix !== undefined) {
    throw fail('give at most one of contentType and contentTypePrefix');
  }
  const range = options.contentLengthRange;
  if (range !== undefined) {
    assertOptionalInteger(range.min, 'contentLengthRange.min', 0, MAX_POST_BYTES, context);
    assertOptionalInteger(
      range.max,
      'contentLengthRange.max',
      range.min ?? 0,
      MAX_POST_BYTES,
      context,
    );
  }
  assertOptionalInteger(options.expiresIn, 'expiresIn', 1, 604_800, context);
  if (options.attributes !== undefined) {
    assertUploadAttributes(options.attributes, context);
    assertNoCustomerKey(options.attributes, context);
    if (options.attributes.contentLanguage !== undefined) {
      throw fail('attributes.contentLanguage: a POST form cannot set Content-Language');
    }
  }
}

/**
 * The form fields of an upload's attributes, named as POST Object takes them; tags go as the
 * XML document of the `tagging` field. @internal
 */
export function attributeFields(attributes: UploadAttributes | undefined): Record<string, string> {
  if (attributes === undefined) return {};
  const params = attributeParams(attributes);
  const fields: Record<string, string> = {};
  if (params.CacheControl !== undefined) fields['Cache-Control'] = params.CacheControl;
  if (params.ContentDisposition !== undefined)
    fields['Content-Disposition'] = params.ContentDisposition;
  if (params.ContentEncoding !== undefined) fields['Content-Encoding'] = params.ContentEncoding;
  if (params.ServerSideEncryption !== undefined)
    fields['x-amz-server-side-encryption'] = params.ServerSideEncryption;
  if (params.SSEKMSKeyId !== undefined)
    fields['x-amz-server-side-encryption-aws-kms-key-id'] = params.SSEKMSKeyId;
  const tags = Object.entries(attributes.tags ?? {});
  if (tags.length > 0) {
    const escape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const tagSet = tags
      .map(([key, value]) => `<Tag><Key>${escape(key)}</Key><Value>${escape(value)}</Value></Tag>`)
      .join('');
    fields.tagging = `<Tagging><TagSet>${tagSet}</TagSet></Tagging>`;
  }
  return fields;
}

/**
 * Signs a POST policy locally with `@aws-sdk/s3-presigned-post` (no request is made): the key or
 * the key prefix, the length range, the content type (exact or prefix) and the metadata are
 * conditions of the policy, which the server checks.
 * @internal
 */
export async function presignPost(
  client: S3Client,
  bucket: string,
  options: PresignedPostOptions,
): Promise<PresignedPost> {
  const expiresIn = options.expiresIn ?? 900;
  const fields: Record<string, string> = {};
  const conditions: PolicyCondition[] = [];
  if (options.contentType !== undefined) fields['Content-Type'] = options.contentType;
  if (options.contentTypePrefix !== undefined) {
    conditions.push(['starts-with', '$Content-Type', options.contentTypePrefix]);
  }
  for (const [name, value] of Object.entries(options.metadata ?? {})) {
    fields[`x-amz-meta-${name.toLowerCase()}`] = value;
  }
  Object.assign(fields, attributeFields(options.attributes));
  if (options.contentLengthRange !== undefined) {
    const { min = 0, max } = options.contentLengthRange;
    conditions.push(['content-length-range', min, max]);
  }
  const signedAt = Date.now();
  const post = await signPost(client, {
    Bucket: bucket,
    // The SDK turns a key ending in ${filename} into a starts-with condition on the prefix.
    Key: options.key ?? `${options.keyPrefix ?? ''}\${filename}`,
    Conditions: conditions,
    Fields: fields,
    Expires: expiresIn,
  });
  return { url: post.url, fields: post.fields, expiresAt: new Date(signedAt + expiresIn * 1000) };
}
