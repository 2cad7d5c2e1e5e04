import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { BucketHealthIndicator } from 'nest-bucket';

/**
 * `GET /health`: 200 when the storage answers one cheap request within `BUCKET_HEALTH_TIMEOUT_MS`
 * (default 1000 ms), else 503 with the error code, in about that time at most.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly storage: BucketHealthIndicator,
  ) {}

  /** Terminus's report, with the indicator's endpoint, latency and, when down, error code. */
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.storage.isHealthy('storage')]);
  }
}
