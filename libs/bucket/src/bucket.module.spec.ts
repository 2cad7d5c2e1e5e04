import { S3Client } from '@aws-sdk/client-s3';
import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { BucketHealthIndicator } from './bucket.health';
import { BucketModule } from './bucket.module';
import type { BucketOptionsFactory } from './bucket.module-options';
import type { BucketModuleOptions } from './bucket.options';
import { BucketService } from './bucket.service';
import { getBucketClientToken, getBucketServiceToken } from './bucket.tokens';

// No server is needed: autoConnect is off, so compiling makes no request.
const options: BucketModuleOptions = {
  host: 'storage.test',
  port: 9000,
  useSsl: false,
  user: 'AKIAEXAMPLE',
  password: 'module-spec-secret',
  autoConnect: false,
};

@Injectable()
class OptionsFactory implements BucketOptionsFactory {
  createBucketOptions(): BucketModuleOptions {
    return options;
  }
}

@Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
class OptionsFactoryModule {}

async function endpointOf(imports: Parameters<typeof Test.createTestingModule>[0]['imports']) {
  const module = await Test.createTestingModule({ imports }).compile();
  const service = module.get(BucketService);
  expect(module.get(getBucketClientToken())).toBeInstanceOf(S3Client);
  expect(module.get(BucketHealthIndicator)).toBeInstanceOf(BucketHealthIndicator);
  await module.close();
  return service.endpoint;
}

describe('BucketModule', () => {
  const env = { ...process.env };
  beforeEach(() => {
    // The integration run exports the test server's BUCKET_* keys: start from none.
    process.env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/(^|_)BUCKET_/.test(key)),
    );
  });
  afterEach(() => {
    process.env = { ...env };
  });

  it('forRoot provides BucketService, its S3Client and the health indicator', async () => {
    expect(await endpointOf([BucketModule.forRoot(options)])).toBe('http://storage.test:9000');
  });

  it('forRootAsync with useFactory and inject', async () => {
    const module = BucketModule.forRootAsync({
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [() => ({ S3_URL: 'http://from-config:1234' })],
        }),
      ],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        ...options,
        port: undefined,
        host: config.getOrThrow<string>('S3_URL'),
      }),
    });
    expect(await endpointOf([module])).toBe('http://from-config:1234');
  });

  it('forRootAsync with useClass', async () => {
    expect(await endpointOf([BucketModule.forRootAsync({ useClass: OptionsFactory })])).toBe(
      'http://storage.test:9000',
    );
  });

  it('forRootAsync with useExisting', async () => {
    const module = BucketModule.forRootAsync({
      imports: [OptionsFactoryModule],
      useExisting: OptionsFactory,
    });
    expect(await endpointOf([module])).toBe('http://storage.test:9000');
  });

  it('forRootAsync() with no options reads BUCKET_* from the environment through ConfigService', async () => {
    Object.assign(process.env, {
      BUCKET_HOST: 'env-host',
      BUCKET_PORT: '7480',
      BUCKET_USER: 'u',
      BUCKET_PASSWORD: 'p',
      BUCKET_AUTO_CONNECT: 'false',
    });
    expect(await endpointOf([BucketModule.forRootAsync()])).toBe('https://env-host:7480');
    expect(
      await endpointOf([
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        BucketModule.forRootAsync(),
      ]),
    ).toBe('https://env-host:7480');
  });

  it('reads prefixed keys for a named instance, under its own token', async () => {
    Object.assign(process.env, {
      ARCHIVE_BUCKET_HOST: 'http://archive:1',
      ARCHIVE_BUCKET_USER: 'u',
      ARCHIVE_BUCKET_PASSWORD: 'p',
      ARCHIVE_BUCKET_AUTO_CONNECT: 'false',
    });
    const module = await Test.createTestingModule({
      imports: [
        BucketModule.forRoot(options),
        BucketModule.forRootAsync({ name: 'archive', envPrefix: 'ARCHIVE_' }),
      ],
    }).compile();
    expect(module.get<BucketService>(getBucketServiceToken('archive')).endpoint).toBe(
      'http://archive:1',
    );
    expect(module.get(BucketService).endpoint).toBe('http://storage.test:9000');
    await module.close();
  });

  it('isGlobal makes the service injectable from a module that does not import BucketModule', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly bucket: BucketService) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}
    const module = await Test.createTestingModule({
      imports: [BucketModule.forRoot({ ...options, isGlobal: true }), FeatureModule],
    }).compile();
    expect(module.get(Consumer).bucket).toBeInstanceOf(BucketService);
    await module.close();
  });

  it('fails at boot with one InvalidConfig error naming every bad key, never the secret', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        BucketModule.forRoot({ ...options, host: '', port: 99999, signatureVersion: 's3' }),
      ],
    }).compile();
    await expect(compiling).rejects.toMatchObject({ code: 'InvalidConfig' });
    const error = (await compiling.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('host (BUCKET_HOST) is missing: is required');
    expect(error.message).toContain('port (BUCKET_PORT) = 99999');
    expect(error.message).toContain('signatureVersion (BUCKET_SIGNATURE_VERSION) = "s3"');
    expect(error.message).not.toContain('module-spec-secret');
  });

  it('fails at boot when the environment lacks the required keys', async () => {
    await expect(
      Test.createTestingModule({ imports: [BucketModule.forRootAsync()] }).compile(),
    ).rejects.toThrow(
      /host \(BUCKET_HOST\) is missing[\s\S]*password \(BUCKET_PASSWORD\) is missing/,
    );
  });
});
