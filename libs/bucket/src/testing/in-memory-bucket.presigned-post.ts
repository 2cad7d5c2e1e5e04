import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PresignedPost, PresignedPostOptions } from '../presigned-post.types';
import { attributeFields } from '../operations/presigned-post';
import { FAKE_ALGORITHM } from './in-memory-bucket.presigned';

/**
 * Presigned POSTs of the in-memory fake: forms with the fields of real ones (`key`, `Policy`,
 * `X-Amz-Signature`, ...) on the fake's `memory://` endpoint, whose policy is checked as S3
 * checks it when `InMemoryBucketService.fetchPresignedUrl` receives the form.
 * @internal
 */

type Condition = ['starts-with', string, string] | ['content-length-range', number, number];
type PolicyCondition = Condition | Record<string, string>;

/** An upload the policy allows: what to store. */
export interface AcceptedPost {
  ok: true;
  key: string;
  data: Buffer;
  contentType: string | undefined;
  metadata: Record<string, string>;
  /** Every form field, by lowercase name, for the attributes S3 reads from them. */
  fields: Record<string, string>;
}

/** A refused upload, as S3 answers it. */
export interface RefusedPost {
  ok: false;
  status: number;
  code: string;
  message: string;
}

/** Signs and checks the POST policies of one fake instance. */
export class InMemoryPostSigner {
  private readonly secret = randomBytes(32);

  /** The form for a policy, as `@aws-sdk/s3-presigned-post` builds it. */
  sign(endpoint: string, bucket: string, options: PresignedPostOptions, now: Date): PresignedPost {
    const expiresIn = options.expiresIn ?? 900;
    const expiresAt = new Date(now.getTime() + expiresIn * 1000);
    const key = options.key ?? `${options.keyPrefix ?? ''}\${filename}`;
    const fields: Record<string, string> = {};
    if (options.contentType !== undefined) fields['Content-Type'] = options.contentType;
    for (const [name, value] of Object.entries(options.metadata ?? {}))
      fields[`x-amz-meta-${name.toLowerCase()}`] = value;
    Object.assign(fields, attributeFields(options.attributes));
    const conditions: PolicyCondition[] = [
      { bucket },
      ...Object.entries(fields).map(([name, value]) => ({ [name]: value })),
      key.endsWith('${filename}')
        ? ['starts-with', '$key', key.slice(0, -'${filename}'.length)]
        : { key },
    ];
    if (options.contentTypePrefix !== undefined)
      conditions.push(['starts-with', '$Content-Type', options.contentTypePrefix]);
    if (options.contentLengthRange !== undefined)
      conditions.push([
        'content-length-range',
        options.contentLengthRange.min ?? 0,
        options.contentLengthRange.max,
      ]);
    const policy = Buffer.from(
      JSON.stringify({ expiration: expiresAt.toISOString(), conditions }),
    ).toString('base64');
    return {
      url: `${endpoint}/${encodeURIComponent(bucket)}`,
      fields: {
        ...fields,
        bucket,
        key,
        'X-Amz-Algorithm': FAKE_ALGORITHM,
        Policy: policy,
        'X-Amz-Signature': this.signature(policy),
      },
      expiresAt,
    };
  }

  /** Checks a form sent to `bucket` against its signed policy, at `now`. */
  async check(form: FormData, bucket: string, now: Date): Promise<AcceptedPost | RefusedPost> {
    const denied = (message: string): RefusedPost => ({
      ok: false,
      status: 403,
      code: 'AccessDenied',
      message,
    });
    const text = (name: string) => {
      const value = [...form.entries()].find(
        ([field]) => field.toLowerCase() === name.toLowerCase(),
      );
      return typeof value?.[1] === 'string' ? value[1] : undefined;
    };
    const policyText = text('Policy') ?? '';
    const given = Buffer.from(text('X-Amz-Signature') ?? '');
    const wanted = Buffer.from(this.signature(policyText));
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
      return { ...denied('The request signature does not match.'), code: 'SignatureDoesNotMatch' };
    const policy = JSON.parse(Buffer.from(policyText, 'base64').toString('utf8')) as {
      expiration: string;
      conditions: PolicyCondition[];
    };
    if (now.getTime() > Date.parse(policy.expiration))
      return denied('Invalid according to Policy: Policy expired.');
    const file = form.get('file');
    if (!(file instanceof Blob))
      return {
        ok: false,
        status: 400,
        code: 'InvalidArgument',
        message: 'POST requires exactly one file upload per request.',
      };
    const data = Buffer.from(await file.arrayBuffer());
    const filename = file instanceof File ? file.name : '';
    const key = (text('key') ?? '').replace('${filename}', filename);
    const value = (name: string) =>
      name === 'bucket' ? bucket : name === 'key' ? key : text(name);
    for (const condition of policy.conditions) {
      if (Array.isArray(condition)) {
        if (condition[0] === 'content-length-range') {
          const [, min, max] = condition;
          if (data.length > max)
            return {
              ok: false,
              status: 400,
              code: 'EntityTooLarge',
              message: 'Your proposed upload exceeds the maximum allowed size',
            };
          if (data.length < min)
            return {
              ok: false,
              status: 400,
              code: 'EntityTooSmall',
              message: 'Your proposed upload is smaller than the minimum allowed size',
            };
        } else {
          const [, field, prefix] = condition;
          if (!(value(field.slice(1)) ?? '').startsWith(prefix))
            return denied(`Policy condition failed: starts-with: ${field}`);
        }
      } else {
        for (const [field, expected] of Object.entries(condition))
          if (value(field) !== expected) return denied(`Policy condition failed: eq: $${field}`);
      }
    }
    const metadata: Record<string, string> = {};
    for (const [field, fieldValue] of form.entries())
      if (field.toLowerCase().startsWith('x-amz-meta-') && typeof fieldValue === 'string')
        metadata[field.toLowerCase().slice('x-amz-meta-'.length)] = fieldValue;
    const fields: Record<string, string> = {};
    for (const [field, fieldValue] of form.entries())
      if (typeof fieldValue === 'string') fields[field.toLowerCase()] = fieldValue;
    return { ok: true, key, data, contentType: text('Content-Type'), metadata, fields };
  }

  private signature(policy: string): string {
    return createHmac('sha256', this.secret).update(policy).digest('hex');
  }
}
