import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { rotation } from '../alternate';
import type { ServerConnection } from '../server';
import { pairedRatio, summarize, type Summary } from '../stats';
import type {
  TelemetryChildAnswer,
  TelemetryChildMode,
  TelemetryChildRequest,
} from '../telemetry/child';
import {
  TELEMETRY_OPS,
  type BatchSample,
  type TelemetryConfig,
  type TelemetryOp,
} from '../telemetry/measure';

const run = promisify(execFile);

export type { TelemetryConfig } from '../telemetry/measure';

/** The figures of one operation: ops/s and CPU µs per operation of each variant, and ratios. */
export interface TelemetryOpResult {
  /** ops/s with an SDK installed (tracer and meter providers, context manager). */
  sdk: Summary;
  /** ops/s with `@opentelemetry/api` and no SDK (its no-ops), in the same process as `sdk`. */
  noSdk: Summary;
  /** SDK / no SDK, ops/s, paired per repetition: the cost of a real tracer provider. */
  sdkRatio: Summary;
  sdkCpuUs: Summary;
  noSdkCpuUs: Summary;
  /** SDK / no SDK, CPU per operation, paired per repetition. */
  sdkCpuRatio: Summary;
  /** ops/s with `@opentelemetry/api` not installed (a fresh process each repetition). */
  absent: Summary;
  /** ops/s with the API and no SDK, in a fresh process each repetition, paired with `absent`. */
  api: Summary;
  /** API without SDK / API absent, ops/s, paired per repetition: the cost of the API's no-ops. */
  apiRatio: Summary;
  absentCpuUs: Summary;
  apiCpuUs: Summary;
  /** API without SDK / API absent, CPU per operation. */
  apiCpuRatio: Summary;
}

/** What the telemetry scenario measured. */
export interface TelemetryResult {
  config: TelemetryConfig;
  ops: Record<TelemetryOp, TelemetryOpResult>;
  /** Whether the library loaded the API and instrumented its client, when the API is absent. */
  absentCheck: { apiLoaded: boolean; instrumented: boolean };
}

/**
 * The scenario's settings: `BENCH_TELEMETRY_OPS`, `BENCH_TELEMETRY_REPS` and
 * `BENCH_TELEMETRY_IN_FLIGHT` override the defaults (300 a batch, 5 repetitions, 1 in flight;
 * 40 and 2 with `BENCH_QUICK=1`). Objects of 1 KiB.
 */
export function telemetryConfig(): TelemetryConfig {
  const quick = process.env.BENCH_QUICK === '1';
  const env = (name: string, fallback: number) => {
    const value = Number(process.env[name]);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return {
    objectBytes: 1024,
    opsPerBatch: env('BENCH_TELEMETRY_OPS', quick ? 40 : 300),
    repetitions: env('BENCH_TELEMETRY_REPS', quick ? 2 : 5),
    inFlight: env('BENCH_TELEMETRY_IN_FLIGHT', 1),
  };
}

async function child(
  mode: TelemetryChildMode,
  request: Omit<TelemetryChildRequest, 'mode' | 'prefix'>,
  prefix: string,
): Promise<TelemetryChildAnswer> {
  const body: TelemetryChildRequest = { ...request, mode, prefix };
  const { stdout } = await run(process.execPath, [join(__dirname, '..', 'telemetry', 'child.js')], {
    env: { ...process.env, BENCH_TELEMETRY_CHILD: JSON.stringify(body) },
    timeout: 900_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as TelemetryChildAnswer;
}

function medianSample(rounds: BatchSample[] = []): BatchSample {
  return {
    opsPerSec: summarize(rounds.map((r) => r.opsPerSec)).median,
    cpuUs: summarize(rounds.map((r) => r.cpuUs)).median,
  };
}

function series(samples: BatchSample[]): { ops: Summary; cpu: Summary } {
  return {
    ops: summarize(samples.map((s) => s.opsPerSec)),
    cpu: summarize(samples.map((s) => s.cpuUs)),
  };
}

/**
 * The cost of nest-bucket's instrumentation on small operations (1 KiB put, get, head):
 * - a real tracer provider installed against none: one fresh process that switches an SDK (a
 *   tracer provider with a batch processor and a discarding exporter, a meter provider, the
 *   AsyncLocalStorage context manager) on and off between batches, alternating;
 * - `@opentelemetry/api` absent against present without an SDK: a fresh process each, one of
 *   each per repetition, alternating which goes first; each process's figure is the median of
 *   its rounds (`ROUNDS_PER_PROCESS`, after a warm-up).
 * Ratios are paired per repetition; above 1 is faster (ops/s) or dearer (CPU).
 *
 * @param server - where to connect
 * @param bucket - an existing bucket
 * @param config - sizes and counts
 * @param log - progress output
 */
export async function runTelemetry(
  server: ServerConnection,
  bucket: string,
  config: TelemetryConfig,
  log: (line: string) => void,
): Promise<TelemetryResult> {
  const request = { server, bucket, config };
  const stamp = Date.now().toString(36);
  const switched = await child('sdk', request, `telemetry-${stamp}/sdk`);
  log(`telemetry: SDK on and off, ${config.repetitions} repetitions`);
  const absent: Record<TelemetryOp, BatchSample[]> = { put: [], get: [], head: [] };
  const api: Record<TelemetryOp, BatchSample[]> = { put: [], get: [], head: [] };
  let absentCheck = { apiLoaded: false, instrumented: false };
  const modes = ['absent', 'api'] as const;
  for (let rep = 0; rep < config.repetitions; rep++) {
    for (const mode of rotation(modes, rep)) {
      const answer = await child(mode, request, `telemetry-${stamp}/${mode}/${rep}`);
      const target = mode === 'absent' ? absent : api;
      // One sample a process: the median of its rounds.
      for (const op of TELEMETRY_OPS) target[op].push(medianSample(answer.samples.plain?.[op]));
      if (mode === 'absent') {
        absentCheck = {
          apiLoaded: absentCheck.apiLoaded || answer.apiLoaded,
          instrumented: absentCheck.instrumented || answer.instrumented,
        };
      }
    }
    log(`telemetry: API absent and present, ${rep + 1}/${config.repetitions}`);
  }
  const ops = {} as Record<TelemetryOp, TelemetryOpResult>;
  for (const op of TELEMETRY_OPS) {
    const on = series(switched.samples.on?.[op] ?? []);
    const off = series(switched.samples.off?.[op] ?? []);
    const without = series(absent[op]);
    const plain = series(api[op]);
    ops[op] = {
      sdk: on.ops,
      noSdk: off.ops,
      sdkRatio: pairedRatio(on.ops, off.ops),
      sdkCpuUs: on.cpu,
      noSdkCpuUs: off.cpu,
      sdkCpuRatio: pairedRatio(on.cpu, off.cpu),
      absent: without.ops,
      api: plain.ops,
      apiRatio: pairedRatio(plain.ops, without.ops),
      absentCpuUs: without.cpu,
      apiCpuUs: plain.cpu,
      apiCpuRatio: pairedRatio(plain.cpu, without.cpu),
    };
  }
  return { config, ops, absentCheck };
}
