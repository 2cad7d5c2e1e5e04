import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { toBucketError } from './bucket.error-mapping';
import type { BucketErrorCode } from './bucket.errors';
import type { BucketService } from './bucket.service';
import { getBucketServiceToken } from './bucket.tokens';

/** Options of {@link BucketHealthIndicator.isHealthy}. */
export interface BucketHealthCheckOptions {
  /** The instance to check. Default: the default instance. */
  name?: string;
  /** The probe's time limit, in ms. Default: the instance's `healthTimeoutMs` (1000). */
  timeoutMs?: number;
  /** The bucket to probe with `HeadBucket`. Default: the instance's `bucket`, else `ListBuckets` is used. */
  bucket?: string;
  /**
   * A probe that succeeds but takes longer than this, in ms, reports `degraded` on Terminus 12
   * ("still serving, but impaired": HTTP stays 200, the overall status becomes `degraded`). Terminus
   * 11 has no such status: there it reports `up`. Default: none (never degraded).
   */
  degradedAfterMs?: number;
}

/**
 * A `@nestjs/terminus` health indicator for object storage. It sends one cheap request
 * (`HeadBucket` on the configured bucket, else `ListBuckets`) with its own time limit, so that
 * `/health` answers in time even when the server accepts connections and never replies.
 *
 * @example
 * ```ts
 * @Get('health') @HealthCheck()
 * check() { return this.health.check([() => this.bucket.isHealthy('storage')]); }
 * ```
 */
@Injectable()
export class BucketHealthIndicator {
  private readonly services = new Map<string, BucketService>();

  constructor(
    private readonly healthIndicatorService: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * Probes the storage once. Up: `{ status: 'up', endpoint, latencyMs }`. Down: the same with the
   * error `code` (`Timeout` when the time limit ran out) and a `message`. The credentials are
   * never part of the result.
   *
   * @throws Error when `timeoutMs` or `degradedAfterMs` is not a positive number, or no instance has this `name`:
   * mistakes in the code, not states of the storage
   */
  async isHealthy<const Key extends string>(
    key: Key,
    options: BucketHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const { timeoutMs, degradedAfterMs } = options;
    for (const [name, value] of [
      ['timeoutMs', timeoutMs],
      ['degradedAfterMs', degradedAfterMs],
    ] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new RangeError(`${name} must be a positive number of ms, got ${String(value)}`);
      }
    }
    const service = this.serviceOf(options.name);
    const indicator = this.healthIndicatorService.check(key);
    const started = performance.now();
    try {
      const latencyMs = await service.probe(
        timeoutMs === undefined ? undefined : Math.ceil(timeoutMs),
        options.bucket,
      );
      const data = { endpoint: service.endpoint, latencyMs: Math.round(latencyMs) };
      // `degraded` exists from Terminus 12 on.
      if (degradedAfterMs !== undefined && latencyMs > degradedAfterMs && 'degraded' in indicator) {
        return indicator.degraded({ ...data, degradedAfterMs });
      }
      return indicator.up(data);
    } catch (error) {
      const { code, message } = toBucketError(error, { operation: 'health' });
      return indicator.down({
        endpoint: service.endpoint,
        latencyMs: Math.round(performance.now() - started),
        code: probeCode(code),
        message,
      });
    }
  }

  /** The instance's service, looked up once. */
  private serviceOf(name = ''): BucketService {
    let service = this.services.get(name);
    if (!service) {
      service = this.moduleRef.get<BucketService>(getBucketServiceToken(name || undefined), {
        strict: false,
      });
      this.services.set(name, service);
    }
    return service;
  }
}

/**
 * Nothing but the probe's own time limit can abort it; the SDK reports that abort as a plain
 * `AbortError`, without the signal's `TimeoutError` reason, so it may come back as `Aborted`.
 */
function probeCode(code: BucketErrorCode): BucketErrorCode {
  return code === 'Aborted' ? 'Timeout' : code;
}
