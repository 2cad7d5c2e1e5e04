import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Test } from '@nestjs/testing';
import { readdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { BucketModule, BucketService, type BucketModuleSyncOptions } from 'nest-bucket';
import { HttpFaultProxy } from './http-fault-proxy';
import { sha256, temporaryFolder } from './files';
import { rawClient, removeBucket, serverOptions, uniqueBucketName } from './s3';

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

/** An object's bytes as the server stores them, read with `client` (past the proxy); null when missing. */
export async function storedBytes(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<Buffer | null> {
  try {
    const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await buffer(output.Body as Readable);
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return null;
    throw error;
  }
}

/** The sha256 of an object as the server stores it (see {@link storedBytes}); null when missing. */
export async function storedSha256(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<string | null> {
  const bytes = await storedBytes(client, bucket, key);
  return bytes === null ? null : sha256(bytes);
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

/** What the HTTP-fault tests of one `describe` share: set up before its tests, removed after. */
export interface FaultRig {
  /** A client straight to the server, past the proxy: what the server really holds. */
  direct: S3Client;
  /** The proxy between the service and the server; its rules are cleared after each test. */
  proxy: HttpFaultProxy;
  /** A bucket of the `describe`'s own, emptied and deleted after its tests. */
  bucket: string;
  /** A temporary folder for source and downloaded files. */
  folder: { path: string; remove: () => Promise<void> };
}

/**
 * Registers, in the current `describe`, the set-up and tear-down of a {@link FaultRig}: the
 * returned object is filled before the `describe`'s own `beforeAll` runs, and torn down after its
 * own `afterAll` (Vitest runs after-hooks in reverse order).
 */
export function useFaultRig(label: string): FaultRig {
  const rig = {} as FaultRig;
  beforeAll(async () => {
    rig.direct = rawClient();
    rig.proxy = await startHttpFaultProxy();
    rig.bucket = uniqueBucketName(label);
    await rig.direct.send(new CreateBucketCommand({ Bucket: rig.bucket }));
    rig.folder = await temporaryFolder();
  });
  afterAll(async () => {
    await removeBucket(rig.direct, rig.bucket);
    rig.direct.destroy();
    await rig.proxy.stop();
    await rig.folder.remove();
  });
  afterEach(() => {
    rig.proxy.reset();
  });
  return rig;
}
