import { Injectable, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  BucketHealthIndicator,
  BucketModule,
  BucketService,
  InjectBucket,
  getBucketServiceToken,
} from 'nest-bucket';
import { errorCodeOf } from './support/bucket-errors';
import { serverOptions, uniqueBucketName } from './support/s3';

@Injectable()
class ArchiveMover {
  constructor(
    readonly media: BucketService,
    @InjectBucket('archive') readonly archive: BucketService,
  ) {}
}

describe('named instances and scoped handles', () => {
  let module: TestingModule;
  const env = { ...process.env };

  beforeAll(async () => {
    const options = serverOptions();
    // The archive instance reads its own prefixed keys.
    Object.assign(process.env, {
      ARCHIVE_BUCKET_HOST: `http://${options.host}:${String(options.port)}`,
      ARCHIVE_BUCKET_USER: options.user,
      ARCHIVE_BUCKET_PASSWORD: options.password,
    });
    @Module({ providers: [ArchiveMover] })
    class FeatureModule {}
    module = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        TerminusModule,
        BucketModule.forRoot({ ...options, isGlobal: true }),
        BucketModule.forRootAsync({ name: 'archive', envPrefix: 'ARCHIVE_', isGlobal: true }),
        BucketModule.forRoot({
          ...options,
          port: 1,
          autoConnect: false,
          name: 'offline',
          isGlobal: true,
        }),
        FeatureModule,
      ],
    }).compile();
    await module.init();
  });

  afterAll(async () => {
    await module.close();
    process.env = env;
  });

  it('injects the default instance by class and a named one with @InjectBucket', () => {
    const mover = module.get(ArchiveMover);
    expect(mover.media).toBe(module.get(BucketService));
    expect(mover.archive).toBe(module.get(getBucketServiceToken('archive')));
    expect(mover.archive).not.toBe(mover.media);
    expect(mover.archive.name).toBe('archive');
  });

  it('each instance works on its own, and gets its own health key', async () => {
    const { media, archive } = module.get(ArchiveMover);
    const bucket = uniqueBucketName('named');
    await media.createBucket(bucket);
    await archive.putObject(bucket, 'moved.txt', 'from the archive instance');
    expect(await media.getBucketFiles(bucket)).toEqual(['moved.txt']);

    const health = module.get(HealthCheckService);
    const indicator = module.get(BucketHealthIndicator);
    const result = await health
      .check([
        () => indicator.isHealthy('media'),
        () => indicator.isHealthy('archive', { name: 'archive' }),
        () => indicator.isHealthy('offline', { name: 'offline' }),
      ])
      .catch((error: unknown) => (error as { response: unknown }).response);
    expect(result).toMatchObject({
      status: 'error',
      info: { media: { status: 'up' }, archive: { status: 'up' } },
      error: { offline: { status: 'down', code: 'ConnectionFailed' } },
    });
    await media.deleteBucket(bucket, { force: true });
  });

  it('bucket(name) gives a handle with the file operations minus the bucket argument', async () => {
    const service = module.get(BucketService);
    const name = uniqueBucketName('handle');
    await service.createBucket(name);
    const media = service.bucket(name);
    expect(media.name).toBe(name);
    await media.putObject('a/b.txt', 'handled', { contentType: 'text/plain' });
    expect(await media.getFiles()).toEqual(['a/b.txt']);
    expect(await media.fileExists('a/b.txt')).toBe(true);
    expect((await media.getFile('a/b.txt')).contentType).toBe('text/plain');
    await media.copyFile('a/b.txt', 'a/c.txt');
    await media.moveFile('a/c.txt', 'a/d.txt');
    expect(await media.getFiles('a/')).toEqual(['a/b.txt', 'a/d.txt']);
    const body = (await media.getObject('a/d.txt', { range: { start: 0, end: 3 } })).body;
    expect(Buffer.concat(await body.toArray()).toString()).toBe('hand');
    expect((await media.deleteFiles(['a/b.txt', 'a/d.txt'])).deleted).toHaveLength(2);
    expect(await errorCodeOf(media.getFile('a/b.txt'))).toBe('NoSuchKey');
    expect(() => service.bucket('Bad_Name')).toThrow(/InvalidBucketName/);
    await service.deleteBucket(name);
  });
});
