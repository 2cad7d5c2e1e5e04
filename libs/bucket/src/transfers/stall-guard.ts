import { createBucketError, type BucketError, type BucketErrorContext } from '../bucket.errors';
import { operationFailed } from '../bucket.messages';

/** The slowest a transfer may go, as curl's `--speed-limit` and `--speed-time`. @internal */
export interface ThroughputLimit {
  /** Bytes per second; 0: no limit. */
  minBytesPerSecond: number;
  /** The window over which the rate is measured, in ms. */
  stallTimeoutMs: number;
}

/** A running check of one transfer's throughput. @internal */
export interface StallGuard {
  /** Counts bytes that moved. */
  readonly count: (bytes: number) => void;
  /** Ends the check. */
  readonly stop: () => void;
}

const OFF: StallGuard = {
  count: () => undefined,
  stop: () => undefined,
};

/**
 * Watches a transfer's throughput: at the end of every `stallTimeoutMs` window in which fewer
 * than `minBytesPerSecond × stallTimeoutMs / 1000` bytes moved, `onStall` gets a `Timeout` error
 * (once), and must abort the transfer. The timer does not keep the process alive.
 * @internal
 */
export function watchThroughput(
  limit: ThroughputLimit | undefined,
  context: BucketErrorContext,
  onStall: (error: BucketError) => void,
): StallGuard {
  if (!limit || limit.minBytesPerSecond <= 0) return OFF;
  const { minBytesPerSecond, stallTimeoutMs } = limit;
  const floor = (minBytesPerSecond * stallTimeoutMs) / 1000;
  let moved = 0;
  const timer = setInterval(() => {
    if (moved < floor) {
      clearInterval(timer);
      const detail = `${moved} bytes moved in ${stallTimeoutMs} ms, below minBytesPerSecond = ${minBytesPerSecond}`;
      onStall(createBucketError('Timeout', operationFailed('Timeout', context, detail), context));
    }
    moved = 0;
  }, stallTimeoutMs);
  timer.unref();
  return {
    count: (bytes) => {
      moved += bytes;
    },
    stop: () => {
      clearInterval(timer);
    },
  };
}
