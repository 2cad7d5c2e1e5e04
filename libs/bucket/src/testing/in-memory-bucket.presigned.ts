import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Presigned URLs of the in-memory fake: URLs with the query parameters of real ones
 * (`X-Amz-Expires`, `X-Amz-Date`, `X-Amz-Signature`, ...) on the fake's own `memory://`
 * endpoint, signed with a secret of the fake's own, and resolved by
 * `InMemoryBucketService.fetchPresignedUrl`.
 * @internal
 */

/** What a presigned URL allows. */
export interface PresignedGrant {
  /** `GET` (which also allows `HEAD`) or `PUT`. */
  method: 'GET' | 'PUT';
  /** The object's bucket. */
  bucket: string;
  /** The object's key. */
  key: string;
  /**
   * For `PUT`: the request headers bound into the signature (lowercase names: `content-type`,
   * `content-length`, `x-amz-meta-*`) with the values the uploader must send.
   */
  headers?: Record<string, string>;
  /** For a part of a multipart upload (`UploadPart`): which upload, which part. */
  part?: { uploadId: string; partNumber: number };
}

/** The outcome of checking a request against its URL. */
export type PresignedCheck =
  | { ok: true; grant: PresignedGrant }
  | { ok: false; status: number; code: string; message: string };

/** The algorithm named in the URLs, so that they are recognisable as the fake's. */
export const FAKE_ALGORITHM = 'NEST-BUCKET-IN-MEMORY';

const OPERATION_BY_METHOD = { GET: 'GetObject', PUT: 'PutObject' } as const;

/** Encodes a path segment as the AWS SDK does (`encodeURIComponent`, plus `!'()*`). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `20261124T164730Z`, as in `X-Amz-Date`. */
function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return Number.NaN;
  const [, y, mo, d, h, mi, s] = match;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

/** The query of a part's URL, signed as if it were headers. */
function partHeaders(part: PresignedGrant['part']): Record<string, string> {
  return part ? { 'part-number': String(part.partNumber), 'upload-id': part.uploadId } : {};
}

/** Signs and checks the presigned URLs of one fake instance. */
export class InMemoryPresigner {
  private readonly secret = randomBytes(32);

  /** Builds the URL for a grant, valid `expiresIn` seconds from `now`. */
  sign(endpoint: string, grant: PresignedGrant, expiresIn: number, now: Date): string {
    const date = amzDate(now);
    const operation = grant.part ? 'UploadPart' : OPERATION_BY_METHOD[grant.method];
    const headers = grant.headers ?? {};
    const signedHeaders = [...Object.keys(headers), 'host'].sort();
    const query = new URLSearchParams({
      'X-Amz-Algorithm': FAKE_ALGORITHM,
      'X-Amz-Credential': `in-memory/${date.slice(0, 8)}/s3/aws4_request`,
      'X-Amz-Date': date,
      'X-Amz-Expires': String(expiresIn),
      'X-Amz-SignedHeaders': signedHeaders.join(';'),
      'X-Amz-Signature': this.signature(operation, grant.bucket, grant.key, date, expiresIn, {
        ...headers,
        host: 'memory',
        ...partHeaders(grant.part),
      }),
      'x-id': operation,
      ...(grant.part
        ? { partNumber: String(grant.part.partNumber), uploadId: grant.part.uploadId }
        : {}),
    });
    const path = [grant.bucket, ...grant.key.split('/')].map(encodeSegment).join('/');
    return `${endpoint}/${path}?${query.toString()}`;
  }

  /**
   * Checks a request: the URL's own, unaltered, for this method, with the exact values of the
   * headers it binds (`headerOf` gives the request's), and not expired at `now`.
   */
  check(
    endpoint: string,
    url: URL,
    method: string,
    now: Date,
    headerOf: (name: string) => string | undefined = () => undefined,
  ): PresignedCheck {
    const denied = (code: string, message: string): PresignedCheck => ({
      ok: false,
      status: 403,
      code,
      message,
    });
    const prefix = `${endpoint}/`;
    const target = `${url.protocol}//${url.host}${url.pathname}`;
    if (!target.startsWith(prefix) || url.searchParams.get('X-Amz-Algorithm') !== FAKE_ALGORITHM)
      return denied('AccessDenied', 'not a presigned URL of this InMemoryBucketService');
    const path = target.slice(prefix.length);
    const slash = path.indexOf('/');
    if (slash <= 0) return denied('AccessDenied', 'the URL names no bucket and key');
    let bucket: string;
    let key: string;
    try {
      bucket = decodeURIComponent(path.slice(0, slash));
      key = decodeURIComponent(path.slice(slash + 1));
    } catch {
      return denied('SignatureDoesNotMatch', 'the URL path is malformed');
    }
    const operation = url.searchParams.get('x-id');
    const date = url.searchParams.get('X-Amz-Date') ?? '';
    const expiresIn = Number(url.searchParams.get('X-Amz-Expires'));
    const given = Buffer.from(url.searchParams.get('X-Amz-Signature') ?? '', 'utf8');
    const grantMethod = operation === 'PutObject' || operation === 'UploadPart' ? 'PUT' : 'GET';
    const part =
      operation === 'UploadPart'
        ? {
            uploadId: url.searchParams.get('uploadId') ?? '',
            partNumber: Number(url.searchParams.get('partNumber')),
          }
        : undefined;
    const signed = (url.searchParams.get('X-Amz-SignedHeaders') ?? 'host').split(';');
    const sent: Record<string, string> = {};
    for (const name of signed) {
      const value = name === 'host' ? 'memory' : headerOf(name);
      // A bound header that the request lacks cannot match its signature.
      if (value === undefined)
        return denied(
          'SignatureDoesNotMatch',
          'The request signature we calculated does not match the signature you provided.',
        );
      sent[name] = value;
    }
    const wanted = Buffer.from(
      this.signature(
        part ? 'UploadPart' : OPERATION_BY_METHOD[grantMethod],
        bucket,
        key,
        date,
        expiresIn,
        { ...sent, ...partHeaders(part) },
      ),
      'utf8',
    );
    const methodAllowed =
      grantMethod === 'PUT' ? method === 'PUT' : method === 'GET' || method === 'HEAD';
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted) || !methodAllowed)
      return denied(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    if (now.getTime() > parseAmzDate(date) + expiresIn * 1000)
      return denied('AccessDenied', 'Request has expired');
    const headers = Object.fromEntries(Object.entries(sent).filter(([name]) => name !== 'host'));
    return {
      ok: true,
      grant: { method: grantMethod, bucket, key, headers, ...(part ? { part } : {}) },
    };
  }

  private signature(
    operation: string,
    bucket: string,
    key: string,
    date: string,
    expiresIn: number,
    headers: Record<string, string>,
  ): string {
    const canonicalHeaders = Object.entries(headers)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => `${name}:${value.trim()}`);
    return createHmac('sha256', this.secret)
      .update([operation, bucket, key, date, String(expiresIn), ...canonicalHeaders].join('\n'))
      .digest('hex');
  }
}

/** An S3 error answer's XML body. */
export function s3ErrorXml(code: string, message: string): string {
  const escape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error>`;
}
