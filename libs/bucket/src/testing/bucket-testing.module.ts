import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { BucketHealthIndicator } from '../bucket.health';
import { BucketModule } from '../bucket.module';
import type { BucketService } from '../bucket.service';
import { getBucketServiceToken } from '../bucket.tokens';
import type { BucketTestingModuleOptions } from './bucket-testing.options';
import { InMemoryBucketService } from './in-memory-bucket.service';

/**
 * The token under which `BucketTestingModule` also provides the fake itself, typed, for its
 * inspection helpers. For the default instance it is the `InMemoryBucketService` class, so
 * `moduleRef.get(InMemoryBucketService)` works.
 *
 * @param name - the instance's name; none for the default instance
 */
export function getInMemoryBucketToken(name?: string): string | typeof InMemoryBucketService {
  return name ? `BUCKET:IN_MEMORY:${name}` : InMemoryBucketService;
}

/** The token of the provider that creates the `buckets` on a real server. @internal */
function getSeedToken(name?: string): string {
  return name ? `BUCKET:TESTING_SEED:${name}` : 'BUCKET:TESTING_SEED';
}

/** Creates each bucket unless it exists already. */
async function ensureBuckets(service: BucketService, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await service.createBucket(name).catch((error: unknown) => {
      if ((error as { code?: unknown }).code !== 'BucketAlreadyExists') throw error;
    });
  }
}

/**
 * `BucketModule` for tests: provides an {@link InMemoryBucketService} under the same tokens as
 * `BucketModule` (`BucketService` for the default instance, `getBucketServiceToken(name)` for a
 * named one), so the module under test needs no change. `BucketHealthIndicator` is the real one:
 * it probes the fake, and `failNext('ConnectionFailed', { operation: 'probe' })` takes it down.
 *
 * With `real: true` (typically `real: !!process.env.BUCKET_HOST`) the same line gives a real
 * `BucketModule` read from the environment instead, so one test file runs both ways.
 *
 * @example
 * ```ts
 * const moduleRef = await Test.createTestingModule({
 *   imports: [BucketTestingModule.forRoot({ buckets: ['avatars'] })],
 *   providers: [AvatarsService],
 * }).compile();
 * const fake = moduleRef.get(InMemoryBucketService);
 * ```
 */
@Module({})
export class BucketTestingModule {
  /** Registers a fake instance, or a real one with `real`. */
  static forRoot(options: BucketTestingModuleOptions = {}): DynamicModule {
    if (options.real) return this.forRealServer(options);
    const { name, isGlobal = false } = options;
    const serviceToken = getBucketServiceToken(name);
    const fakeToken = getInMemoryBucketToken(name);
    return {
      module: BucketTestingModule,
      global: isGlobal,
      providers: [
        { provide: fakeToken, useFactory: () => new InMemoryBucketService(options) },
        { provide: serviceToken, useExisting: fakeToken },
        HealthIndicatorService,
        BucketHealthIndicator,
      ],
      exports: [serviceToken, fakeToken, BucketHealthIndicator],
    };
  }

  /** A real `BucketModule`, with a provider that creates the `buckets` if missing. */
  private static forRealServer(options: BucketTestingModuleOptions): DynamicModule {
    const { name, isGlobal = false, envPrefix, buckets = [], real } = options;
    const bucketModule =
      typeof real === 'object'
        ? BucketModule.forRoot({ ...real, name, isGlobal })
        : BucketModule.forRootAsync({ name, isGlobal, envPrefix });
    const seed: Provider = {
      provide: getSeedToken(name),
      useFactory: (service: BucketService) => ensureBuckets(service, buckets),
      inject: [getBucketServiceToken(name)],
    };
    return {
      module: BucketTestingModule,
      global: isGlobal,
      imports: [bucketModule],
      providers: [seed],
      exports: [bucketModule],
    };
  }
}
