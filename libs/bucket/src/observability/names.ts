/**
 * The names of nest-bucket's OpenTelemetry signals: its instrumentation scope, its span
 * attributes and its metrics. The `aws.s3.*` attributes are OpenTelemetry's semantic conventions
 * for S3 (as `@opentelemetry/instrumentation-aws-sdk` sets them); `nest_bucket.*` are the
 * library's own. docs/observability.md lists them.
 */

/** The instrumentation scope's name: the tracer's and the meter's. */
export const TELEMETRY_SCOPE = 'nest-bucket';

/**
 * The library's version, the instrumentation scope's version. Kept equal to
 * `libs/bucket/package.json`'s by a unit test.
 */
export const LIBRARY_VERSION = '0.1.0';

/** The span attributes that nest-bucket sets. */
export const SPAN_ATTRIBUTES = {
  /** The bucket (for a copy, the destination). */
  bucket: 'aws.s3.bucket',
  /** The object key (for a copy, the destination). */
  key: 'aws.s3.key',
  /** The multipart upload's id, on an upload or copy in parts and on its parts. */
  uploadId: 'aws.s3.upload_id',
  /** The part's number, from 1, on a part span. */
  partNumber: 'aws.s3.part_number',
  /** The source of a copy, `bucket/key` (URL-encoded, as sent in `x-amz-copy-source`). */
  copySource: 'aws.s3.copy_source',
  /** The `BucketService` method. */
  operation: 'nest_bucket.operation',
  /** The module instance: its `name`, or `default`. */
  instance: 'nest_bucket.instance',
  /** Bytes sent to the server (the body of an upload or a part). */
  bytesSent: 'nest_bucket.bytes_sent',
  /** Bytes received from the server (an object's body, or a range of it). */
  bytesReceived: 'nest_bucket.bytes_received',
  /** HTTP requests sent in the span and its children, each retry counted. */
  attempts: 'nest_bucket.attempts',
  /** Requests sent again after a failure, in the span and its children. */
  retries: 'nest_bucket.retries',
  /** The byte range of a ranged GET span: `bytes=0-8388607`. */
  range: 'nest_bucket.range',
  /** The `BucketError` code of a failure. */
  errorCode: 'nest_bucket.error.code',
  /** The OpenTelemetry convention's error class: the same `BucketError` code. */
  errorType: 'error.type',
  /** The server's host name. */
  serverAddress: 'server.address',
  /** The server's port. */
  serverPort: 'server.port',
} as const;

/** The metrics that nest-bucket records. */
export const METRIC_NAMES = {
  /** Histogram, seconds: the duration of each public operation. */
  operationDuration: 'nest_bucket.operation.duration',
  /** Counter, bytes: bodies sent by `uploadFile` and `putObject`. */
  bytesSent: 'nest_bucket.bytes.sent',
  /** Counter, bytes: bodies received by `downloadFile` and `getObject`. */
  bytesReceived: 'nest_bucket.bytes.received',
  /** Counter: requests sent again after a failure (by the SDK or by the library). */
  retries: 'nest_bucket.retries',
  /** Counter: failed operations, by `error.type` (the `BucketError` code). */
  errors: 'nest_bucket.errors',
  /** Observable gauge: the HTTP agent's sockets in use (sending or awaiting a response). */
  socketsInUse: 'nest_bucket.http.sockets.in_use',
  /** Observable gauge: the HTTP agent's `maxSockets`, the limit of sockets in use. */
  socketsLimit: 'nest_bucket.http.sockets.limit',
  /** Observable gauge: transfers in flight (the ones that shutdown waits for). */
  transfersInFlight: 'nest_bucket.transfers.in_flight',
} as const;
