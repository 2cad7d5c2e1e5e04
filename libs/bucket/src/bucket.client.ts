import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { HttpHandler } from '@smithy/core/protocols';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ResolvedBucketOptions } from './bucket.options';

// eslint-disable-next-line @typescript-eslint/no-empty-function
const ignore = () => {};

/**
 * A logger for the SDK that drops what it is told, and has no `info`. With the SDK's default
 * `NoOpLogger`, its retry middleware writes to `console.warn` ("An error was encountered in a
 * non-retryable streaming request.") on every failed or aborted stream upload; the library
 * reports each failure itself, as the BucketError thrown and in its debug log. Any other logger
 * with an `info` makes the SDK copy every command's input and output through its sensitive-data
 * filter before calling it (`logger.info?.(...)`): about 40 µs of CPU per call, measured.
 */
const SILENT_LOGGER = {
  trace: ignore,
  debug: ignore,
  warn: ignore,
  error: ignore,
} as unknown as NonNullable<S3ClientConfig['logger']>;

/** The HTTP(S) agent of each client that `createS3Client` built, for the socket gauges. */
const agents = new WeakMap<S3Client, HttpAgent>();

/**
 * The HTTP(S) agent of a client built by `createS3Client` (`undefined` for another client): its
 * sockets in use and `maxSockets`, for nest-bucket's OpenTelemetry gauges.
 * @internal
 */
export function httpAgentOf(client: S3Client): HttpAgent | undefined {
  return agents.get(client);
}

/**
 * Builds the `S3Client` of an instance from its resolved options: the provider factory behind
 * `getBucketClientToken()`.
 * @internal
 */
export function createS3Client(options: ResolvedBucketOptions): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  const agent = options.useSsl ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: { accessKeyId: options.user, secretAccessKey: options.password },
    retryStrategy: new ConfiguredRetryStrategy(options.maxAttempts, (attempt) =>
      backoffDelay(options.retryBaseDelayMs, attempt),
    ),
    logger: SILENT_LOGGER,
    requestChecksumCalculation: options.requestChecksumCalculation,
    responseChecksumValidation: options.responseChecksumValidation,
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs,
      // Time to the response headers, then time without a byte while streaming.
      requestTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: options.requestTimeoutMs,
      httpAgent: options.useSsl ? undefined : agent,
      httpsAgent: options.useSsl ? agent : undefined,
    },
  });
  agents.set(client, agent);
  return client;
}

/**
 * The request handler of the signing client: it opens no socket and refuses to send, since that
 * client only signs, for a host the service itself may not reach.
 */
const NO_REQUESTS: HttpHandler = {
  handle: () =>
    Promise.reject(new Error('nest-bucket: the presigning client never sends requests')),
  updateHttpClientConfig: ignore,
  httpHandlerConfigs: () => ({}),
};

/**
 * Builds the client that signs presigned URLs and POSTs for `publicEndpoint`: the instance's
 * credentials, region, path style and checksum modes, with the public endpoint (passed apart, as
 * spreading the options would drop their non-enumerable `password`). Presigning is local, so it
 * sends no request (its handler refuses to) and holds no socket to release.
 * @internal
 */
export function createSigningClient(
  options: ResolvedBucketOptions,
  publicEndpoint: string,
): S3Client {
  return new S3Client({
    endpoint: publicEndpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: { accessKeyId: options.user, secretAccessKey: options.password },
    logger: SILENT_LOGGER,
    requestChecksumCalculation: options.requestChecksumCalculation,
    responseChecksumValidation: options.responseChecksumValidation,
    requestHandler: NO_REQUESTS,
  });
}

/** The longest wait between two attempts. */
const MAX_BACKOFF_MS = 20_000;

/**
 * Exponential backoff with "equal jitter": half of `base * 2^attempt` for sure, half at random,
 * so that clients that failed together do not retry together.
 * @internal
 */
export function backoffDelay(baseMs: number, attempt: number): number {
  const ceiling = Math.min(baseMs * 2 ** attempt, MAX_BACKOFF_MS);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
