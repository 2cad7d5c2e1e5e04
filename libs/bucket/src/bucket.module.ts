import { S3Client } from '@aws-sdk/client-s3';
import { Module, type DynamicModule, type InjectionToken, type Provider } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { HealthIndicatorService } from '@nestjs/terminus';
import { createS3Client } from './bucket.client';
import { BucketHealthIndicator } from './bucket.health';
import type {
  BucketModuleAsyncOptions,
  BucketModuleExtras,
  BucketModuleSyncOptions,
  BucketOptionsFactory,
} from './bucket.module-options';
import {
  readBucketOptionsFromEnv,
  resolveBucketOptions,
  type BucketModuleOptions,
  type ResolvedBucketOptions,
} from './bucket.options';
import { BucketService } from './bucket.service';
import { observeTracerToken } from './observability/observe';
import {
  getBucketClientToken,
  getBucketOptionsToken,
  getBucketServiceToken,
} from './bucket.tokens';

/** `@nestjs/observe`'s `TracerService`, optional, when the package is installed. */
function observeTracerDependency(): { token: InjectionToken; optional: true }[] {
  const token = observeTracerToken();
  return token === undefined ? [] : [{ token: token as InjectionToken, optional: true }];
}

/** The token of the options as the user gave them, before validation. @internal */
function getRawOptionsToken(name?: string): string {
  return name ? `BUCKET:RAW_OPTIONS:${name}` : 'BUCKET:RAW_OPTIONS';
}

/**
 * Object storage for Nest: provides an injectable `BucketService` connected to an S3-compatible
 * server, its `S3Client`, and `BucketHealthIndicator` for `@nestjs/terminus`.
 *
 * @example
 * ```ts
 * @Module({ imports: [ConfigModule.forRoot(), BucketModule.forRootAsync()] })
 * export class AppModule {}
 * ```
 */
@Module({})
export class BucketModule {
  /** Registers an instance with options given in code. */
  static forRoot(options: BucketModuleSyncOptions): DynamicModule {
    const { name, isGlobal, envPrefix, ...connection } = options;
    return this.assemble({ name, isGlobal, envPrefix }, [
      { provide: getRawOptionsToken(name), useValue: connection },
    ]);
  }

  /**
   * Registers an instance whose options come from a factory, a class or an existing provider,
   * or, when none is given, from the environment through `ConfigService` (keys `BUCKET_HOST`,
   * `BUCKET_PORT`, `BUCKET_USER`, `BUCKET_PASSWORD`, ... prefixed by `envPrefix`).
   */
  static forRootAsync(options: BucketModuleAsyncOptions = {}): DynamicModule {
    const { name, isGlobal, envPrefix, imports = [] } = options;
    const rawToken = getRawOptionsToken(name);
    const providers: Provider[] = [];
    const moduleImports = [...imports];
    const factoryToken = options.useExisting ?? options.useClass;
    if (options.useFactory) {
      providers.push({
        provide: rawToken,
        useFactory: options.useFactory,
        inject: options.inject ?? [],
      });
    } else if (factoryToken) {
      if (options.useClass)
        providers.push({ provide: options.useClass, useClass: options.useClass });
      providers.push({
        provide: rawToken,
        useFactory: (factory: BucketOptionsFactory) => factory.createBucketOptions(),
        inject: [factoryToken],
      });
    } else {
      moduleImports.push(ConfigModule);
      providers.push({
        provide: rawToken,
        useFactory: (config: ConfigService) =>
          readBucketOptionsFromEnv((key) => config.get(key), envPrefix),
        inject: [ConfigService],
      });
    }
    return { ...this.assemble({ name, isGlobal, envPrefix }, providers), imports: moduleImports };
  }

  private static assemble(
    extras: BucketModuleExtras,
    rawOptionsProviders: Provider[],
  ): DynamicModule {
    const { name, envPrefix = '' } = extras;
    const optionsToken = getBucketOptionsToken(name);
    const clientToken = getBucketClientToken(name);
    const serviceToken = getBucketServiceToken(name);
    return {
      module: BucketModule,
      global: extras.isGlobal ?? false,
      providers: [
        ...rawOptionsProviders,
        {
          provide: optionsToken,
          useFactory: (raw: Partial<BucketModuleOptions>) => resolveBucketOptions(raw, envPrefix),
          inject: [getRawOptionsToken(name)],
        },
        { provide: clientToken, useFactory: createS3Client, inject: [optionsToken] },
        {
          provide: serviceToken,
          useFactory: (resolved: ResolvedBucketOptions, client: S3Client, tracer?: unknown) =>
            new BucketService(resolved, client, name, tracer),
          // @nestjs/observe's TracerService, when installed and its ObserveModule registered.
          inject: [optionsToken, clientToken, ...observeTracerDependency()],
        },
        HealthIndicatorService,
        BucketHealthIndicator,
      ],
      exports: [serviceToken, clientToken, BucketHealthIndicator],
    };
  }
}
