import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  AbortMultipartUploadCommand,
  S3Client,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { BucketModule, BucketService, type BucketModuleSyncOptions } from 'nest-bucket';

/** The options of the S3 server the integration tests run against, from the environment. */
export function serverOptions(
  overrides: Partial<BucketModuleSyncOptions> = {},
): BucketModuleSyncOptions {
  const { BUCKET_HOST, BUCKET_PORT, BUCKET_USER, BUCKET_PASSWORD, BUCKET_REGION, BUCKET_USE_SSL } =
    process.env;
  if (!BUCKET_HOST || !BUCKET_USER || !BUCKET_PASSWORD) {
    throw new Error(
      'BUCKET_HOST, BUCKET_USER and BUCKET_PASSWORD must be set (the global setup sets them)',
    );
  }
  return {
    host: BUCKET_HOST,
    ...(BUCKET_PORT ? { port: Number(BUCKET_PORT) } : {}),
    user: BUCKET_USER,
    password: BUCKET_PASSWORD,
    ...(BUCKET_REGION ? { region: BUCKET_REGION } : {}),
    ...(BUCKET_USE_SSL ? { useSsl: BUCKET_USE_SSL === 'true' } : {}),
    ...overrides,
  };
}

/** A bucket name that no other test or run uses. */
export function uniqueBucketName(label: string): string {
  return `nbt-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`.slice(0, 63);
}

/** A raw SDK client on the test server, for set-up, clean-up and checks that bypass the library. */
export function rawClient(): S3Client {
  const options = serverOptions();
  return new S3Client({
    endpoint: `${options.useSsl ? 'https' : 'http'}://${options.host}:${options.port ?? 80}`,
    region: options.region ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: options.user, secretAccessKey: options.password },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Deletes a bucket with everything in it, including unfinished multipart uploads. Ignores a missing bucket. */
export async function removeBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket })) {
      const objects = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
      if (objects.length > 0)
        await client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects } }),
        );
    }
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    for (const upload of uploads.Uploads ?? []) {
      await client.send(
        new AbortMultipartUploadCommand({
          Bucket: bucket,
          Key: upload.Key,
          UploadId: upload.UploadId,
        }),
      );
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if ((error as { name?: string }).name !== 'NoSuchBucket') throw error;
  }
}

/** Boots a testing module with `BucketModule.forRoot(options)` and returns it initialised. */
export async function bootBucketModule(
  options: BucketModuleSyncOptions = serverOptions(),
): Promise<{ module: TestingModule; service: BucketService }> {
  const module = await Test.createTestingModule({
    imports: [BucketModule.forRoot(options)],
  }).compile();
  await module.init();
  return { module, service: module.get(BucketService) };
}
