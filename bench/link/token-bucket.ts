import { Transform, type TransformCallback } from 'node:stream';

/**
 * A token bucket: `bytesPerSecond` tokens a second, at most `burstBytes` saved up. A chunk takes
 * its size in tokens at once and may drive the bucket into debt; it then waits until the debt is
 * paid, so that over any stretch longer than the burst no more than the rate passes, and a late
 * timer is made up for by the tokens that accrued meanwhile.
 */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  /**
   * @param bytesPerSecond - the rate
   * @param burstBytes - the most that passes at once after a pause
   */
  constructor(
    private readonly bytesPerSecond: number,
    private readonly burstBytes: number,
  ) {
    this.tokens = burstBytes;
  }

  /**
   * Takes `bytes` tokens.
   *
   * @param bytes - the chunk's size
   * @returns how long to hold the chunk, in ms (0: pass it now)
   */
  take(bytes: number): number {
    const now = performance.now();
    this.tokens = Math.min(
      this.burstBytes,
      this.tokens + ((now - this.last) * this.bytesPerSecond) / 1000,
    );
    this.last = now;
    this.tokens -= bytes;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.bytesPerSecond;
  }
}

/**
 * A stream that lets bytes through at the bucket's rate: each chunk leaves once the bucket has
 * paid for it. Backpressure does the rest: the sender's socket stops being read, its TCP window
 * fills, and the sender waits, as behind a slow link.
 *
 * @param bucket - the rate of this direction of one connection
 */
export function throttle(bucket: TokenBucket): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      const wait = bucket.take(chunk.length);
      if (wait <= 0) callback(null, chunk);
      else
        setTimeout(() => {
          callback(null, chunk);
        }, wait);
    },
  });
}
