import type { S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { BucketService } from '../../libs/bucket/src';
import { rotation } from '../alternate';
import { runPool } from '../pool';
import { latency, summarize, type Latency, type Summary } from '../stats';
import type { Boto3SmallBatch, Boto3SmallOpsRound } from './small-ops-boto3';
import { smallOpCommands } from './small-ops-commands';
import { rawHttpSmallOps } from './small-ops-http';
import { SMALL_OPS, type SmallOp, type SmallOpsMode } from './small-ops-kinds';

/** The shape of the small-operation scenario. */
export interface SmallOpsConfig {
  objectBytes: number;
  modes: SmallOpsMode[];
  /** Timed repetitions per mode, after one untimed warm-up. */
  repetitions: number;
}

/** One operation, done one way. */
type Perform = Record<SmallOp, (key: string) => Promise<unknown>>;

/** A way of doing the four operations: the library, the raw SDK, or raw HTTP. */
interface Variant {
  name: 'BucketService' | 'raw SDK' | 'raw HTTP';
  perform: Perform;
  /** Untimed work before a batch (raw HTTP signs its URLs). */
  prepare?: (op: SmallOp, keys: readonly string[]) => Promise<void>;
}

/** Figures of one operation in one mode. */
export interface SmallOpResult {
  /** Operations per second of each variant, over the repetitions. */
  service: Summary;
  raw: Summary;
  /** BucketService / raw, paired per repetition (the two runs next to each other). */
  ratio: Summary;
  /** This process's CPU time per operation, in microseconds, of each variant. */
  serviceCpuUs: Summary;
  rawCpuUs: Summary;
  /** boto3's operations per second, when boto3 ran (one Python process per repetition). */
  boto3?: Summary;
  /** BucketService / boto3, paired per repetition. */
  boto3Ratio?: Summary;
  /**
   * Raw HTTP's operations per second (presigned URLs, no SDK in the timed requests): what the
   * server answers at all, the ceiling of every client here.
   */
  http?: Summary;
  /** BucketService / raw HTTP, paired per repetition. */
  httpRatio?: Summary;
  /** Raw HTTP / boto3, paired per repetition: the most any client can reach against boto3. */
  httpBoto3Ratio?: Summary;
  /** Raw SDK / boto3, paired per repetition: what the SDK the module stands on reaches. */
  rawBoto3Ratio?: Summary;
  /** Raw HTTP's CPU time per operation, in microseconds. */
  httpCpuUs?: Summary;
  /** boto3's CPU time per operation (its whole process), in microseconds. */
  boto3CpuUs?: Summary;
}

/** Figures of one mode. */
export interface SmallOpsModeResult {
  mode: SmallOpsMode;
  ops: Record<SmallOp, SmallOpResult>;
  /** Latency of every timed put, in ms. */
  putLatency: { service: Latency; raw: Latency };
}

async function drain(body: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) bytes += chunk.length;
  return bytes;
}

function serviceVariant(service: BucketService, bucket: string, body: Buffer): Variant {
  return {
    name: 'BucketService',
    perform: {
      put: (key) => service.putObject(bucket, key, body),
      get: async (key) => drain((await service.getObject(bucket, key)).body),
      head: (key) => service.getBucketFile(bucket, key),
      delete: (key) => service.deleteFile(bucket, key),
    },
  };
}

function rawVariant(client: S3Client, bucket: string, body: Buffer): Variant {
  const command = smallOpCommands(bucket, body);
  return {
    name: 'raw SDK',
    perform: {
      put: (key) => client.send(command.put(key)),
      get: async (key) => drain((await client.send(command.get(key))).Body as Readable),
      head: (key) => client.send(command.head(key)),
      delete: (key) => client.send(command.delete(key)),
    },
  };
}

/** Runs one batch of each operation for each variant (in the given order) and records them. */
async function runRound(
  variants: Variant[],
  mode: SmallOpsMode,
  round: string,
  record?: (variant: Variant, op: SmallOp, batch: Batch) => void,
): Promise<void> {
  for (const op of SMALL_OPS) {
    for (const variant of variants) {
      const prefix = `small/${mode.inFlight}/${round}/${variant.name.replace(/\W/g, '')}`;
      const keys = Array.from({ length: mode.opsPerBatch }, (_, i) => `${prefix}/${i}`);
      await variant.prepare?.(op, keys);
      const cpuBefore = process.cpuUsage();
      const { wallMs, durations } = await runPool(mode.opsPerBatch, mode.inFlight, (i) =>
        variant.perform[op](keys[i] ?? ''),
      );
      const cpu = process.cpuUsage(cpuBefore);
      record?.(variant, op, {
        opsPerSec: mode.opsPerBatch / (wallMs / 1000),
        cpuUsPerOp: (cpu.user + cpu.system) / mode.opsPerBatch,
        durations,
      });
    }
  }
}

/** What one batch measured. */
interface Batch {
  opsPerSec: number;
  cpuUsPerOp: number;
  /** Each operation's duration, in ms. */
  durations: number[];
}

/**
 * Small-operation overhead: BucketService (putObject, getObject with its body read,
 * getBucketFile, deleteFile) against the same raw SDK commands on an equally configured client,
 * and against raw HTTP on presigned URLs (`rawHttpSmallOps`, the server's ceiling), on objects
 * of `objectBytes`. For each mode, each repetition runs put, get, head, then delete batches of
 * the three variants next to each other, in rotated order; with `boto3`, a boto3 round
 * (see `boto3SmallOps`) runs right after even repetitions and right before odd ones.
 *
 * @param service - the library's service
 * @param client - the raw client
 * @param bucket - an existing bucket
 * @param config - object size, modes and repetitions
 * @param log - progress output
 * @param boto3 - boto3's round, when boto3 is available
 */
export async function runSmallOps(
  service: BucketService,
  client: S3Client,
  bucket: string,
  config: SmallOpsConfig,
  log: (line: string) => void,
  boto3?: Boto3SmallOpsRound,
): Promise<SmallOpsModeResult[]> {
  const body = Buffer.alloc(config.objectBytes, 'x');
  const http = rawHttpSmallOps(client, bucket, body);
  try {
    return await runModes(
      [
        serviceVariant(service, bucket, body),
        rawVariant(client, bucket, body),
        { name: 'raw HTTP', perform: http.perform, prepare: (op, keys) => http.prepare(op, keys) },
      ],
      config,
      log,
      boto3,
    );
  } finally {
    http.close();
  }
}

async function runModes(
  variants: Variant[],
  config: SmallOpsConfig,
  log: (line: string) => void,
  boto3?: Boto3SmallOpsRound,
): Promise<SmallOpsModeResult[]> {
  const results: SmallOpsModeResult[] = [];
  for (const mode of config.modes) {
    await runRound(variants, mode, 'warmup');
    const batches = new Map<string, Batch[]>();
    const putDurations = new Map<string, number[]>();
    const boto3Batches: Record<SmallOp, Boto3SmallBatch>[] = [];
    const boto3Round = async (rep: number) => {
      if (boto3) boto3Batches.push(await boto3(mode, String(rep)));
    };
    for (let rep = 0; rep < config.repetitions; rep++) {
      if (rep % 2 === 1) await boto3Round(rep);
      await runRound(rotation(variants, rep), mode, String(rep), (variant, op, batch) => {
        const key = `${variant.name}/${op}`;
        batches.set(key, [...(batches.get(key) ?? []), batch]);
        if (op === 'put') {
          const all = putDurations.get(variant.name) ?? [];
          putDurations.set(variant.name, [...all, ...batch.durations]);
        }
      });
      if (rep % 2 === 0) await boto3Round(rep);
      log(`small ops ${mode.name}: repetition ${rep + 1}/${config.repetitions}`);
    }
    const series = (name: string, op: SmallOp) => batches.get(`${name}/${op}`) ?? [];
    const ops = Object.fromEntries(
      SMALL_OPS.map((op) => {
        const service = series('BucketService', op);
        const raw = series('raw SDK', op);
        const result: SmallOpResult = {
          service: summarize(service.map((b) => b.opsPerSec)),
          raw: summarize(raw.map((b) => b.opsPerSec)),
          ratio: summarize(service.map((b, i) => b.opsPerSec / (raw[i]?.opsPerSec ?? Number.NaN))),
          serviceCpuUs: summarize(service.map((b) => b.cpuUsPerOp)),
          rawCpuUs: summarize(raw.map((b) => b.cpuUsPerOp)),
        };
        const http = series('raw HTTP', op);
        result.http = summarize(http.map((b) => b.opsPerSec));
        result.httpCpuUs = summarize(http.map((b) => b.cpuUsPerOp));
        result.httpRatio = summarize(
          service.map((b, i) => b.opsPerSec / (http[i]?.opsPerSec ?? Number.NaN)),
        );
        const other = boto3Batches.map((b) => b[op]);
        if (other.length > 0) {
          result.boto3 = summarize(other.map((b) => b.opsPerSec));
          result.boto3CpuUs = summarize(other.map((b) => b.cpuUsPerOp));
          result.boto3Ratio = summarize(
            service.map((b, i) => b.opsPerSec / (other[i]?.opsPerSec ?? Number.NaN)),
          );
          result.rawBoto3Ratio = summarize(
            raw.map((b, i) => b.opsPerSec / (other[i]?.opsPerSec ?? Number.NaN)),
          );
          result.httpBoto3Ratio = summarize(
            http.map((b, i) => b.opsPerSec / (other[i]?.opsPerSec ?? Number.NaN)),
          );
        }
        return [op, result];
      }),
    ) as Record<SmallOp, SmallOpResult>;
    results.push({
      mode,
      ops,
      putLatency: {
        service: latency(putDurations.get('BucketService') ?? []),
        raw: latency(putDurations.get('raw SDK') ?? []),
      },
    });
  }
  return results;
}
