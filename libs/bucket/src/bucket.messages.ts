import type { BucketErrorCode, BucketErrorContext } from './bucket.errors';

/**
 * Every text that nest-bucket logs or puts in an error, in one place, so that
 * they read the same everywhere. None of them ever receives a secret.
 * @internal
 */

const EXPLANATION: Record<BucketErrorCode, string> = {
  NoSuchBucket: 'the bucket does not exist',
  NoSuchKey: 'the object does not exist',
  NoSuchUpload: 'the multipart upload does not exist (completed, aborted, or never created)',
  BucketNotEmpty: 'the bucket is not empty',
  BucketAlreadyExists: 'the bucket already exists',
  PreconditionFailed: 'the object changed during the operation (its ETag no longer matches)',
  InvalidBucketName: 'the bucket name is invalid',
  InvalidKey: 'the key is invalid',
  InvalidRange: 'the byte range is invalid or not satisfiable',
  InvalidArgument: 'an argument is invalid',
  AccessDenied: 'access denied: check the access key, the secret and the permissions',
  ConnectionFailed: 'the storage server could not be reached',
  Timeout: 'the storage server did not answer in time',
  Throttled: 'the storage server asked to slow down, also after the retries',
  IntegrityError: 'the bytes received do not match the object (corrupted or incomplete transfer)',
  Aborted: 'the operation was aborted by the caller',
  LocalFileError: 'a local file could not be used',
  InvalidConfig: 'the configuration is invalid',
  Unknown: 'the storage server returned an unexpected error',
};

/** `bucket "media", key "a/b.png"`: the target of an operation, for messages. */
export function describeTarget(context: BucketErrorContext): string {
  const parts: string[] = [];
  if (context.bucket !== undefined) parts.push(`bucket ${JSON.stringify(context.bucket)}`);
  if (context.key !== undefined) parts.push(`key ${JSON.stringify(context.key)}`);
  return parts.join(', ');
}

/** `downloadFile (bucket "media", key "a.png"): the object does not exist (NoSuchKey)`. */
export function operationFailed(
  code: BucketErrorCode,
  context: BucketErrorContext,
  detail?: string,
): string {
  const target = describeTarget(context);
  const where = [context.operation, target ? `(${target})` : undefined]
    .filter((part) => part !== undefined)
    .join(' ');
  const why = detail ? `${EXPLANATION[code]}: ${detail}` : EXPLANATION[code];
  return `${where ? `${where}: ` : ''}${why} (${code})`;
}

/** One debug line per operation; with the OpenTelemetry trace id when a span is active. */
export function operationLog(
  context: BucketErrorContext,
  durationMs: number,
  outcome: 'ok' | BucketErrorCode,
  traceId?: string,
): string {
  const target = describeTarget(context);
  const trace = traceId === undefined ? '' : ` trace_id=${traceId}`;
  return `${context.operation ?? 'operation'}${target ? ` ${target}` : ''} ${durationMs.toFixed(1)}ms ${outcome}${trace}`;
}

/** The single warning logged when the first connection fails at boot. */
export function bootConnectFailed(endpoint: string, reason: string): string {
  return `Could not connect to object storage at ${endpoint}: ${reason}. The application runs disconnected; the next operation will try again.`;
}

/** Logged once the connection is established. */
export function connected(endpoint: string): string {
  return `Connected to object storage at ${endpoint}`;
}

/** Logged when a lost connection is re-established. */
export function reconnected(endpoint: string): string {
  return `Reconnected to object storage at ${endpoint}`;
}

/** The configuration error's heading, followed by one line per problem. */
export function invalidConfig(problems: readonly string[]): string {
  return `Invalid nest-bucket configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
}

/** Logged when shutdown waits for transfers. */
export function draining(count: number, drainMs: number): string {
  return `Waiting up to ${drainMs} ms for ${count} transfer(s) in flight before shutting down`;
}

/** Logged when shutdown aborts the transfers that did not finish in time. */
export function abortingTransfers(count: number): string {
  return `Aborting ${count} transfer(s) still in flight at shutdown`;
}
