import { S3Client } from '@aws-sdk/client-s3';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { ResolvedBucketOptions } from './bucket.options';

/**
 * Builds the `S3Client` of an instance from its resolved options: the provider factory behind
 * `getBucketClientToken()`.
 * @internal
 */
export function createS3Client(options: ResolvedBucketOptions): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: { accessKeyId: options.user, secretAccessKey: options.password },
    maxAttempts: options.maxAttempts,
    requestChecksumCalculation: options.requestChecksumCalculation,
    responseChecksumValidation: options.responseChecksumValidation,
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs,
      // Time to the response headers, then time without a byte while streaming.
      requestTimeout: options.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: options.requestTimeoutMs,
      httpAgent: options.useSsl ? undefined : new HttpAgent(agentOptions),
      httpsAgent: options.useSsl ? new HttpsAgent(agentOptions) : undefined,
    },
  });
}
