import type { Readable } from 'node:stream';
import type { BucketService } from '../../libs/bucket/src';
import { runPool } from '../pool';

/** The small operations measured. */
export type TelemetryOp = 'put' | 'get' | 'head';

/** The small operations measured, in their order. */
export const TELEMETRY_OPS: readonly TelemetryOp[] = ['put', 'get', 'head'];

/** The telemetry scenario's settings. */
export interface TelemetryConfig {
  /** The size of each object put and read. */
  objectBytes: number;
  /** Operations of one kind in a batch (one sample). */
  opsPerBatch: number;
  /** Samples of each figure. */
  repetitions: number;
  /** Operations in flight. */
  inFlight: number;
}

/** One batch's figures. */
export interface BatchSample {
  opsPerSec: number;
  /** The process's CPU (user + system) per operation, µs. */
  cpuUs: number;
}

async function drain(body: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) bytes += chunk.length;
  return bytes;
}

/**
 * Runs one batch of `op`: `opsPerBatch` operations on keys under `prefix` (a get or head reads
 * the keys that the put of the same prefix wrote).
 *
 * @param service - the library's service
 * @param bucket - an existing bucket
 * @param op - which operation
 * @param prefix - the batch's key prefix
 * @param config - sizes and counts
 */
export async function runBatch(
  service: BucketService,
  bucket: string,
  op: TelemetryOp,
  prefix: string,
  config: TelemetryConfig,
): Promise<BatchSample> {
  const body = Buffer.alloc(config.objectBytes, 'x');
  const perform = {
    put: (key: string) => service.putObject(bucket, key, body),
    get: async (key: string) => drain((await service.getObject(bucket, key)).body),
    head: (key: string) => service.getBucketFile(bucket, key),
  }[op];
  const cpuBefore = process.cpuUsage();
  const { wallMs } = await runPool(config.opsPerBatch, config.inFlight, (i) =>
    perform(`${prefix}/${i}`),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return {
    opsPerSec: config.opsPerBatch / (wallMs / 1000),
    cpuUs: (cpu.user + cpu.system) / config.opsPerBatch,
  };
}
