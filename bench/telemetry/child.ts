import type { S3Client } from '@aws-sdk/client-s3';
import Module from 'node:module';
import type { BucketService } from '../../libs/bucket/src';
import { rotation } from '../alternate';
import type { ServerConnection } from '../server';
import {
  runBatch,
  TELEMETRY_OPS,
  type BatchSample,
  type TelemetryConfig,
  type TelemetryOp,
} from './measure';

/**
 * What the process measures:
 * - `sdk`: with `@opentelemetry/api` loaded, an SDK switched on and off between batches;
 * - `api`: with `@opentelemetry/api` loaded and no SDK (the API's no-ops);
 * - `absent`: with `@opentelemetry/api` hidden from `require`, as when it is not installed.
 */
export type TelemetryChildMode = 'sdk' | 'api' | 'absent';

/** What the parent hands the process, as JSON in `BENCH_TELEMETRY_CHILD`. */
export interface TelemetryChildRequest {
  mode: TelemetryChildMode;
  server: ServerConnection;
  bucket: string;
  config: TelemetryConfig;
  /** A prefix for this process's keys. */
  prefix: string;
}

/** What the process prints, as JSON: the samples of each op, by variant. */
export interface TelemetryChildAnswer {
  /** `off` and `on` (mode `sdk`), or `plain` (modes `api` and `absent`): samples by op. */
  samples: Partial<Record<'off' | 'on' | 'plain', Record<TelemetryOp, BatchSample[]>>>;
  /** Whether the library loaded `@opentelemetry/api`. */
  apiLoaded: boolean;
  /** Whether the service's client carries the library's telemetry middleware. */
  instrumented: boolean;
}

/** Makes `require('@opentelemetry/...')` fail as it does when the package is not installed. */
function hideOpenTelemetry(): void {
  const loader = Module as unknown as {
    _resolveFilename: (request: string, ...rest: unknown[]) => string;
  };
  const resolve = loader._resolveFilename.bind(loader);
  loader._resolveFilename = (request, ...rest) => {
    if (request.startsWith('@opentelemetry/')) {
      throw Object.assign(new Error(`Cannot find module '${request}'`), {
        code: 'MODULE_NOT_FOUND',
      });
    }
    return resolve(request, ...rest);
  };
}

/** Measured rounds of a process of mode `api` or `absent`, after its warm-up round. */
export const ROUNDS_PER_PROCESS = 3;

function emptySamples(): Record<TelemetryOp, BatchSample[]> {
  return { put: [], get: [], head: [] };
}

/**
 * Measures small operations in this process (see {@link TelemetryChildMode}), a warm-up batch of
 * each first, then `repetitions` rounds (mode `sdk`) or {@link ROUNDS_PER_PROCESS}; prints a
 * {@link TelemetryChildAnswer}.
 */
async function main(): Promise<void> {
  const request = JSON.parse(process.env.BENCH_TELEMETRY_CHILD ?? '{}') as TelemetryChildRequest;
  const { mode, config, bucket, prefix } = request;
  if (mode === 'absent') hideOpenTelemetry();
  // Before the service: its telemetry loads the API at construction.
  const setTelemetry =
    mode === 'sdk' ? (await import('./sdk-switch')).telemetrySwitch() : () => undefined;
  // Loaded only now, after the API was hidden.
  const { createBenchService } = await import('../clients');
  const { openTelemetry } = await import('../../libs/bucket/src/observability/otel');
  const { service, close } = await createBenchService(request.server);
  try {
    const variants: { name: 'off' | 'on' | 'plain'; on: boolean }[] =
      mode === 'sdk'
        ? [
            { name: 'off', on: false },
            { name: 'on', on: true },
          ]
        : [{ name: 'plain', on: false }];
    const samples: TelemetryChildAnswer['samples'] = {};
    const rounds = mode === 'sdk' ? config.repetitions : ROUNDS_PER_PROCESS;
    for (let rep = -1; rep < rounds; rep++) {
      for (const variant of rotation(variants, Math.max(rep, 0))) {
        setTelemetry(variant.on);
        for (const op of TELEMETRY_OPS) {
          const sample = await runBatch(
            service,
            bucket,
            op,
            `${prefix}/${rep}/${variant.name}`,
            config,
          );
          if (rep < 0) continue; // warm-up
          (samples[variant.name] ??= emptySamples())[op].push(sample);
        }
      }
    }
    setTelemetry(false);
    const answer: TelemetryChildAnswer = {
      samples,
      apiLoaded: openTelemetry() !== undefined,
      instrumented: clientOf(service)
        .middlewareStack.identify()
        .some((entry) => entry.startsWith('nestBucketTelemetry')),
    };
    console.log(JSON.stringify(answer));
  } finally {
    await close();
  }
}

/** The service's S3 client (a private field), to look at its middleware. */
function clientOf(service: BucketService) {
  return (service as unknown as { client: S3Client }).client;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
