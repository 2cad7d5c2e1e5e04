import { Test, type TestingModule } from '@nestjs/testing';
import {
  BucketError,
  BucketModule,
  BucketService,
  type BucketModuleSyncOptions,
} from 'nest-bucket';
import { errorCodeOf } from './support/bucket-errors';
import { CapturingLogger } from './support/log-capture';
import {
  canStartPrivateServers,
  startPrivateServer,
  type PrivateServer,
} from './support/private-server';
import { closedPort } from './support/ports';
import { serverOptions, uniqueBucketName } from './support/s3';

async function boot(options: BucketModuleSyncOptions, logger = new CapturingLogger()) {
  const module: TestingModule = await Test.createTestingModule({
    imports: [BucketModule.forRoot(options)],
  }).compile();
  module.useLogger(logger);
  await module.init();
  return { module, service: module.get(BucketService), logger };
}

describe('connection lifecycle (real server)', () => {
  it('connects at boot and reports isConnected', async () => {
    const { module, service, logger } = await boot(serverOptions());
    expect(await service.isConnected()).toBe(true);
    expect(logger.at('log', 'BucketService').map((l) => l.message)).toEqual([
      `Connected to object storage at ${service.endpoint}`,
    ]);
    await module.close();
  });

  it('with autoConnect off, makes no request until the first operation, which connects lazily', async () => {
    const { module, service } = await boot(serverOptions({ autoConnect: false }));
    expect(await service.isConnected()).toBe(false);
    expect(Array.isArray(await service.getBucketNames())).toBe(true);
    expect(await service.isConnected()).toBe(true);
    await module.close();
  });

  it('disconnect releases the connection; the next operation connects again', async () => {
    const { module, service } = await boot(serverOptions());
    service.disconnect();
    expect(await service.isConnected()).toBe(false);
    await service.getBucketNames();
    expect(await service.isConnected()).toBe(true);
    await module.close();
  });

  it('boots with wrong credentials, logs one warning, and every operation gives AccessDenied', async () => {
    const { module, service, logger } = await boot(
      serverOptions({ password: 'wrong-secret-WRONG' }),
    );
    expect(await service.isConnected()).toBe(false);
    const warnings = logger.at('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toContain('AccessDenied');
    expect(await errorCodeOf(service.getBucketNames())).toBe('AccessDenied');
    expect(await errorCodeOf(service.createBucket(uniqueBucketName('denied')))).toBe(
      'AccessDenied',
    );
    expect(await errorCodeOf(service.connect())).toBe('AccessDenied');
    await module.close();
  });

  it('boots against a closed port: starts, isConnected is false, operations throw ConnectionFailed', async () => {
    const port = await closedPort();
    const started = Date.now();
    const { module, service, logger } = await boot({ ...serverOptions(), host: '127.0.0.1', port });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await service.isConnected()).toBe(false);
    expect(logger.at('warn')).toHaveLength(1);
    expect(logger.at('warn')[0].message).toContain(`127.0.0.1:${port}`);
    expect(logger.at('warn')[0].message).toContain('ConnectionFailed');
    const error = (await service
      .getBucketFiles('some-bucket')
      .catch((e: unknown) => e)) as BucketError;
    expect(error).toBeInstanceOf(BucketError);
    expect(error).toMatchObject({
      code: 'ConnectionFailed',
      operation: 'getBucketFiles',
      bucket: 'some-bucket',
    });
    expect(error.message).toContain('"some-bucket"');
    await module.close();
  });

  it('checks names and keys before any request, even when disconnected', async () => {
    const { module, service } = await boot({
      ...serverOptions(),
      port: await closedPort(),
      autoConnect: false,
    });
    expect(await errorCodeOf(service.createBucket('Not_Valid'))).toBe('InvalidBucketName');
    expect(await errorCodeOf(service.deleteFile('valid-bucket', ''))).toBe('InvalidKey');
    expect(await errorCodeOf(service.uploadFile('valid-bucket', '/no/such/file', 'k'))).toBe(
      'LocalFileError',
    );
    await module.close();
  });

  it('logs one debug line per operation with the operation, target, duration and outcome, and never the secret', async () => {
    const secret = serverOptions().password;
    const { module, service, logger } = await boot(serverOptions({ debug: true }));
    const bucket = uniqueBucketName('debug');
    await service.createBucket(bucket);
    await service.putObject(bucket, 'a.txt', 'x');
    await service.getBucketFile(bucket, 'missing').catch(() => undefined);
    await service.deleteFile(bucket, 'a.txt');
    await service.deleteBucket(bucket);
    const lines = logger.at('debug', 'BucketService').map((l) => l.message);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(new RegExp(`^createBucket bucket "${bucket}" \\d+\\.\\dms ok$`));
    expect(lines[1]).toMatch(/^putObject bucket ".+", key "a.txt" \d+\.\dms ok$/);
    expect(lines[2]).toMatch(/^getBucketFile bucket ".+", key "missing" \d+\.\dms NoSuchKey$/);
    expect(logger.text()).not.toContain(secret);
    await module.close();
  });
});

describe.skipIf(!canStartPrivateServers())(
  'reconnection (a private local server that the test stops and restarts; skipped when BUCKET_HOST points at an outside server, which the tests may not stop)',
  () => {
    let server: PrivateServer | undefined;
    beforeAll(async () => {
      server = await startPrivateServer();
    });
    afterAll(async () => {
      if (server) await server.stop();
    });

    it('fails with ConnectionFailed while the server is down, then succeeds without a restart once it is back', async () => {
      const { module, service, logger } = await boot({ ...server!.options, maxAttempts: 1 });
      const bucket = uniqueBucketName('reconnect');
      await service.createBucket(bucket);
      await service.putObject(bucket, 'before.txt', 'before');

      await server!.stopGateway();
      expect(await errorCodeOf(service.getBucketFiles(bucket))).toBe('ConnectionFailed');
      expect(await service.isConnected()).toBe(false);

      await server!.startGateway();
      expect(await service.getBucketFiles(bucket)).toEqual(['before.txt']);
      expect(await service.isConnected()).toBe(true);
      expect(logger.at('log').map((l) => l.message)).toContain(
        `Reconnected to object storage at ${service.endpoint}`,
      );
      await module.close();
    });

    it('an operation in flight when the connection drops reconnects once and succeeds', async () => {
      const { module, service } = await boot(server!.options);
      const bucket = uniqueBucketName('retry');
      await service.createBucket(bucket);
      // Restart the gateway: the pooled keep-alive sockets are now dead.
      await server!.stopGateway();
      await server!.startGateway();
      expect(await service.getBucketFiles(bucket)).toEqual([]);
      await module.close();
    });
  },
);
