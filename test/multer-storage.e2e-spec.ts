import {
  Controller,
  Post,
  UploadedFile,
  UseInterceptors,
  type INestApplication,
} from '@nestjs/common';
import { FileInterceptor, MulterModule } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { BucketModule, BucketService, bucketStorage, type StoredMulterFile } from 'nest-bucket';
import { rawClient, removeBucket, serverOptions, uniqueBucketName } from './support/s3';
import { sha256 } from './support/files';

const MIB = 1024 * 1024;
const LIMIT = 12 * MIB;
const bucket = uniqueBucketName('multer');

/** A user's controller: uploads go straight into the bucket, at most 12 MiB each. */
@Controller('uploads')
class UploadsController {
  @Post()
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: LIMIT } }))
  upload(@UploadedFile() file: StoredMulterFile) {
    return { bucket: file.bucket, key: file.key, size: file.size, etag: file.etag };
  }
}

/** The storage engine, built from the injected service, as users register it. */
const UploadsMulterModule = MulterModule.registerAsync({
  inject: [BucketService],
  useFactory: (storage: BucketService) => ({
    storage: bucketStorage(storage, {
      bucket,
      key: (_request, file) => `users/42/${file.originalname}`,
      metadata: (_request, file) => ({ field: file.fieldname }),
    }),
  }),
});

describe('bucketStorage: multer uploads streamed into a bucket (real server)', () => {
  let app: INestApplication;
  let base: string;
  let raw: S3Client;
  let service: BucketService;
  const storage = () => service;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [BucketModule.forRoot({ ...serverOptions(), isGlobal: true }), UploadsMulterModule],
      controllers: [UploadsController],
    }).compile();
    app = moduleRef.createNestApplication();
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    service = app.get(BucketService);
    raw = rawClient();
    await service.createBucket(bucket);
  });

  afterAll(async () => {
    await removeBucket(raw, bucket);
    raw.destroy();
    await app.close();
  });

  function form(data: Uint8Array, name: string, type = 'application/octet-stream'): FormData {
    const body = new FormData();
    body.append('file', new Blob([data], { type }), name);
    return body;
  }

  it('streams a 10 MiB upload into the bucket under the chosen key: sha256 equal, type and metadata stored', async () => {
    const data = randomBytes(10 * MIB + 5);
    const response = await fetch(`${base}/uploads`, {
      method: 'POST',
      body: form(data, 'holiday video.mp4', 'video/mp4'),
    });
    expect(response.status).toBe(201);
    const result = (await response.json()) as { key: string; size: number; etag: string };
    expect(result).toMatchObject({ key: 'users/42/holiday video.mp4', size: data.length });
    const stored = await storage().getObject(bucket, result.key);
    expect(sha256(await buffer(stored.body))).toBe(sha256(data));
    expect(stored).toMatchObject({ contentType: 'video/mp4', metadata: { field: 'file' } });
    expect(stored.etag).toBe(result.etag);
  });

  it('refuses a file over the size limit with 413 and stores nothing: no object, no multipart upload', async () => {
    const data = randomBytes(LIMIT + MIB);
    const response = await fetch(`${base}/uploads`, {
      method: 'POST',
      body: form(data, 'too-big.bin'),
    });
    expect(response.status).toBe(413);
    expect(await storage().fileExists(bucket, 'users/42/too-big.bin')).toBe(false);
    const uploads = await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toHaveLength(0);
  });
});
