import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BucketHealthIndicator,
  BucketModule,
  BucketService,
  type BucketModuleSyncOptions,
  type TransferProgress,
} from 'nest-bucket';
import { errorCodeOf } from './support/bucket-errors';
import { FaultProxy } from './support/fault-proxy';
import { sha256File, temporaryFolder, writeRandomFile } from './support/files';
import { CapturingLogger } from './support/log-capture';
import { rawClient, removeBucket, serverOptions, uniqueBucketName } from './support/s3';

const MIB = 1024 * 1024;

/** Settings that make faults show quickly. */
const FAST_FAILURE = {
  maxAttempts: 2,
  retryBaseDelayMs: 20,
  connectTimeoutMs: 1000,
  requestTimeoutMs: 3000,
  partSizeBytes: 5 * MIB,
} satisfies Partial<BucketModuleSyncOptions>;

async function bootThrough(proxy: FaultProxy, extra: Partial<BucketModuleSyncOptions> = {}) {
  const logger = new CapturingLogger();
  const module: TestingModule = await Test.createTestingModule({
    imports: [
      BucketModule.forRoot({
        ...serverOptions(),
        host: '127.0.0.1',
        port: proxy.port,
        ...FAST_FAILURE,
        ...extra,
      }),
    ],
    providers: [HealthIndicatorService],
  }).compile();
  module.useLogger(logger);
  await module.init();
  return {
    module,
    service: module.get(BucketService),
    health: module.get(BucketHealthIndicator),
    logger,
  };
}

// Faults injected by a TCP proxy of our own between the service and the real server. Server-
// specific by nature: they stay out of the shared contract suite.
describe('faults between the service and the server', () => {
  let direct: S3Client;
  let proxy: FaultProxy;
  let bucket: string;
  let folder: { path: string; remove: () => Promise<void> };
  let hundred: string;

  beforeAll(async () => {
    direct = rawClient();
    const options = serverOptions();
    proxy = await FaultProxy.start(options.host, options.port ?? 80);
    bucket = uniqueBucketName('faults');
    const { module, service } = await bootThrough(proxy);
    await service.createBucket(bucket);
    folder = await temporaryFolder();
    hundred = join(folder.path, 'hundred.bin');
    await writeRandomFile(hundred, 100 * MIB);
    await service.uploadFile(bucket, hundred, 'hundred.bin');
    await module.close();
  });

  afterAll(async () => {
    await removeBucket(direct, bucket);
    direct.destroy();
    await proxy.stop();
    await folder.remove();
  });

  beforeEach(() => {
    proxy.setMode('pass');
  });

  async function pendingUploads(): Promise<number> {
    const page = await direct.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return page.Uploads?.length ?? 0;
  }

  it('boots while storage is unreachable, reports down, and works once storage is back, without a restart', async () => {
    proxy.setMode('refuse');
    const { module, service, health, logger } = await bootThrough(proxy);
    expect(logger.at('warn')).toHaveLength(1);
    expect(logger.at('warn')[0].message).toMatch(
      /^Could not connect .*: connect: .*\(ConnectionFailed\)/,
    );
    expect(await service.isConnected()).toBe(false);
    expect(await health.isHealthy('storage')).toMatchObject({
      storage: { status: 'down', code: 'ConnectionFailed' },
    });

    proxy.setMode('pass');
    expect(await service.getBucketNames()).toContain(bucket);
    expect(await service.isConnected()).toBe(true);
    expect(await health.isHealthy('storage')).toMatchObject({ storage: { status: 'up' } });
    await module.close();
  });

  it('a cut in the middle of a 100 MiB upload rejects with ConnectionFailed, and leaves no object and no multipart upload', async () => {
    const { module, service } = await bootThrough(proxy);
    const cut = proxy.cutAfterBytes(30 * MIB, 'refuse');
    const started = Date.now();
    const upload = service.uploadFile(bucket, hundred, 'cut-upload.bin');
    expect(await errorCodeOf(upload)).toBe('ConnectionFailed');
    await cut;
    expect(Date.now() - started).toBeLessThan(15_000);

    proxy.setMode('pass');
    // The next operation reconnects, and first aborts the upload that could not be aborted.
    expect(await service.fileExists(bucket, 'cut-upload.bin')).toBe(false);
    expect(await pendingUploads()).toBe(0);
    await module.close();
  });

  it('a multipart upload survives a cut connection by sending the cut parts again, not the whole file', async () => {
    const { module, service } = await bootThrough(proxy);
    const events: TransferProgress[] = [];
    const cut = proxy.cutAfterBytes(30 * MIB, 'pass');
    const result = await service.uploadFile(bucket, hundred, 'cut-resent.bin', {
      onProgress: (progress) => events.push(progress),
    });
    await cut;
    expect(result.size).toBe(100 * MIB);
    // A restart of the whole upload would start its progress from zero again.
    for (let i = 1; i < events.length; i++)
      expect(events[i].loaded).toBeGreaterThan(events[i - 1].loaded);
    expect(events.at(-1)?.loaded).toBe(100 * MIB);
    const copy = join(folder.path, 'cut-resent.out');
    await service.downloadFile(bucket, 'cut-resent.bin', copy);
    expect(await sha256File(copy)).toBe(await sha256File(hundred));
    expect(await pendingUploads()).toBe(0);
    await module.close();
  });

  it('a cut in the middle of a 100 MiB download rejects with ConnectionFailed, leaving no file and an existing one intact', async () => {
    const { module, service } = await bootThrough(proxy);
    const fresh = join(folder.path, 'cut-fresh.out');
    void proxy.cutAfterBytes(30 * MIB, 'refuse');
    expect(await errorCodeOf(service.downloadFile(bucket, 'hundred.bin', fresh))).toBe(
      'ConnectionFailed',
    );
    expect(existsSync(fresh)).toBe(false);

    proxy.setMode('pass');
    const existing = join(folder.path, 'cut-existing.out');
    await writeFile(existing, 'precious');
    void proxy.cutAfterBytes(30 * MIB, 'refuse');
    expect(await errorCodeOf(service.downloadFile(bucket, 'hundred.bin', existing))).toBe(
      'ConnectionFailed',
    );
    expect(await readFile(existing, 'utf8')).toBe('precious');
    expect((await readdir(folder.path)).filter((name) => name.endsWith('.part'))).toEqual([]);
    await module.close();
  });

  it('against a server that accepts and never answers, every operation fails with Timeout in bounded time', async () => {
    const timeouts = { connectTimeoutMs: 400, requestTimeoutMs: 600, maxAttempts: 1 };
    const { module, service } = await bootThrough(proxy, { ...timeouts, autoConnect: false });
    proxy.setMode('blackhole');
    const source = join(folder.path, 'small.txt');
    await writeFile(source, 'small');
    const bound =
      timeouts.requestTimeoutMs * timeouts.maxAttempts + timeouts.connectTimeoutMs + 1000;
    const operations: [string, () => Promise<unknown>][] = [
      ['connect', () => service.connect()],
      ['getBucketNames', () => service.getBucketNames()],
      ['getBucketFile', () => service.getBucketFile(bucket, 'hundred.bin')],
      ['putObject', () => service.putObject(bucket, 'k', 'v')],
      ['uploadFile', () => service.uploadFile(bucket, source)],
      [
        'downloadFile',
        () => service.downloadFile(bucket, 'hundred.bin', join(folder.path, 'bh.out')),
      ],
      ['getObject', () => service.getObject(bucket, 'hundred.bin')],
      ['getBucketFiles', () => service.getBucketFiles(bucket)],
    ];
    for (const [name, run] of operations) {
      const started = Date.now();
      const code = await errorCodeOf(run());
      const elapsed = Date.now() - started;
      expect({ name, code }).toEqual({ name, code: 'Timeout' });
      expect({ name, fast: elapsed < bound }).toEqual({ name, fast: true });
    }
    expect(existsSync(join(folder.path, 'bh.out'))).toBe(false);
    await module.close();
  });

  it('retries are configurable: an idempotent request gets through transient resets within maxAttempts', async () => {
    const { module, service } = await bootThrough(proxy, { maxAttempts: 3, autoConnect: false });
    await service.connect();
    service.disconnect(); // drop pooled sockets, so the next request opens a new connection
    proxy.refuseNext(2);
    const before = proxy.connections;
    expect(await service.getBucketFiles(bucket)).toContain('hundred.bin');
    expect(proxy.connections - before).toBeGreaterThanOrEqual(3);
    await module.close();
  });
});
