import { setTimeout as sleep } from 'node:timers/promises';
import type { BucketError } from '../bucket.errors';
import { watchThroughput } from './stall-guard';

const context = { operation: 'downloadFile', bucket: 'media', key: 'a.bin' };

describe('watchThroughput', () => {
  it('reports a window below the rate as a Timeout that names the limit, once', async () => {
    const stalls: BucketError[] = [];
    const guard = watchThroughput({ minBytesPerSecond: 1000, stallTimeoutMs: 30 }, context, (e) =>
      stalls.push(e),
    );
    guard.count(10); // 10 bytes in 30 ms: far below 30 bytes per window
    await sleep(120);
    guard.stop();
    expect(stalls).toHaveLength(1);
    expect(stalls[0].code).toBe('Timeout');
    expect(stalls[0].message).toContain('below minBytesPerSecond = 1000');
  });

  it('stays quiet while bytes move fast enough, and after stop()', async () => {
    const stalls: BucketError[] = [];
    const guard = watchThroughput({ minBytesPerSecond: 1000, stallTimeoutMs: 30 }, context, (e) =>
      stalls.push(e),
    );
    const feeding = setInterval(() => {
      guard.count(1000);
    }, 5);
    await sleep(100);
    clearInterval(feeding);
    guard.stop();
    await sleep(60);
    expect(stalls).toEqual([]);
  });

  it('does nothing when the limit is 0', async () => {
    const stalls: BucketError[] = [];
    const guard = watchThroughput({ minBytesPerSecond: 0, stallTimeoutMs: 10 }, context, (e) =>
      stalls.push(e),
    );
    await sleep(40);
    guard.stop();
    expect(stalls).toEqual([]);
  });
});
