// The example of docs/testing.md ("Testing your app"), kept here so that it compiles and passes.
// It runs against the in-memory fake, or against a real server when BUCKET_HOST is set.
import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { BucketConnectionError, BucketService } from 'nest-bucket';
import { BucketTestingModule, InMemoryBucketService } from 'nest-bucket/testing';

/** The application's code: stores users' avatars. */
@Injectable()
export class AvatarsService {
  constructor(private readonly bucket: BucketService) {}

  async save(userId: string, png: Buffer): Promise<string> {
    const key = `${userId}.png`;
    try {
      await this.bucket.putObject('avatars', key, png, {
        contentType: 'image/png',
        metadata: { userId },
      });
    } catch (error) {
      if (error instanceof BucketConnectionError)
        throw new ServiceUnavailableException('storage unavailable');
      throw error;
    }
    return key;
  }

  async url(userId: string): Promise<string | undefined> {
    const key = `${userId}.png`;
    if (!(await this.bucket.fileExists('avatars', key))) return undefined;
    return this.bucket.getPresignedUrl('avatars', key, { expiresIn: 3600 });
  }

  async remove(userId: string): Promise<void> {
    await this.bucket.deleteFile('avatars', `${userId}.png`);
  }
}

/** Its test. */
describe('AvatarsService', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let moduleRef: TestingModule;
  let avatars: AvatarsService;
  let bucket: BucketService;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        // The one line that picks the fake, or a real server when BUCKET_HOST is set.
        BucketTestingModule.forRoot({ buckets: ['avatars'], real: !!process.env.BUCKET_HOST }),
      ],
      providers: [AvatarsService],
    }).compile();
    await moduleRef.init();
    avatars = moduleRef.get(AvatarsService);
    bucket = moduleRef.get(BucketService);
  });

  afterEach(async () => {
    await bucket.deleteFiles('avatars', await bucket.getBucketFiles('avatars'));
    await moduleRef.close();
  });

  it('stores the avatar as a PNG, with its owner', async () => {
    const key = await avatars.save('u1', png);
    expect(await bucket.getBucketFile('avatars', key)).toMatchObject({
      size: png.length,
      contentType: 'image/png',
      metadata: { userid: 'u1' }, // S3 lowercases metadata names
    });
  });

  it('gives a URL only for a user who has an avatar, and none once it is removed', async () => {
    expect(await avatars.url('u2')).toBeUndefined();
    await avatars.save('u2', png);
    expect(await avatars.url('u2')).toContain('X-Amz-Expires=3600');
    await avatars.remove('u2');
    expect(await avatars.url('u2')).toBeUndefined();
  });

  // Fault injection exists only on the fake.
  it.skipIf(!!process.env.BUCKET_HOST)(
    'answers 503 when the storage is unreachable (on the fake only: skipped when BUCKET_HOST is set)',
    async () => {
      const fake = moduleRef.get(InMemoryBucketService);
      fake.failNext('ConnectionFailed', { operation: 'putObject' });
      await expect(avatars.save('u3', png)).rejects.toThrow(ServiceUnavailableException);
      expect(fake.listStored('avatars')).toEqual([]);
    },
  );
});
