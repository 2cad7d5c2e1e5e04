import type {
  FactoryProvider,
  InjectionToken,
  ModuleMetadata,
  OptionalFactoryDependency,
  Type,
} from '@nestjs/common';
import type { BucketModuleOptions } from './bucket.options';

/** Options that shape the module rather than the connection. */
export interface BucketModuleExtras {
  /**
   * The instance's name, for apps that use several stores. Inject it with `@InjectBucket(name)`.
   * Default: none, the default instance, injected as `BucketService`.
   */
  name?: string;
  /** Whether to make the module global, so that other modules need not import it. Default: `false`. */
  isGlobal?: boolean;
  /**
   * The prefix of the environment keys read when `forRootAsync` is given no factory: with
   * `ARCHIVE_`, the host comes from `ARCHIVE_BUCKET_HOST`. Default: none.
   */
  envPrefix?: string;
}

/** The argument of `BucketModule.forRoot`: the options themselves, plus the module's extras. */
export type BucketModuleSyncOptions = BucketModuleOptions & BucketModuleExtras;

/** A class that builds the options, for `useClass` and `useExisting`. */
export interface BucketOptionsFactory {
  /** Returns the options of the instance. */
  createBucketOptions(): Promise<BucketModuleOptions> | BucketModuleOptions;
}

/**
 * The argument of `BucketModule.forRootAsync`, with the same shapes as Nest's
 * `ConfigurableModuleAsyncOptions`. With none of `useFactory`, `useClass` or `useExisting`,
 * the options are read from the environment through `ConfigService`.
 */
export interface BucketModuleAsyncOptions
  extends Pick<ModuleMetadata, 'imports'>, BucketModuleExtras {
  /** A factory that returns the options; its arguments come from `inject`. */
  useFactory?: (...args: never[]) => Promise<BucketModuleOptions> | BucketModuleOptions;
  /** The providers injected into `useFactory`. */
  inject?: FactoryProvider['inject'] & (InjectionToken | OptionalFactoryDependency)[];
  /** A class, instantiated by the module, whose `createBucketOptions()` returns the options. */
  useClass?: Type<BucketOptionsFactory>;
  /** An existing provider whose `createBucketOptions()` returns the options. */
  useExisting?: InjectionToken<BucketOptionsFactory>;
}
