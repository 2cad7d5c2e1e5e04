import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { setTimeout as delay } from 'node:timers/promises';
import { backoffDelay } from '../bucket.client';
import { bucketErrorCodeOf } from '../bucket.error-mapping';

/** Attempts in all, and the base of the backoff between them. @internal */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
}

/** The longest wait a server's `Retry-After` may impose between two attempts. @internal */
export const MAX_RETRY_AFTER_MS = 20_000;

/**
 * Whether a failed request may succeed if sent again: what the SDK itself retries for a body in
 * memory (a reset or cut connection, a timeout, throttling, a 5xx), and a body that the server
 * refused because it did not match its Content-MD5 (`BadDigest`: corrupted on the way).
 * @internal
 */
export function isRetryable(error: unknown): boolean {
  const sdkError = error as Parameters<typeof isTransientError>[0];
  return (
    isTransientError(sdkError) ||
    isThrottlingError(sdkError) ||
    isServerError(sdkError) ||
    ['ConnectionFailed', 'Timeout', 'Throttled', 'IntegrityError'].includes(
      bucketErrorCodeOf(error),
    )
  );
}

/** Whether the server refused a body because it did not match its checksum. @internal */
export function isCorruption(error: unknown): boolean {
  return bucketErrorCodeOf(error) === 'IntegrityError';
}

/**
 * The wait a server asked for in a `Retry-After` header (seconds or an HTTP date), in ms, at
 * most {@link MAX_RETRY_AFTER_MS}; `undefined` when it asked for none.
 * @internal
 */
export function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { $response?: { headers?: Record<string, string | undefined> } })
    .$response?.headers;
  const value = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (value === undefined || value.trim() === '') return undefined;
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(value)
    ? Number(value) * 1000
    : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * Runs a request that the SDK cannot retry itself (its body is a stream it cannot rewind, but
 * that `send` can make again, from a file), up to `policy.maxAttempts` times in all, after a
 * failure {@link isRetryable} allows. Between attempts it backs off exponentially, or longer
 * when the server's `Retry-After` asks for it. It stops at once when `signal` fires or when
 * `stopped()` says that the failure is final (for example a file that changed size). `retryable`
 * narrows the failures retried, for a request that the SDK already retries on its own.
 * @internal
 */
export async function withRetries<T>(
  send: () => Promise<T>,
  policy: RetryPolicy | undefined,
  signal: AbortSignal | undefined,
  stopped: () => boolean = () => false,
  retryable: (error: unknown) => boolean = isRetryable,
): Promise<T> {
  const { maxAttempts = 1, baseDelayMs = 0 } = policy ?? {};
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const again = attempt < maxAttempts && !signal?.aborted && !stopped() && retryable(error);
      if (!again) throw error;
      // Throttling asks for a lower rate: a longer backoff than after a lost connection.
      const base = isThrottlingError(error as never) ? baseDelayMs * 5 : baseDelayMs;
      const backoff = backoffDelay(base, attempt);
      await delay(Math.max(backoff, retryAfterMs(error) ?? 0), undefined, { signal });
    }
  }
}
