import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { Test } from '@nestjs/testing';
import { readdir } from 'node:fs/promises';
import { BucketModule, BucketService, type BucketModuleSyncOptions } from 'nest-bucket';
import { HttpFaultProxy } from './http-fault-proxy';
import { serverOptions } from './s3';

/** Starts an HTTP fault proxy in front of the test server. */
export function startHttpFaultProxy(): Promise<HttpFaultProxy> {
  const options = serverOptions();
  return HttpFaultProxy.start(options.host, options.port ?? 80);
}

/** A raw SDK client that goes through the proxy, with the SDK's own retries. */
export function rawClientThrough(proxy: HttpFaultProxy, maxAttempts = 3): S3Client {
  const options = serverOptions();
  return new S3Client({
    endpoint: `http://127.0.0.1:${proxy.port}`,
    region: options.region ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: options.user, secretAccessKey: options.password },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts,
  });
}

/** Boots the module against the proxy and returns the service, and how to close it. */
export async function serviceThrough(
  proxy: HttpFaultProxy,
  extra: Partial<BucketModuleSyncOptions> = {},
): Promise<{ service: BucketService; close: () => Promise<void> }> {
  const module = await Test.createTestingModule({
    imports: [
      BucketModule.forRoot({
        ...serverOptions(),
        host: '127.0.0.1',
        port: proxy.port,
        ...extra,
      }),
    ],
  }).compile();
  await module.init();
  return { service: module.get(BucketService), close: () => module.close() };
}

/** The multipart uploads still open in a bucket, as the server lists them. */
export async function openUploads(client: S3Client, bucket: string): Promise<string[]> {
  const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  return (page.Uploads ?? []).map((upload) => upload.Key ?? '');
}

/** The names of the temporary download files left in a folder. */
export async function leftoverPartFiles(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((name) => name.endsWith('.part'));
}
