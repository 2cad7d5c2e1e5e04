import {
  createBucketError,
  type BucketError,
  type BucketErrorCode,
  type BucketErrorContext,
} from '../bucket.errors';
import { operationFailed } from '../bucket.messages';
import type { BucketOperation } from './bucket-service-contract';

/** Options of {@link InMemoryBucketService.failNext}: which calls fail, and how often. */
export interface FailNextOptions {
  /**
   * Only calls of these operations fail. Default: the next call of any operation (an operation's
   * implicit connection counts only when `'connect'` is named here).
   */
  operation?: BucketOperation | readonly BucketOperation[];
  /** Only calls on this bucket fail. Default: any bucket. */
  bucket?: string;
  /** Only calls on this key fail. Default: any key. */
  key?: string;
  /**
   * How many matching calls fail, one after the other. Default: 1. `Infinity` keeps failing
   * (an outage) until {@link InMemoryBucketService.clearFailures} or `reset()`.
   */
  times?: number;
  /** The detail at the end of the error message. Default: says that the failure is simulated. */
  detail?: string;
}

/** A failure waiting for its call. @internal */
export interface PendingFailure {
  /** The code to fail with. */
  readonly code: BucketErrorCode;
  /** The operations it targets; none: the next call of any operation. */
  readonly operations?: readonly BucketOperation[];
  /** The bucket it targets, if any. */
  readonly bucket?: string;
  /** The key it targets, if any. */
  readonly key?: string;
  /** The detail at the end of the message. */
  readonly detail: string;
  /** How many more calls it fails. */
  remaining: number;
}

/** What a call is about, for matching it to a pending failure. @internal */
export interface CallTarget {
  /** The public method called, or `'connect'` for an operation's implicit connection. */
  readonly operation: BucketOperation;
  /** The bucket the call is about. */
  readonly bucket?: string;
  /** The key the call is about. */
  readonly key?: string;
  /** An implicit connection, made on behalf of another operation. */
  readonly implicit?: boolean;
}

/** The default detail of a simulated failure. */
export const SIMULATED_DETAIL = 'simulated by InMemoryBucketService.failNext()';

/**
 * The queue of failures that {@link InMemoryBucketService.failNext} schedules: each call takes
 * the first pending failure that matches it, in the order they were scheduled.
 * @internal
 */
export class FailureQueue {
  private pending: PendingFailure[] = [];

  /** Schedules a failure. */
  add(code: BucketErrorCode, options: FailNextOptions = {}): void {
    const times = options.times ?? 1;
    if (!(times >= 1)) throw new RangeError(`failNext: times must be at least 1, got ${times}`);
    const { operation } = options;
    this.pending.push({
      code,
      operations:
        operation === undefined
          ? undefined
          : typeof operation === 'string'
            ? [operation]
            : operation,
      bucket: options.bucket,
      key: options.key,
      detail: options.detail ?? SIMULATED_DETAIL,
      remaining: times,
    });
  }

  /** Takes the first failure that matches a call, if any; it is gone once its `times` are used. */
  take(target: CallTarget): PendingFailure | undefined {
    const index = this.pending.findIndex((failure) => matches(failure, target));
    if (index < 0) return undefined;
    const failure = this.pending[index];
    failure.remaining -= 1;
    if (failure.remaining <= 0) this.pending.splice(index, 1);
    return failure;
  }

  /** How many failures are still scheduled (an endless one counts once). */
  get size(): number {
    return this.pending.length;
  }

  /** Drops every scheduled failure. */
  clear(): void {
    this.pending = [];
  }
}

function matches(failure: PendingFailure, target: CallTarget): boolean {
  const { operations } = failure;
  if (operations === undefined) {
    if (target.implicit) return false;
  } else if (!operations.includes(target.operation)) {
    return false;
  }
  if (failure.bucket !== undefined && failure.bucket !== target.bucket) return false;
  if (failure.key !== undefined && failure.key !== target.key) return false;
  return true;
}

/**
 * The cause of an error that {@link InMemoryBucketService.failNext} scheduled: check
 * `error.cause instanceof SimulatedBucketFailure` to tell a simulated failure from a real one.
 */
export class SimulatedBucketFailure extends Error {
  /**
   * @param code - the code the failure was scheduled with
   * @param detail - the detail of the message
   */
  constructor(
    readonly code: BucketErrorCode,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'SimulatedBucketFailure';
  }
}

/**
 * A `BucketError` for a simulated failure, as the real service would build it for `context`,
 * with a {@link SimulatedBucketFailure} as its cause.
 * @internal
 */
export function simulatedError(
  code: BucketErrorCode,
  detail: string,
  context: BucketErrorContext,
): BucketError {
  return createBucketError(code, operationFailed(code, context, detail), {
    ...context,
    cause: new SimulatedBucketFailure(code, detail),
  });
}
