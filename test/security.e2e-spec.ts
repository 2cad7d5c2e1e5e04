import { HealthIndicatorService } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { inspect } from 'node:util';
import {
  BucketError,
  BucketHealthIndicator,
  BucketModule,
  BucketService,
  getBucketClientToken,
  type BucketModuleSyncOptions,
} from 'nest-bucket';
import { CapturingLogger } from './support/log-capture';
import { serverOptions, uniqueBucketName } from './support/s3';

/** JSON.stringify, with circular references (the SDK client has some) shown as such. */
function toJson(value: unknown): string {
  const seen = new WeakSet();
  return (
    JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item !== 'object' || item === null) return item;
      if (seen.has(item)) return '[Circular]';
      seen.add(item);
      return item;
    }) ?? ''
  );
}

/** Every way a value can reach a user or a log: messages, cause chains, JSON and inspection. */
function renderings(value: unknown): string[] {
  const texts = [inspect(value, { depth: Infinity, showHidden: false }), toJson(value)];
  let current: unknown = value;
  while (current instanceof Error) {
    texts.push(current.message, String(current.stack), inspect(current, { depth: Infinity }));
    current = current.cause;
  }
  return texts;
}

async function boot(options: BucketModuleSyncOptions, logger: CapturingLogger) {
  const module: TestingModule = await Test.createTestingModule({
    imports: [BucketModule.forRoot(options)],
    providers: [HealthIndicatorService],
  }).compile();
  module.useLogger(logger);
  await module.init();
  return module;
}

/** Drives every kind of outcome: successes, server errors, local errors, health up and down. */
async function exercise(module: TestingModule): Promise<unknown[]> {
  const service = module.get(BucketService);
  const seen: unknown[] = [service, module.get(getBucketClientToken())];
  const bucket = uniqueBucketName('secret');
  const attempts: (() => Promise<unknown>)[] = [
    () => service.connect(),
    () => service.createBucket(bucket),
    () => service.putObject(bucket, 'a.txt', 'a'),
    () => service.getBucketFile(bucket, 'missing'),
    () => service.getObject(bucket, 'missing'),
    () => service.downloadFile(bucket, 'a.txt', '/no/such/folder/a'),
    () => service.getPresignedUrl(bucket, 'a.txt'),
    () => service.getBucketNames(),
    () => service.deleteBucket(bucket, { force: true }),
    () => module.get(BucketHealthIndicator).isHealthy('storage'),
  ];
  for (const attempt of attempts) {
    seen.push(await attempt().catch((error: unknown) => error));
  }
  return seen;
}

describe('secrets never leak', () => {
  it('SSE-C keys: a wrong or missing key, a copy the server refuses: neither key in logs, errors, inspect or JSON (skipped without the SSE test setup: BUCKET_TEST_KMS_KEY_ID)', async (test) => {
    if (!process.env.BUCKET_TEST_KMS_KEY_ID) {
      test.skip();
      return;
    }
    const logger = new CapturingLogger();
    const module = await boot(serverOptions({ debug: true }), logger);
    const service = module.get(BucketService);
    const bucket = uniqueBucketName('ssec-secret');
    const key = Buffer.from('CANARY-sse-c-key-7f1e9a-32bytes!');
    const wrong = Buffer.from('WRONGKEY-sse-c-7f1e9a-32-bytes!!');
    await service.createBucket(bucket);
    await service.putObject(bucket, 'k', 'secret bytes', { encryption: { type: 'SSE-C', key } });
    const seen: unknown[] = [];
    for (const attempt of [
      () => service.getObject(bucket, 'k', { customerKey: wrong }),
      () => service.getBucketFile(bucket, 'k'),
      () =>
        service.downloadFile(bucket, 'k', '/tmp/nest-bucket-ssec-leak.out', { customerKey: wrong }),
      () => service.copyFile(bucket, 'k', bucket, 'k2', { sourceCustomerKey: key }),
    ]) {
      seen.push(await attempt().catch((error: unknown) => error));
    }
    expect(seen.every((value) => value instanceof BucketError)).toBe(true);
    for (const text of [logger.text(), ...seen.flatMap(renderings)]) {
      for (const secret of [key, wrong]) {
        expect(text).not.toContain(secret.toString('base64'));
        expect(text).not.toContain(secret.toString('utf8'));
      }
    }
    await service.deleteBucket(bucket, { force: true });
    await module.close();
  });

  it('with the right secret and debug logging: not in logs, results, errors, health, inspect or JSON', async () => {
    const options = serverOptions({ debug: true });
    const logger = new CapturingLogger();
    const module = await boot(options, logger);
    const seen = await exercise(module);
    expect(logger.at('debug').length).toBeGreaterThanOrEqual(8);
    expect(seen.some((value) => value instanceof BucketError)).toBe(true);
    for (const text of [logger.text(), ...seen.flatMap(renderings)]) {
      expect(text).not.toContain(options.password);
    }
    await module.close();
  });

  it('with a recognisable wrong secret: rejected as AccessDenied, and the secret appears nowhere', async () => {
    const canary = 'CANARY-s3cr3t-7f1e9a-do-not-leak';
    const logger = new CapturingLogger();
    const module = await boot(serverOptions({ password: canary, debug: true }), logger);
    const seen = await exercise(module);
    const errors = seen.filter((value): value is BucketError => value instanceof BucketError);
    expect(errors.map((e) => e.code)).toContain('AccessDenied');
    const health = seen.at(-1);
    expect(health).toMatchObject({ storage: { status: 'down', code: 'AccessDenied' } });
    for (const text of [logger.text(), ...seen.flatMap(renderings)]) {
      expect(text).not.toContain(canary);
    }
    await module.close();
  });
});
