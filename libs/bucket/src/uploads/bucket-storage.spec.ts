import { Test, type TestingModule } from '@nestjs/testing';
import { PassThrough, Readable } from 'node:stream';
import { BucketTestingModule, InMemoryBucketService } from '../testing';
import { bucketStorage, type IncomingMulterFile, type StoredMulterFile } from './bucket-storage';

function multerFile(stream: Readable, originalname = 'Photo.JPG'): IncomingMulterFile {
  return { fieldname: 'file', originalname, mimetype: 'image/jpeg', stream };
}

function handle(
  engine: ReturnType<typeof bucketStorage>,
  file: IncomingMulterFile,
): Promise<StoredMulterFile> {
  return new Promise((resolve, reject) => {
    engine._handleFile({}, file, (error, info) => {
      if (error instanceof Error) reject(error);
      else if (info) resolve(info);
      else reject(new Error('neither an error nor a result'));
    });
  });
}

describe('bucketStorage (on the in-memory fake)', () => {
  let moduleRef: TestingModule;
  let fake: InMemoryBucketService;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [BucketTestingModule.forRoot({ buckets: ['uploads'] })],
    }).compile();
    await moduleRef.init();
    fake = moduleRef.get(InMemoryBucketService);
  });

  afterEach(() => moduleRef.close());

  it('stores the stream under a random key with the lower-cased extension, and reports size and ETag', async () => {
    const engine = bucketStorage(fake, { bucket: 'uploads' });
    const info = await handle(
      engine,
      multerFile(Readable.from([Buffer.from('abc'), Buffer.from('de')])),
    );
    expect(info.key).toMatch(/^[0-9a-f-]{36}\.jpg$/);
    expect(info).toMatchObject({ bucket: 'uploads', size: 5, contentType: 'image/jpeg' });
    expect(fake.readStored('uploads', info.key)?.toString()).toBe('abcde');
    expect(info.etag).toBe(fake.listStored('uploads')[0]?.etag);
  });

  it('takes the bucket, key, type and metadata from functions of the request and the file', async () => {
    const engine = bucketStorage(fake, {
      bucket: () => Promise.resolve('uploads'),
      key: (request, file) => `${(request as { user: string }).user}/${file.fieldname}`,
      contentType: () => 'application/x-custom',
      metadata: (_request, file) => ({ name: file.originalname }),
    });
    const info = await new Promise<StoredMulterFile>((resolve, reject) => {
      engine._handleFile({ user: 'u7' }, multerFile(Readable.from([Buffer.from('x')])), (e, i) => {
        if (e || !i) reject(new Error('failed'));
        else resolve(i);
      });
    });
    expect(info.key).toBe('u7/file');
    expect(fake.listStored('uploads')[0]).toMatchObject({
      key: 'u7/file',
      contentType: 'application/x-custom',
      metadata: { name: 'Photo.JPG' },
    });
  });

  it('stores nothing when multer reports the size limit, and fails the file', async () => {
    const engine = bucketStorage(fake, { bucket: 'uploads', key: 'big.bin' });
    const stream = new PassThrough();
    const stored = handle(engine, multerFile(stream));
    stream.write(Buffer.alloc(1024));
    stream.emit('limit');
    stream.end();
    await expect(stored).rejects.toThrow();
    expect(fake.listStored('uploads')).toEqual([]);
  });

  it('removes a stored file when multer asks, and ignores a file that never got a key', async () => {
    const engine = bucketStorage(fake, { bucket: 'uploads', key: 'doomed.bin' });
    const file = multerFile(Readable.from([Buffer.from('x')]));
    await handle(engine, file);
    expect(fake.listStored('uploads')).toHaveLength(1);
    await new Promise<void>((resolve, reject) => {
      engine._removeFile({}, file, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
    expect(fake.listStored('uploads')).toEqual([]);
    await new Promise<void>((resolve, reject) => {
      engine._removeFile({}, multerFile(Readable.from([])), (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  });

  it('passes the storage error on: a missing bucket fails with NoSuchBucket', async () => {
    const engine = bucketStorage(fake, { bucket: 'missing-bucket' });
    await expect(
      handle(engine, multerFile(Readable.from([Buffer.from('x')]))),
    ).rejects.toMatchObject({
      code: 'NoSuchBucket',
    });
  });
});
