import { Logger } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createS3Client } from '../bucket.client';
import { BucketError } from '../bucket.errors';
import { resolveBucketOptions } from '../bucket.options';
import { BucketService } from '../bucket.service';
import { inChildSpan, startChildSpan } from './child-span';
import { LIBRARY_VERSION } from './names';
import { loadOpenTelemetry, openTelemetry } from './otel';
import { Telemetry } from './telemetry';

// No tracer, meter or context provider is registered in this file: the API's no-ops.
describe('telemetry without an OpenTelemetry SDK', () => {
  const options = resolveBucketOptions({
    host: '127.0.0.1',
    port: 1,
    user: 'user',
    password: 'canary-password',
    autoConnect: false,
    debug: true,
  });

  it('treats a missing or unusable @opentelemetry/api as absent', () => {
    const missing = () => {
      throw Object.assign(new Error("Cannot find module '@opentelemetry/api'"), {
        code: 'MODULE_NOT_FOUND',
      });
    };
    expect(loadOpenTelemetry(missing)).toBeUndefined();
    expect(loadOpenTelemetry(() => ({}))).toBeUndefined();
    expect(loadOpenTelemetry(() => undefined)).toBeUndefined();
    expect(loadOpenTelemetry()).toBeDefined();
    expect(openTelemetry()).toBe(openTelemetry());
  });

  it('names the instrumentation scope with the package version', () => {
    const manifest = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(LIBRARY_VERSION).toBe(manifest.version);
  });

  it('lets the service work with no tracer provider: no trace id in its log line', async () => {
    const debug = vi.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const service = new BucketService(options, createS3Client(options));
    const url = await service.getPresignedUrl('media', 'a.txt');
    expect(url).toContain('X-Amz-Signature=');
    const error = await service.getPresignedUrl('media', '').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BucketError);
    expect((error as BucketError).code).toBe('InvalidKey');
    const lines = debug.mock.calls.map((call) => String(call[0]));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^getPresignedUrl bucket "media", key "a.txt" \d+\.\dms ok$/);
    expect(lines[1]).toMatch(/ InvalidKey$/);
    expect(trace.getActiveSpan()).toBeUndefined();
    await service.onApplicationShutdown();
    debug.mockRestore();
  });

  it('runs operations and child spans through, returning and rethrowing as they are', async () => {
    const client = createS3Client(options);
    const telemetry = Telemetry.create({
      endpoint: options.endpoint,
      client,
      transfersInFlight: () => 0,
    })!;
    expect(telemetry).toBeDefined();
    const context = { operation: 'getObject', bucket: 'media', key: 'a.txt' };
    const result = await telemetry.operation(context, async () => {
      expect(telemetry.traceId(context)).toBeUndefined();
      return inChildSpan('getObject range', { bucket: 'media', key: 'a.txt' }, () =>
        Promise.resolve(42),
      );
    });
    expect(result).toBe(42);
    const failure = new Error('boom');
    await expect(telemetry.operation(context, () => Promise.reject(failure))).rejects.toBe(failure);
    const child = startChildSpan('part', { bucket: 'media', key: 'a.txt' });
    expect(await child.run(() => Promise.resolve('through'))).toBe('through');
    child.end();
    telemetry.dispose();
    client.destroy();
  });
});
