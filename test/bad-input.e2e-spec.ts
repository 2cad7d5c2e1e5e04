import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Test, type TestingModule } from '@nestjs/testing';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BucketError,
  BucketModule,
  BucketService,
  type BucketErrorCode,
  type BucketModuleOptions,
} from 'nest-bucket';
import { startDemoApp, type DemoApp } from './support/demo-app';
import { FaultProxy } from './support/fault-proxy';
import { temporaryFolder } from './support/files';
import { rawClient, removeBucket, serverOptions, uniqueBucketName } from './support/s3';

/** One bad input: what to call, the code it must give, and text the message must contain. */
interface BadInput {
  name: string;
  call: (service: BucketService) => Promise<unknown>;
  code: BucketErrorCode;
  mentions: string[];
}

const MIB = 1024 * 1024;
let folder: { path: string; remove: () => Promise<void> };
let bucket: string;
const path = (...parts: string[]) => join(folder.path, ...parts);

const BAD_BUCKET_NAMES: [string, unknown, string][] = [
  ['empty', '', '3 to 63 characters'],
  ['too short', 'ab', '3 to 63 characters'],
  ['too long', 'a'.repeat(64), '3 to 63 characters'],
  ['uppercase', 'MyBucket', 'lowercase letters'],
  ['underscore', 'my_bucket', 'lowercase letters'],
  ['IP-address form', '192.168.10.1', 'IP address'],
  ['leading dash', '-bucket', 'begin and end'],
  ['trailing dash', 'bucket-', 'begin and end'],
  ['xn-- prefix', 'xn--bucket', '"xn--"'],
  ['non-string', 42, 'must be a string'],
  ['adjacent dots', 'a..b', 'two adjacent dots'],
];

const BAD_KEYS: [string, string, string][] = [
  ['empty', '', 'must not be empty'],
  ['over 1,024 UTF-8 bytes', 'ü'.repeat(513), 'at most 1024 bytes'],
  ['a NUL character', 'a\u0000b', 'control characters'],
  ['a newline', 'a\nb', 'control characters'],
  ['a lone surrogate', 'a\ud800', 'lone surrogate'],
];

function cases(): BadInput[] {
  return [
    ...BAD_BUCKET_NAMES.map(([label, name, rule]) => ({
      name: `bucket name: ${label}`,
      call: (s: BucketService) => s.createBucket(name as string),
      code: 'InvalidBucketName' as const,
      mentions: [rule],
    })),
    ...BAD_KEYS.map(([label, key, rule]) => ({
      name: `key: ${label}`,
      call: (s: BucketService) => s.putObject(bucket, key, 'x'),
      code: 'InvalidKey' as const,
      mentions: [rule],
    })),
    {
      name: 'source: missing',
      call: (s) => s.uploadFile(bucket, path('missing.bin'), 'k'),
      code: 'LocalFileError',
      mentions: ['missing.bin', 'does not exist'],
    },
    {
      name: 'source: an empty path',
      call: (s) => s.uploadFile(bucket, '', 'k'),
      code: 'LocalFileError',
      mentions: ['not a file path'],
    },
    {
      name: 'source: a directory',
      call: (s) => s.uploadFile(bucket, path('dir'), 'k'),
      code: 'LocalFileError',
      mentions: ['not a regular file'],
    },
    {
      name: 'source: not a string',
      call: (s) => s.uploadFile(bucket, 7 as unknown as string, 'k'),
      code: 'LocalFileError',
      mentions: ['not a file path'],
    },
    {
      name: 'destination: a directory',
      call: (s) => s.downloadFile(bucket, 'exists.txt', path('dir')),
      code: 'LocalFileError',
      mentions: ['is a directory'],
    },
    {
      name: 'destination: missing parent folder',
      call: (s) => s.downloadFile(bucket, 'exists.txt', path('no', 'such', 'x')),
      code: 'LocalFileError',
      mentions: ['does not exist'],
    },
    {
      name: 'destination: unwritable',
      call: (s) => s.downloadFile(bucket, 'exists.txt', '/proc/nest-bucket.out'),
      code: 'LocalFileError',
      mentions: ['"/proc/nest-bucket.out" cannot be written'],
    },
    {
      name: 'range: end before start',
      call: (s) => s.getObject(bucket, 'exists.txt', { range: 'bytes=9-2' }),
      code: 'InvalidRange',
      mentions: ['bytes=9-2', 'end must not be before'],
    },
    {
      name: 'range: not bytes',
      call: (s) => s.getObject(bucket, 'exists.txt', { range: 'lines=0-1' }),
      code: 'InvalidRange',
      mentions: ['lines=0-1'],
    },
    {
      name: 'range: negative start',
      call: (s) => s.getObject(bucket, 'exists.txt', { range: { start: -1 } }),
      code: 'InvalidRange',
      mentions: ['start must be'],
    },
    {
      name: 'part size: below 5 MiB',
      call: (s) => s.putObject(bucket, 'k', 'x', { partSizeBytes: MIB }),
      code: 'InvalidArgument',
      mentions: ['partSizeBytes = 1048576'],
    },
    {
      name: 'concurrency: zero',
      call: (s) => s.downloadFile(bucket, 'exists.txt', path('c.out'), { concurrency: 0 }),
      code: 'InvalidArgument',
      mentions: ['concurrency = 0'],
    },
    {
      name: 'presigned URL: expiry of 0 s',
      call: (s) => s.getPresignedUrl(bucket, 'k', { expiresIn: 0 }),
      code: 'InvalidArgument',
      mentions: ['expiresIn = 0'],
    },
    {
      name: 'presigned URL: method DELETE',
      call: (s) => s.getPresignedUrl(bucket, 'k', { method: 'DELETE' as 'GET' }),
      code: 'InvalidArgument',
      mentions: ['"DELETE"', 'GET or PUT'],
    },
    {
      name: 'listing: page size 5,000',
      call: async (s) => {
        await s.listFiles(bucket, { pageSize: 5000 }).next();
      },
      code: 'InvalidArgument',
      mentions: ['pageSize = 5000'],
    },
    {
      name: 'batch delete: one bad key among good ones',
      call: (s) => s.deleteFiles(bucket, ['exists.txt', '']),
      code: 'InvalidKey',
      mentions: ['must not be empty'],
    },
    {
      name: 'copy: bad destination bucket',
      call: (s) => s.copyFile(bucket, 'exists.txt', 'Bad_Bucket', 'k'),
      code: 'InvalidBucketName',
      mentions: ['"Bad_Bucket"'],
    },
    {
      name: 'move: bad destination key',
      call: (s) => s.moveFile(bucket, 'exists.txt', bucket, ''),
      code: 'InvalidKey',
      mentions: ['must not be empty'],
    },
    {
      name: 'handle: bad bucket name',
      call: (s) => Promise.resolve().then(() => s.bucket('NOPE')),
      code: 'InvalidBucketName',
      mentions: ['"NOPE"'],
    },
  ];
}

const BAD_CONFIGS: [string, Partial<Record<keyof BucketModuleOptions, unknown>>, string][] = [
  [
    'a bad port',
    { port: 'eighty' },
    'port (BUCKET_PORT) = "eighty": must be an integer from 1 to 65535',
  ],
  ['a missing host', { host: undefined }, 'host (BUCKET_HOST) is missing: is required'],
  [
    'signature s3',
    { signatureVersion: 's3' },
    'signatureVersion (BUCKET_SIGNATURE_VERSION) = "s3": must be s3v4',
  ],
  [
    'a negative timeout',
    { requestTimeoutMs: -1 },
    'requestTimeoutMs (BUCKET_REQUEST_TIMEOUT_MS) = -1',
  ],
  ['a port out of range', { port: 65536 }, 'port (BUCKET_PORT) = 65536'],
];

/** One bad HTTP request to the demo: the status, the code and text the answer must carry. */
interface BadRequest {
  name: string;
  send: (demo: DemoApp) => Promise<{ status: number; body: unknown }>;
  status: number;
  code: string;
  mentions: string[];
}

const UPLOAD_LIMIT = 1024;

function badRequests(): BadRequest[] {
  const object = () => `/buckets/${bucket}/files/exists.txt`;
  return [
    {
      name: 'HTTP: malformed Range',
      send: (d) => d.http.get(object()).set('Range', 'bytes=9-2'),
      status: 416,
      code: 'InvalidRange',
      mentions: ['bytes=9-2'],
    },
    {
      name: 'HTTP: Range not in bytes',
      send: (d) => d.http.get(object()).set('Range', 'lines=0-1'),
      status: 416,
      code: 'InvalidRange',
      mentions: ['lines=0-1'],
    },
    {
      name: 'HTTP: missing token',
      send: (d) => d.http.put(object()).send('overwrite'),
      status: 401,
      code: 'Unauthorized',
      mentions: ['Authorization: Bearer'],
    },
    {
      name: 'HTTP: wrong token',
      send: (d) => d.http.delete(object()).set('Authorization', 'Bearer wrong'),
      status: 401,
      code: 'Unauthorized',
      mentions: ['token'],
    },
    {
      name: 'HTTP: oversized body',
      send: (d) =>
        d.http
          .put(`/buckets/${bucket}/files/big.bin`)
          .set(d.auth)
          .send(Buffer.alloc(UPLOAD_LIMIT + 1)),
      status: 413,
      code: 'PayloadTooLarge',
      mentions: [String(UPLOAD_LIMIT)],
    },
    {
      name: 'HTTP: invalid bucket name',
      send: (d) => d.http.post('/buckets/Bad_Bucket').set(d.auth),
      status: 400,
      code: 'InvalidBucketName',
      mentions: ['"Bad_Bucket"'],
    },
  ];
}

/** Everything in the test bucket and the temporary folder: must not change on bad input. */
async function snapshot(direct: S3Client): Promise<string> {
  const listing = await direct.send(new ListObjectsV2Command({ Bucket: bucket }));
  const objects = (listing.Contents ?? []).map((o) => `${o.Key ?? ''}:${o.ETag ?? ''}`);
  return JSON.stringify({
    objects,
    files: (await readdir(folder.path, { recursive: true })).sort(),
  });
}

describe('bad input: a clear error naming the value and the rule, no request, nothing written or deleted', () => {
  let direct: S3Client;
  let proxy: FaultProxy;
  let module: TestingModule;
  let service: BucketService;

  beforeAll(async () => {
    direct = rawClient();
    const options = serverOptions();
    proxy = await FaultProxy.start(options.host, options.port ?? 80);
    module = await Test.createTestingModule({
      imports: [BucketModule.forRoot({ ...options, host: '127.0.0.1', port: proxy.port })],
    }).compile();
    await module.init();
    service = module.get(BucketService);
    bucket = uniqueBucketName('badinput');
    await service.createBucket(bucket);
    await service.putObject(bucket, 'exists.txt', 'this object must survive');
    folder = await temporaryFolder();
    await mkdir(path('dir'));
    await writeFile(path('keep.txt'), 'this file must survive');
  });

  afterAll(async () => {
    await module.close();
    await proxy.stop();
    await removeBucket(direct, bucket);
    direct.destroy();
    await folder.remove();
  });

  it('has at least 40 cases across the API and the configuration', () => {
    expect(cases().length + BAD_CONFIGS.length + badRequests().length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases().map((c) => [c.name, c] as const))('%s', async (_name, badInput) => {
    const before = await snapshot(direct);
    const bytesBefore = proxy.forwardedBytes;
    const error = await badInput.call(service).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(proxy.forwardedBytes).toBe(bytesBefore); // not one byte sent to the server
    expect(error).toBeInstanceOf(BucketError);
    expect((error as BucketError).code).toBe(badInput.code);
    for (const text of badInput.mentions) expect((error as BucketError).message).toContain(text);
    expect(await snapshot(direct)).toBe(before);
  });

  describe('through the demo HTTP API', () => {
    let demo: DemoApp;
    beforeAll(async () => {
      demo = await startDemoApp({ DEMO_MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT) });
    });
    afterAll(async () => {
      await demo.close();
    });

    it.each(badRequests().map((c) => [c.name, c] as const))('%s', async (_name, bad) => {
      const before = await snapshot(direct);
      const response = await bad.send(demo);
      expect(response.status).toBe(bad.status);
      const body = response.body as { statusCode: number; code: string; message: string };
      expect(body).toMatchObject({ statusCode: bad.status, code: bad.code });
      for (const text of bad.mentions) expect(body.message).toContain(text);
      expect(await snapshot(direct)).toBe(before);
    });
  });

  it.each(BAD_CONFIGS)(
    'configuration: %s fails the boot with InvalidConfig',
    async (_label, override, text) => {
      const compiling = Test.createTestingModule({
        imports: [BucketModule.forRoot({ ...serverOptions(), ...override } as BucketModuleOptions)],
      }).compile();
      const error = (await compiling.catch((e: unknown) => e)) as BucketError;
      expect(error).toBeInstanceOf(BucketError);
      expect(error.code).toBe('InvalidConfig');
      expect(error.message).toContain(text);
    },
  );
});
