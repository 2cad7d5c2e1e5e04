import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { InjectBucket } from '../bucket.decorators';
import { BucketHealthIndicator } from '../bucket.health';
import { BucketService } from '../bucket.service';
import { getBucketServiceToken } from '../bucket.tokens';
import { BucketTestingModule, getInMemoryBucketToken } from './bucket-testing.module';
import { InMemoryBucketService } from './in-memory-bucket.service';

@Injectable()
class UsesDefault {
  constructor(readonly bucket: BucketService) {}
}

@Injectable()
class UsesNamed {
  constructor(@InjectBucket('archive') readonly bucket: BucketService) {}
}

@Module({ providers: [UsesDefault], exports: [UsesDefault] })
class FeatureModule {}

describe('BucketTestingModule', () => {
  const env = { ...process.env };
  let module: TestingModule | undefined;

  beforeEach(() => {
    // The integration run exports the test server's BUCKET_* keys: start from none.
    process.env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/(^|_)BUCKET_/.test(key)),
    );
  });

  afterEach(async () => {
    await module?.close();
    module = undefined;
    process.env = { ...env };
  });

  it('provides the fake as BucketService, and as itself for its helpers, connected at init', async () => {
    module = await Test.createTestingModule({
      imports: [BucketTestingModule.forRoot({ buckets: ['avatars'] })],
      providers: [UsesDefault],
    }).compile();
    await module.init();
    const fake = module.get(InMemoryBucketService);
    expect(module.get(BucketService)).toBe(fake);
    expect(module.get(UsesDefault).bucket).toBe(fake);
    expect(fake.storedBuckets()).toEqual(['avatars']);
    expect(await fake.isConnected()).toBe(true);
    await module.close();
    expect(fake.toJSON().state).toBe('disconnected');
    module = undefined;
  });

  it('provides a named instance under the same token as BucketModule, beside the default one', async () => {
    module = await Test.createTestingModule({
      imports: [
        BucketTestingModule.forRoot({ name: 'archive', autoConnect: false }),
        BucketTestingModule.forRoot(),
      ],
      providers: [UsesNamed, UsesDefault],
    }).compile();
    const archive = module.get<InMemoryBucketService>(getInMemoryBucketToken('archive'));
    expect(module.get(getBucketServiceToken('archive'))).toBe(archive);
    expect(module.get(UsesNamed).bucket).toBe(archive);
    expect(archive.endpoint).toBe('memory://archive');
    expect(module.get(UsesDefault).bucket).not.toBe(archive);
  });

  it('with isGlobal, serves modules that do not import it', async () => {
    module = await Test.createTestingModule({
      imports: [BucketTestingModule.forRoot({ isGlobal: true }), FeatureModule],
    }).compile();
    expect(module.get(UsesDefault).bucket).toBeInstanceOf(InMemoryBucketService);
  });

  it('keeps BucketHealthIndicator working: up, then down with the code of a simulated failure', async () => {
    module = await Test.createTestingModule({
      imports: [BucketTestingModule.forRoot({ bucket: 'media', buckets: ['media'] })],
    }).compile();
    const health = module.get(BucketHealthIndicator);
    await expect(health.isHealthy('storage')).resolves.toMatchObject({
      storage: { status: 'up', endpoint: 'memory://default' },
    });
    module.get(InMemoryBucketService).failNext('ConnectionFailed', { operation: 'probe' });
    await expect(health.isHealthy('storage')).resolves.toMatchObject({
      storage: { status: 'down', code: 'ConnectionFailed' },
    });
    await expect(health.isHealthy('storage', { bucket: 'missing' })).resolves.toMatchObject({
      storage: { status: 'down', code: 'NoSuchBucket' },
    });
  });

  it('with real options, is a real BucketModule (no request is made with autoConnect off)', async () => {
    module = await Test.createTestingModule({
      imports: [
        BucketTestingModule.forRoot({
          real: {
            host: 'storage.test',
            port: 9000,
            useSsl: false,
            user: 'key',
            password: 'secret',
            autoConnect: false,
          },
        }),
      ],
      providers: [UsesDefault],
    }).compile();
    const service = module.get(UsesDefault).bucket;
    expect(service).toBeInstanceOf(BucketService);
    expect(service).not.toBeInstanceOf(InMemoryBucketService);
    expect(service.endpoint).toBe('http://storage.test:9000');
    expect(() => module?.get(InMemoryBucketService)).toThrow();
  });

  it('with real: true, reads the server from the environment, as BucketModule.forRootAsync()', async () => {
    Object.assign(process.env, {
      BUCKET_HOST: 'env-storage.test',
      BUCKET_PORT: '9100',
      BUCKET_USER: 'key',
      BUCKET_PASSWORD: 'secret',
      BUCKET_AUTO_CONNECT: 'false',
      BUCKET_USE_SSL: 'false',
    });
    module = await Test.createTestingModule({
      imports: [BucketTestingModule.forRoot({ real: !!process.env.BUCKET_HOST, isGlobal: true })],
      providers: [UsesDefault],
    }).compile();
    expect(module.get(UsesDefault).bucket.endpoint).toBe('http://env-storage.test:9100');
  });
});
