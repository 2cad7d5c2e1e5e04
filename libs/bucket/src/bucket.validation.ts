import { createBucketError, type BucketError, type BucketErrorContext } from './bucket.errors';
import { operationFailed } from './bucket.messages';

/** The longest key S3 accepts, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const BUCKET_NAME_CHARACTERS = /^[a-z0-9.-]+$/;
const IPV4_FORM = /^\d{1,3}(\.\d{1,3}){3}$/;
const FORBIDDEN_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const FORBIDDEN_SUFFIXES = ['-s3alias', '--ol-s3', '--x-s3', '.mrap'];

/** Bucket names already found valid, up to `VALID_BUCKET_NAMES_KEPT`. */
const VALID_BUCKET_NAMES = new Set<string>();
const VALID_BUCKET_NAMES_KEPT = 256;

/**
 * Returns why a bucket name breaks S3's naming rules, or `undefined` when it is valid.
 * The rules are AWS's general-purpose bucket rules, which every S3-compatible server accepts.
 */
export function bucketNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return `a bucket name must be a string, got ${typeof name}`;
  if (name.length < 3 || name.length > 63)
    return `a bucket name must be 3 to 63 characters long, got ${name.length}`;
  if (!BUCKET_NAME_CHARACTERS.test(name))
    return 'a bucket name may contain only lowercase letters, digits, dots and hyphens';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name))
    return 'a bucket name must begin and end with a lowercase letter or a digit';
  if (name.includes('..')) return 'a bucket name must not contain two adjacent dots';
  if (IPV4_FORM.test(name)) return 'a bucket name must not be formatted as an IP address';
  const prefix = FORBIDDEN_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `a bucket name must not begin with "${prefix}"`;
  const suffix = FORBIDDEN_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `a bucket name must not end with "${suffix}"`;
  return undefined;
}

/** Returns why an object key is unusable, or `undefined` when it is valid. */
export function keyProblem(key: unknown): string | undefined {
  if (typeof key !== 'string') return `a key must be a string, got ${typeof key}`;
  if (key.length === 0) return 'a key must not be empty';
  if (!key.isWellFormed()) return 'a key must be valid Unicode (it has a lone surrogate)';
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES)
    return `a key must be at most ${MAX_KEY_BYTES} bytes in UTF-8, got ${bytes}`;
  if (CONTROL_CHARACTERS.test(key)) return 'a key must not contain control characters';
  return undefined;
}

/** Renders a rejected value for a message: strings quoted and cut, other types named. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value;
    return JSON.stringify(shown);
  }
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a value of type ${typeof value}`;
}

/**
 * Throws `InvalidBucketName` when `name` breaks S3's rules.
 * @internal
 */
export function assertValidBucketName(name: unknown, operation: string): asserts name is string {
  if (typeof name === 'string' && VALID_BUCKET_NAMES.has(name)) return;
  const problem = bucketNameProblem(name);
  if (problem) {
    throw createBucketError(
      'InvalidBucketName',
      operationFailed('InvalidBucketName', { operation }, `${describeValue(name)}: ${problem}`),
      { operation },
    );
  }
  // An application uses a handful of buckets: remember them rather than run eight tests a call.
  if (VALID_BUCKET_NAMES.size >= VALID_BUCKET_NAMES_KEPT) VALID_BUCKET_NAMES.clear();
  VALID_BUCKET_NAMES.add(name as string);
}

/**
 * Throws `InvalidKey` when `key` is unusable.
 * @internal
 */
export function assertValidKey(
  key: unknown,
  operation: string,
  bucket: string,
): asserts key is string {
  const problem = keyProblem(key);
  if (problem) {
    throw createBucketError(
      'InvalidKey',
      operationFailed('InvalidKey', { operation, bucket }, `${describeValue(key)}: ${problem}`),
      { operation, bucket },
    );
  }
}

/**
 * Throws `InvalidBucketName` or `InvalidKey` when an object's bucket name or key is unusable.
 * @internal
 */
export function assertValidObjectAddress(bucket: unknown, key: unknown, operation: string): void {
  assertValidBucketName(bucket, operation);
  assertValidKey(key, operation, bucket);
}

/** A byte range: from `start` to `end` inclusive (to the end of the object when `end` is left out). */
export interface ByteRange {
  /** The first byte, from 0. */
  start: number;
  /** The last byte, inclusive. Default: the last byte of the object. */
  end?: number;
}

const HTTP_RANGE = /^bytes=(\d+-\d*|-\d+)$/;

/**
 * Checks a range, as an object or as an HTTP `Range` header value (`bytes=0-99`, `bytes=100-`,
 * `bytes=-500`; one range only), and returns the header value to send.
 * @internal
 */
export function toRangeHeader(
  range: ByteRange | string,
  context: { operation: string; bucket: string; key: string },
): string {
  const fail = (rule: string) =>
    createBucketError(
      'InvalidRange',
      operationFailed(
        'InvalidRange',
        context,
        `${describeValue(typeof range === 'string' ? range : JSON.stringify(range))}: ${rule}`,
      ),
      context,
    );
  if (typeof range === 'string') {
    const match = HTTP_RANGE.exec(range.trim());
    if (!match)
      throw fail('must be one range of the form bytes=START-END, bytes=START- or bytes=-SUFFIX');
    const [first, last] = match[1].split('-');
    if (first !== '' && last !== '' && Number(last) < Number(first))
      throw fail('the end must not be before the start');
    // Servers disagree on an empty suffix: refuse it everywhere.
    if (first === '' && Number(last) === 0) throw fail('a suffix range must cover at least 1 byte');
    return range.trim();
  }
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0)
    throw fail('start must be a whole number of at least 0');
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start))
    throw fail('end must be a whole number of at least start');
  return `bytes=${start}-${end ?? ''}`;
}

/**
 * The `InvalidArgument` error of an operation, with a detail that names the value and the rule.
 * @internal
 */
export function invalidArgument(context: BucketErrorContext, detail: string): BucketError {
  return createBucketError(
    'InvalidArgument',
    operationFailed('InvalidArgument', context, detail),
    context,
  );
}

/**
 * Throws `InvalidArgument` unless `value` is undefined or a whole number within the bounds.
 * @internal
 */
export function assertOptionalInteger(
  value: unknown,
  name: string,
  min: number,
  max: number,
  context: BucketErrorContext,
): void {
  if (value === undefined) return;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max)
    return;
  throw invalidArgument(
    context,
    `${name} = ${describeValue(value)}: must be a whole number from ${min} to ${max}`,
  );
}

const MIB = 1024 * 1024;

/**
 * Checks the per-call tuning of a transfer: part size from 5 MiB to 5 GiB, concurrency from 1 to 64.
 * @internal
 */
export function assertTransferOptions(
  options: { partSizeBytes?: unknown; concurrency?: unknown },
  context: BucketErrorContext,
): void {
  assertOptionalInteger(options.partSizeBytes, 'partSizeBytes', 5 * MIB, 5 * 1024 * MIB, context);
  assertOptionalInteger(options.concurrency, 'concurrency', 1, 64, context);
}

/**
 * Checks the per-call options of `copyFile` and `moveFile`: the transfer tuning, and a
 * `multipartThresholdBytes` from 5 MiB to 5 GiB (the largest `CopyObject`).
 * @internal
 */
export function assertCopyOptions(
  options: { partSizeBytes?: unknown; concurrency?: unknown; multipartThresholdBytes?: unknown },
  context: BucketErrorContext,
): void {
  assertTransferOptions(options, context);
  assertOptionalInteger(
    options.multipartThresholdBytes,
    'multipartThresholdBytes',
    5 * MIB,
    5 * 1024 * MIB,
    context,
  );
}
