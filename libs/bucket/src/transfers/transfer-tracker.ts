import type { Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { createBucketError, type BucketErrorContext } from '../bucket.errors';
import * as messages from '../bucket.messages';

// eslint-disable-next-line @typescript-eslint/no-empty-function
const noop = () => {};

/**
 * The transfers in flight of one service, so that application shutdown can wait for them and
 * then abort the rest.
 * @internal
 */
export class TransferTracker {
  private closing = false;
  private readonly inFlight = new Set<{
    controller: AbortController | undefined;
    settled: Promise<void>;
  }>();

  /** The number of transfers in flight, for the OpenTelemetry gauge. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Runs a transfer. Its signal fires when the caller's does, or when shutdown gives up waiting.
   * Once shutdown has begun, new transfers are refused with `Aborted`.
   *
   * A transfer that is not `abortable` (a single request with a body in memory, which ends by
   * itself within the request timeout) is waited for on shutdown but gets the caller's signal
   * as it is: no controller and no listener of its own, which measurably slow a small put.
   */
  track<T>(
    context: BucketErrorContext,
    callerSignal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T>;
  track<T>(
    context: BucketErrorContext,
    callerSignal: AbortSignal | undefined,
    work: (signal: AbortSignal | undefined) => Promise<T>,
    options: { abortable: boolean },
  ): Promise<T>;
  async track<T>(
    context: BucketErrorContext,
    callerSignal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
    { abortable }: { abortable: boolean } = { abortable: true },
  ): Promise<T> {
    if (this.closing) {
      const detail = 'the application is shutting down';
      throw createBucketError(
        'Aborted',
        messages.operationFailed('Aborted', context, detail),
        context,
      );
    }
    if (!abortable) {
      // The second overload: this work accepts no signal.
      const promise = (work as (signal: AbortSignal | undefined) => Promise<T>)(callerSignal);
      const entry = { controller: undefined, settled: promise.then(noop, noop) };
      this.inFlight.add(entry);
      try {
        return await promise;
      } finally {
        this.inFlight.delete(entry);
      }
    }
    const controller = new AbortController();
    const forward = () => {
      controller.abort(callerSignal?.reason);
    };
    if (callerSignal?.aborted) forward();
    else callerSignal?.addEventListener('abort', forward, { once: true });
    const promise = work(controller.signal);
    const entry = { controller, settled: promise.then(noop, noop) };
    this.inFlight.add(entry);
    try {
      return await promise;
    } finally {
      callerSignal?.removeEventListener('abort', forward);
      this.inFlight.delete(entry);
    }
  }

  /**
   * Refuses new transfers, waits up to `drainMs` for those in flight, then aborts the rest and
   * waits for them to clean up (multipart uploads aborted on the server).
   */
  async drain(drainMs: number, logger: Logger): Promise<void> {
    this.closing = true;
    if (this.inFlight.size === 0) return;
    const settled = () => Promise.all([...this.inFlight].map((t) => t.settled));
    logger.log(messages.draining(this.inFlight.size, drainMs));
    const timer = new AbortController();
    const drained = await Promise.race([
      settled().then(() => true),
      delay(drainMs, false, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (drained) return;
    logger.warn(messages.abortingTransfers(this.inFlight.size));
    const reason = Object.assign(new Error('the application is shutting down'), {
      name: 'ShutdownError',
    });
    for (const { controller } of this.inFlight) controller?.abort(reason);
    await settled();
  }
}
