import { HealthIndicatorService } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { BucketHealthIndicator } from './bucket.health';
import { createBucketError } from './bucket.errors';
import { BucketService } from './bucket.service';
import { getBucketServiceToken } from './bucket.tokens';

/** A stand-in for the service: only what the indicator uses. */
function fakeService(
  endpoint: string,
  probe: (timeoutMs?: number, bucket?: string) => Promise<number>,
) {
  return { endpoint, probe: vi.fn(probe) };
}

async function indicatorWith(
  services: Record<string, ReturnType<typeof fakeService>>,
  healthIndicatorService: unknown = new HealthIndicatorService(),
) {
  const module = await Test.createTestingModule({
    providers: [
      { provide: HealthIndicatorService, useValue: healthIndicatorService },
      BucketHealthIndicator,
      ...Object.entries(services).map(([name, useValue]) => ({
        provide: name === 'default' ? BucketService : getBucketServiceToken(name),
        useValue,
      })),
    ],
  }).compile();
  return module.get(BucketHealthIndicator);
}

describe('BucketHealthIndicator', () => {
  it('is up with the endpoint and the rounded latency', async () => {
    const service = fakeService('http://127.0.0.1:9000', () => Promise.resolve(12.6));
    const indicator = await indicatorWith({ default: service });
    await expect(indicator.isHealthy('storage')).resolves.toEqual({
      storage: { status: 'up', endpoint: 'http://127.0.0.1:9000', latencyMs: 13 },
    });
    expect(service.probe).toHaveBeenCalledWith(undefined, undefined);
  });

  it('passes the time limit and the bucket to the probe', async () => {
    const service = fakeService('http://s3', () => Promise.resolve(1));
    const indicator = await indicatorWith({ default: service });
    await indicator.isHealthy('storage', { timeoutMs: 250.5, bucket: 'media' });
    expect(service.probe).toHaveBeenCalledWith(251, 'media');
  });

  it('is down with the error code and message, and no credentials', async () => {
    const service = fakeService('http://s3', () =>
      Promise.reject(createBucketError('AccessDenied', 'probe: access denied (AccessDenied)')),
    );
    const result = await (await indicatorWith({ default: service })).isHealthy('storage');
    expect(result).toEqual({
      storage: {
        status: 'down',
        endpoint: 'http://s3',
        latencyMs: expect.any(Number) as number,
        code: 'AccessDenied',
        message: 'probe: access denied (AccessDenied)',
      },
    });
  });

  it('reports an abort of the probe as Timeout: only its own time limit can abort it', async () => {
    const service = fakeService('http://s3', () =>
      Promise.reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
    );
    const result = await (await indicatorWith({ default: service })).isHealthy('storage');
    expect(result.storage).toMatchObject({ status: 'down', code: 'Timeout' });
  });

  it('checks a named instance', async () => {
    const archive = fakeService('http://archive', () => Promise.resolve(1));
    const indicator = await indicatorWith({
      default: fakeService('http://default', () => Promise.resolve(1)),
      archive,
    });
    await expect(indicator.isHealthy('archive', { name: 'archive' })).resolves.toMatchObject({
      archive: { status: 'up', endpoint: 'http://archive' },
    });
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects a time limit of %s as a mistake in the code',
    async (timeoutMs) => {
      const indicator = await indicatorWith({
        default: fakeService('http://s3', () => Promise.resolve(1)),
      });
      await expect(indicator.isHealthy('storage', { timeoutMs })).rejects.toThrow(RangeError);
    },
  );

  it('is degraded on Terminus 12 when the probe is slower than degradedAfterMs, up when faster', async () => {
    const slow = await indicatorWith({
      default: fakeService('http://s3', () => Promise.resolve(80)),
    });
    await expect(slow.isHealthy('storage', { degradedAfterMs: 50 })).resolves.toEqual({
      storage: { status: 'degraded', endpoint: 'http://s3', latencyMs: 80, degradedAfterMs: 50 },
    });
    await expect(slow.isHealthy('storage', { degradedAfterMs: 100 })).resolves.toMatchObject({
      storage: { status: 'up' },
    });
  });

  it('is up, not degraded, on Terminus 11, whose indicators have no degraded status', async () => {
    // Terminus 11's HealthIndicatorService: check(key) gives only up() and down().
    const terminus11 = {
      check: (key: string) => ({
        up: (data: object) => ({ [key]: { ...data, status: 'up' } }),
        down: (data: object) => ({ [key]: { ...data, status: 'down' } }),
      }),
    };
    const indicator = await indicatorWith(
      { default: fakeService('http://s3', () => Promise.resolve(80)) },
      terminus11,
    );
    await expect(indicator.isHealthy('storage', { degradedAfterMs: 50 })).resolves.toEqual({
      storage: { status: 'up', endpoint: 'http://s3', latencyMs: 80 },
    });
  });

  it.each([0, -5, Number.NaN])(
    'rejects a degradedAfterMs of %s as a mistake in the code',
    async (ms) => {
      const indicator = await indicatorWith({
        default: fakeService('http://s3', () => Promise.resolve(1)),
      });
      await expect(indicator.isHealthy('storage', { degradedAfterMs: ms })).rejects.toThrow(
        'degradedAfterMs must be a positive number of ms',
      );
    },
  );
});
