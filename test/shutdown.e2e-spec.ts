import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { Test } from '@nestjs/testing';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BucketModule, BucketService, type BucketModuleSyncOptions } from 'nest-bucket';
import { errorCodeOf } from './support/bucket-errors';
import { rawClient, removeBucket, serverOptions, uniqueBucketName } from './support/s3';

const MIB = 1024 * 1024;

/** A body that yields `chunks` chunks of 1 MiB, one every `everyMs`: a slow uploader. */
function slowBody(chunks: number, everyMs: number): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < chunks; i++) {
        await sleep(everyMs);
        yield Buffer.alloc(MIB, i);
      }
    })(),
  );
}

async function boot(extra: Partial<BucketModuleSyncOptions>) {
  const module = await Test.createTestingModule({
    imports: [BucketModule.forRoot({ ...serverOptions(), partSizeBytes: 5 * MIB, ...extra })],
  }).compile();
  await module.init();
  return { module, service: module.get(BucketService) };
}

describe('graceful shutdown', () => {
  let direct: S3Client;
  let bucket: string;

  beforeAll(async () => {
    direct = rawClient();
    bucket = uniqueBucketName('shutdown');
    const { module, service } = await boot({});
    await service.createBucket(bucket);
    await module.close();
  });

  afterAll(async () => {
    await removeBucket(direct, bucket);
    direct.destroy();
  });

  it('waits for a transfer in flight that ends within the drain time', async () => {
    const { module, service } = await boot({ shutdownDrainMs: 10_000 });
    const upload = service.putObject(bucket, 'drained.bin', slowBody(8, 50));
    await sleep(100);
    await module.close();
    await expect(upload).resolves.toMatchObject({ key: 'drained.bin' });
    const { module: again, service: check } = await boot({});
    expect((await check.getBucketFile(bucket, 'drained.bin')).size).toBe(8 * MIB);
    await again.close();
  });

  it('aborts a transfer that outlasts the drain time, leaving no multipart upload and no object', async () => {
    const { module, service } = await boot({ shutdownDrainMs: 300 });
    const upload = service.putObject(bucket, 'too-slow.bin', slowBody(60, 50)); // about 3 s
    const outcome = errorCodeOf(upload);
    await sleep(700); // past the first 5 MiB part: a multipart upload exists on the server
    const started = Date.now();
    await module.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await outcome).toBe('Aborted');
    const uploads = await direct.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads ?? []).toEqual([]);
    const { module: again, service: check } = await boot({});
    expect(await check.fileExists(bucket, 'too-slow.bin')).toBe(false);
    await again.close();
  });

  it('refuses new transfers once shutdown has begun', async () => {
    const { module, service } = await boot({ shutdownDrainMs: 2000 });
    const slow = service.putObject(bucket, 'slow-again.bin', slowBody(10, 50));
    const closing = module.close();
    await sleep(50); // close() reaches the shutdown hooks after a few ticks
    expect(await errorCodeOf(service.putObject(bucket, 'late.txt', 'late'))).toBe('Aborted');
    await closing;
    await slow;
  });
});

describe('load', () => {
  it('200 concurrent 64 KiB uploads then 200 concurrent downloads all succeed byte for byte, through a pool of 16 sockets', async () => {
    const { module, service } = await boot({ maxSockets: 16 });
    const bucket = uniqueBucketName('load');
    await service.createBucket(bucket);
    const bodies = Array.from({ length: 200 }, (_, i) => Buffer.alloc(64 * 1024, i % 251));
    await Promise.all(bodies.map((body, i) => service.putObject(bucket, `load/${i}`, body)));
    const downloaded = await Promise.all(
      bodies.map(async (_, i) =>
        Buffer.concat(await (await service.getObject(bucket, `load/${i}`)).body.toArray()),
      ),
    );
    downloaded.forEach((data, i) => {
      expect(data.equals(bodies[i])).toBe(true);
    });
    await service.deleteBucket(bucket, { force: true });
    await module.close();
  });
});
