import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { toBucketError } from './bucket.error-mapping';
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
  constructor(
    private readonly healthIndicatorService: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * Probes the storage once. Up: `{ status: 'up', endpoint, latencyMs }`. Down: the same with the
   * error `code` and a `message`. The credentials are never part of the result.
   */
  async isHealthy<const Key extends string>(
    key: Key,
    options: BucketHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.healthIndicatorService.check(key);
    const service = this.moduleRef.get<BucketService>(getBucketServiceToken(options.name), {
      strict: false,
    });
    const started = performance.now();
    try {
      const latencyMs = await service.probe(options.timeoutMs, options.bucket);
      return indicator.up({ endpoint: service.endpoint, latencyMs: Math.round(latencyMs) });
    } catch (error) {
      const { code, message } = toBucketError(error, { operation: 'health' });
      return indicator.down({
        endpoint: service.endpoint,
        latencyMs: Math.round(performance.now() - started),
        code,
        message,
      });
    }
  }
}
