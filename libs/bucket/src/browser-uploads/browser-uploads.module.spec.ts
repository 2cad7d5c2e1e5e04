import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BucketTestingModule } from '../testing/bucket-testing.module';
import { InMemoryBucketService } from '../testing/in-memory-bucket.service';
import { BrowserUploadsModule } from './browser-uploads.module';

const MIB = 1024 * 1024;

/** Settings as an app reads them at boot (from ConfigService, in a real app). */
const SETTINGS = 'UPLOAD_SETTINGS';

@Module({
  providers: [{ provide: SETTINGS, useValue: { bucket: 'uploads', token: 'Bearer t', maxMiB: 6 } }],
  exports: [SETTINGS],
})
class SettingsModule {}

interface Settings {
  bucket: string;
  token: string;
  maxMiB: number;
}

describe('BrowserUploadsModule.forRootAsync (on the in-memory fake)', () => {
  let app: INestApplication;
  let base: string;
  let fake: InMemoryBucketService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        BucketTestingModule.forRoot({ isGlobal: true, buckets: ['uploads'] }),
        BrowserUploadsModule.forRootAsync({
          imports: [SettingsModule],
          inject: [SETTINGS],
          useFactory: (settings: Settings) => ({
            bucket: settings.bucket,
            authorize: (request) =>
              (request as { headers: Record<string, string | undefined> }).headers.authorization ===
              settings.token,
            key: (_request, file) => `uploads/${file.filename}`,
            maxFileSize: settings.maxMiB * MIB,
          }),
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    fake = app.get(InMemoryBucketService);
  });

  afterAll(async () => {
    await app.close();
  });

  const api = async (method: string, path: string, body?: unknown, token = 'Bearer t') => {
    const response = await fetch(`${base}/s3/${path}`, {
      method,
      headers: { authorization: token, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  it('takes its bucket, authorize, key and size limit from the factory', async () => {
    expect((await api('POST', 'multipart', { filename: 'a.bin' }, 'Bearer no')).status).toBe(403);
    const created = await api('POST', 'multipart', { filename: 'a.bin', type: 'x/y' });
    expect(created.status).toBe(201);
    const { key, uploadId } = created.json as { key: string; uploadId: string };
    expect(key).toBe('uploads/a.bin');
    const q = `?key=${encodeURIComponent(key)}`;
    const signed = await api('GET', `multipart/${uploadId}/1${q}`);
    const put = await fake.fetchPresignedUrl(signed.json.url as string, {
      method: 'PUT',
      body: new Uint8Array(7 * MIB),
    });
    const ETag = put.headers.get('etag') ?? '';
    const done = await api('POST', `multipart/${uploadId}/complete${q}`, {
      parts: [{ PartNumber: 1, ETag }],
    });
    expect(done.status).toBe(413);
    expect(fake.listStored('uploads')).toEqual([]);
    expect((await api('GET', `multipart/${uploadId}${q}`)).status).toBe(404);
  });
});
