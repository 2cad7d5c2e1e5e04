import type { Logger } from '@nestjs/common';
import { toBucketError } from '../bucket.error-mapping';
import { BucketError, type BucketErrorCode, type BucketErrorContext } from '../bucket.errors';
import * as messages from '../bucket.messages';
import type { InMemoryBucketOptions } from './bucket-testing.options';
import {
  SimulatedBucketFailure,
  simulatedError,
  type CallTarget,
  type FailureQueue,
} from './in-memory-bucket.faults';
import { s3Error } from './in-memory-bucket.sdk-errors';
import type { InMemoryBucketStore } from './in-memory-bucket.store';

/** Where the fake stands with its (imaginary) server: the same states as `BucketService`. @internal */
export type ConnectionState = 'never' | 'connected' | 'lost' | 'disconnected';

/** Whether a failure of this code loses the connection. */
function isConnectionLoss(code: BucketErrorCode): boolean {
  return code === 'ConnectionFailed' || code === 'Timeout';
}

/**
 * The fake's connection to its imaginary server, as `BucketConnection` is the real one's: it
 * connects (or fails as `failNext` scheduled), runs every operation with the real service's
 * reconnection, error mapping and debug line, and probes.
 * @internal
 */
export class InMemoryConnection {
  /** The current state; `reset` and `disconnect` set it back. */
  state: ConnectionState = 'never';
  private connecting?: Promise<void>;

  /**
   * @param failures - the failures scheduled with `failNext`
   * @param store - the buckets, for `probe`
   * @param options - the fake's options (`bucket`, `debug`)
   * @param logger - the fake's logger
   * @param endpoint - the fake's URL, for the log lines
   */
  constructor(
    private readonly failures: FailureQueue,
    private readonly store: InMemoryBucketStore,
    private readonly options: InMemoryBucketOptions,
    private readonly logger: Logger,
    private readonly endpoint: string,
  ) {}

  /** Connects; concurrent calls share one attempt. `implicit`: on behalf of another operation. */
  connect(implicit: boolean): Promise<void> {
    this.connecting ??= this.establish(implicit).finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Connects at boot; a failure is logged once and not thrown. */
  async connectAtBoot(): Promise<void> {
    try {
      await this.connect(false);
    } catch (error) {
      const { message } = toBucketError(error, { operation: 'connect' });
      this.logger.warn(messages.bootConnectFailed(this.endpoint, message));
    }
  }

  /** Whether connected; a scheduled connection loss makes it `false`. */
  async isConnected(): Promise<boolean> {
    if (this.state !== 'connected') return false;
    await Promise.resolve();
    const failure = this.failures.take({ operation: 'isConnected' });
    if (failure && isConnectionLoss(failure.code)) this.state = 'lost';
    return this.state === 'connected';
  }

  /** Answers at once, as a reachable server would; checks that `bucket`, if any, exists. */
  async probe(bucket: string | undefined): Promise<number> {
    const started = performance.now();
    await Promise.resolve();
    const context = { operation: 'probe', bucket };
    const failure = this.failures.take({ operation: 'probe', bucket });
    if (failure) throw simulatedError(failure.code, failure.detail, context);
    if (bucket && !this.store.hasBucket(bucket))
      throw toBucketError(s3Error('NotFound', 404), context);
    return performance.now() - started;
  }

  /**
   * Runs one operation as the real service does: connects first if needed, applies a scheduled
   * failure, maps any failure to a `BucketError` with the real mapping, and logs a debug line.
   */
  async run<T>(target: CallTarget & BucketErrorContext, work: () => T | Promise<T>): Promise<T> {
    const started = performance.now();
    const context: BucketErrorContext = {
      operation: target.operation,
      bucket: target.bucket,
      key: target.key,
    };
    try {
      await Promise.resolve();
      if (this.state !== 'connected') {
        try {
          await this.connect(true);
        } catch (error) {
          const cause = error instanceof BucketError ? error.cause : undefined;
          if (cause instanceof SimulatedBucketFailure)
            throw simulatedError(cause.code, cause.detail, context);
          throw error;
        }
      }
      const failure = this.failures.take(target);
      if (failure) throw simulatedError(failure.code, failure.detail, context);
      const result = await work();
      this.logOutcome(context, started, 'ok');
      return result;
    } catch (error) {
      const bucketError = toBucketError(error, context);
      if (isConnectionLoss(bucketError.code) && this.state === 'connected') this.state = 'lost';
      this.logOutcome(context, started, bucketError.code);
      throw bucketError;
    }
  }

  private async establish(implicit: boolean): Promise<void> {
    await Promise.resolve();
    const wasLost = this.state === 'lost';
    const failure = this.failures.take({
      operation: 'connect',
      implicit,
      bucket: this.options.bucket,
    });
    if (failure) {
      if (this.state === 'connected') this.state = 'lost';
      throw simulatedError(failure.code, failure.detail, { operation: 'connect' });
    }
    this.state = 'connected';
    if (this.options.debug)
      this.logger.debug(
        wasLost ? messages.reconnected(this.endpoint) : messages.connected(this.endpoint),
      );
  }

  private logOutcome(
    context: BucketErrorContext,
    started: number,
    outcome: Parameters<typeof messages.operationLog>[2],
  ): void {
    if (this.options.debug)
      this.logger.debug(messages.operationLog(context, performance.now() - started, outcome));
  }
}
