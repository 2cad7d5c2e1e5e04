import type { BucketService } from '../bucket.service';

/**
 * The public surface of `BucketService`: every public method and property, and nothing private.
 *
 * `keyof` of a class type lists only its public members, so this type grows by itself when a
 * method is added to `BucketService`: an implementation that `implements BucketServiceContract`
 * (such as {@link InMemoryBucketService}) then stops compiling until it implements the method too.
 * A class with private members cannot be `implements`-ed directly, hence this type.
 *
 * Type your own fakes, wrappers or helpers that accept "a BucketService or the fake" with it.
 */
export type BucketServiceContract = Pick<BucketService, keyof BucketService>;

/**
 * The name of every asynchronous operation of the contract (those that return a promise or an
 * async iterator), for example `'putObject'`, `'listFiles'` or `'connect'`: what
 * {@link InMemoryBucketService.failNext} can target. Derived from `BucketService`, so a method
 * added there joins it.
 */
export type BucketOperation = {
  // Nest's lifecycle hooks are methods of the service, but not operations.
  [K in keyof BucketServiceContract]-?: K extends
    'onModuleInit' | 'beforeApplicationShutdown' | 'onApplicationShutdown'
    ? never
    : BucketServiceContract[K] extends (
          ...args: never[]
        ) => Promise<unknown> | AsyncIterable<unknown>
      ? K
      : never;
}[keyof BucketServiceContract];
