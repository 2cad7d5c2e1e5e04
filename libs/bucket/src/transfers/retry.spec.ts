import { MAX_RETRY_AFTER_MS, isRetryable, retryAfterMs, withRetries } from './retry';

function answered(name: string, status: number, headers: Record<string, string> = {}) {
  return Object.assign(new Error(name), {
    name,
    $metadata: { httpStatusCode: status },
    $response: { statusCode: status, headers },
  });
}

describe('retries of requests the SDK cannot repeat', () => {
  it('retries transient failures, throttling and refused corrupted bodies, not client errors', () => {
    expect(isRetryable(answered('SlowDown', 503))).toBe(true);
    expect(isRetryable(answered('TooManyRequests', 429))).toBe(true);
    expect(isRetryable(answered('InternalError', 500))).toBe(true);
    expect(isRetryable(answered('BadDigest', 400))).toBe(true);
    expect(isRetryable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(answered('AccessDenied', 403))).toBe(false);
    expect(isRetryable(answered('NoSuchBucket', 404))).toBe(false);
  });

  it('reads Retry-After in seconds or as a date, capped', () => {
    expect(retryAfterMs(answered('SlowDown', 503, { 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(answered('SlowDown', 503, { 'retry-after': '3600' }))).toBe(
      MAX_RETRY_AFTER_MS,
    );
    const soon = new Date(Date.now() + 5000).toUTCString();
    const fromDate = retryAfterMs(answered('SlowDown', 503, { 'retry-after': soon })) ?? 0;
    expect(fromDate).toBeGreaterThan(3000);
    expect(fromDate).toBeLessThanOrEqual(5000);
    expect(retryAfterMs(answered('SlowDown', 503))).toBeUndefined();
    expect(retryAfterMs(answered('SlowDown', 503, { 'retry-after': 'soon' }))).toBeUndefined();
  });

  it('sends again up to maxAttempts, then throws the last failure', async () => {
    let calls = 0;
    const failing = withRetries(
      () => {
        calls += 1;
        return Promise.reject(answered('SlowDown', 503));
      },
      { maxAttempts: 3, baseDelayMs: 1 },
      undefined,
    );
    await expect(failing).rejects.toMatchObject({ name: 'SlowDown' });
    expect(calls).toBe(3);
  });

  it('stops at once on a failure that is not retryable, or when told to', async () => {
    let calls = 0;
    const send = () => {
      calls += 1;
      return Promise.reject(answered('InternalError', 500));
    };
    await expect(
      withRetries(send, { maxAttempts: 3, baseDelayMs: 1 }, undefined, () => true),
    ).rejects.toThrow();
    expect(calls).toBe(1);
    calls = 0;
    const denied = () => {
      calls += 1;
      return Promise.reject(answered('AccessDenied', 403));
    };
    await expect(
      withRetries(denied, { maxAttempts: 3, baseDelayMs: 1 }, undefined),
    ).rejects.toThrow();
    expect(calls).toBe(1);
  });
});
