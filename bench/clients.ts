import { S3Client } from '@aws-sdk/client-s3';
import type { INestApplicationContext } from '@nestjs/common';
import { NestApplicationContextOptions } from '@nestjs/common/interfaces/nest-application-context-options.interface';
import { NestFactory } from '@nestjs/core';
import { Agent } from 'node:http';
import { BUCKET_OPTION_DEFAULTS, BucketModule, BucketService } from '../libs/bucket/src';
import type { ServerConnection } from './server';

/** The library's service, as an application gets it, and the context to close. */
export interface BenchService {
  service: BucketService;
  close: () => Promise<void>;
}

/**
 * A `BucketService` built the way an application builds it: `BucketModule.forRoot` in a Nest
 * application context, with the library's default options.
 *
 * @param server - where to connect
 */
export async function createBenchService(server: ServerConnection): Promise<BenchService> {
  const options = new NestApplicationContextOptions();
  options.logger = false;
  // A failure must reach the bench's cleanup, not abort the process.
  options.abortOnError = false;
  const app: INestApplicationContext = await NestFactory.createApplicationContext(
    BucketModule.forRoot({
      host: server.host,
      port: server.port,
      user: server.user,
      password: server.password,
      region: server.region,
      useSsl: server.useSsl,
    }),
    options,
  );
  return { service: app.get(BucketService), close: () => app.close() };
}

/**
 * A plain `S3Client` configured as the library configures its own (see `createS3Client`): the
 * same keep-alive agent and `maxSockets`, checksum modes, retries and timeouts. The baseline of
 * the raw-SDK figures.
 *
 * @param server - where to connect
 */
export function createRawClient(server: ServerConnection): S3Client {
  const d = BUCKET_OPTION_DEFAULTS;
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.user, secretAccessKey: server.password },
    maxAttempts: d.maxAttempts,
    requestChecksumCalculation: d.requestChecksumCalculation,
    responseChecksumValidation: d.responseChecksumValidation,
    requestHandler: {
      connectionTimeout: d.connectTimeoutMs,
      requestTimeout: d.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: d.requestTimeoutMs,
      httpAgent: new Agent({ keepAlive: true, maxSockets: d.maxSockets }),
    },
  });
}
