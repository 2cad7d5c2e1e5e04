import { GetObjectCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createS3Client, createSigningClient } from './bucket.client';
import { resolveBucketOptions } from './bucket.options';
import { BucketService } from './bucket.service';

const base = {
  host: 'http://minio:9000',
  user: 'AKIATEST',
  password: 's3cr3t-VALUE',
  autoConnect: false,
};

/** A service on resolved options, whose client is never asked to send (signing is local). */
function serviceWith(raw: Record<string, unknown>): BucketService {
  const options = resolveBucketOptions(raw);
  return new BucketService(options, createS3Client(options));
}

describe('createSigningClient', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('signs exactly as the service client of a server at the public address would', async () => {
    vi.useFakeTimers({ now: new Date('2030-01-02T03:04:05Z') });
    const options = resolveBucketOptions({ ...base, publicEndpoint: 'https://files.example.com' });
    const atPublicHost = createS3Client(
      resolveBucketOptions({ ...base, host: 'https://files.example.com' }),
    );
    const command = () => new GetObjectCommand({ Bucket: 'photos', Key: 'k' });
    const signer = createSigningClient(options, 'https://files.example.com');
    const signed = await getSignedUrl(signer, command());
    expect(signed).toBe(await getSignedUrl(atPublicHost, command()));
    expect(new URL(signed).origin).toBe('https://files.example.com');
    atPublicHost.destroy();
  });

  it('refuses to send a request', async () => {
    const options = resolveBucketOptions(base);
    const client = createSigningClient(options, 'http://127.0.0.1:1');
    await expect(client.send(new ListBucketsCommand({}))).rejects.toThrow(
      'the presigning client never sends requests',
    );
  });
});

describe('BucketService with publicEndpoint', () => {
  it('signs GET and PUT URLs and POSTs for the public host', async () => {
    const service = serviceWith({ ...base, publicEndpoint: 'http://localhost:9000' });
    const get = new URL(await service.getPresignedUrl('photos', 'a/k.txt'));
    const put = new URL(
      await service.getPresignedUrl('photos', 'a/k.png', {
        method: 'PUT',
        contentType: 'image/png',
      }),
    );
    const post = await service.createPresignedPost('photos', { key: 'a/k.png' });
    expect(get.origin).toBe('http://localhost:9000');
    expect(get.pathname).toBe('/photos/a/k.txt');
    expect(put.origin).toBe('http://localhost:9000');
    expect(put.searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
    expect(post.url).toBe('http://localhost:9000/photos');
    expect(service.endpoint).toBe('http://minio:9000');
  });

  it('signs for the server itself without publicEndpoint', async () => {
    const service = serviceWith(base);
    expect(new URL(await service.getPresignedUrl('photos', 'k')).origin).toBe('http://minio:9000');
    expect((await service.createPresignedPost('photos', { key: 'k' })).url).toBe(
      'http://minio:9000/photos',
    );
  });

  it('addresses the bucket as a subdomain of the public host without forcePathStyle', async () => {
    const service = serviceWith({
      ...base,
      forcePathStyle: false,
      publicEndpoint: 'https://files.example.com',
    });
    const url = new URL(await service.getPresignedUrl('photos', 'k'));
    expect(url.origin).toBe('https://photos.files.example.com');
    expect(url.pathname).toBe('/k');
  });
});
