import type { TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { buffer } from 'node:stream/consumers';
import type { BucketService } from 'nest-bucket';
import {
  bootBucketModule,
  rawClient,
  removeBucket,
  serverOptions,
  uniqueBucketName,
} from './support/s3';
import { sha256 } from './support/files';

// `publicEndpoint`: the service talks to the server at its real address, and signs presigned
// URLs and POSTs for another one, the "public host" that browsers use. Here the public host is a
// TCP forwarder on loopback (another address and port, as a port mapping or a TCP load balancer
// would be), which passes the bytes, Host header included, to the server unchanged.

/** A TCP forwarder to `host:port`, on loopback, with the number of connections it accepted. */
interface Forwarder {
  readonly origin: string;
  readonly connections: () => number;
  readonly close: () => Promise<void>;
}

/** Listens on 127.0.0.2 (another host than the server's) or, where it cannot, on 127.0.0.1. */
async function listenOnLoopback(server: Server): Promise<string> {
  for (const address of ['127.0.0.2', '127.0.0.1']) {
    const listening = await new Promise<boolean>((resolve) => {
      const failed = () => {
        resolve(false);
      };
      server.once('error', failed);
      server.listen(0, address, () => {
        server.off('error', failed);
        resolve(true);
      });
    });
    if (listening) return address;
  }
  throw new Error('no loopback address to listen on');
}

/** Starts a forwarder that pipes every connection to `host:port` both ways. */
async function startForwarder(host: string, port: number): Promise<Forwarder> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    accepted += 1;
    const upstream = connect(port, host);
    track(client);
    track(upstream);
    client.pipe(upstream).on('close', () => client.destroy());
    upstream.pipe(client).on('close', () => upstream.destroy());
  });
  const address = await listenOnLoopback(server);
  const { port: listening } = server.address() as { port: number };
  return {
    origin: `http://${address}:${listening}`,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The same URL, sent to another origin (its path, query and signature unchanged). */
function withOrigin(url: string, origin: string): string {
  const moved = new URL(url);
  const target = new URL(origin);
  moved.protocol = target.protocol;
  moved.host = target.host;
  return moved.toString();
}

describe('publicEndpoint: presigned URLs signed for the host browsers use', () => {
  let forwarder: Forwarder;
  let module: TestingModule;
  let service: BucketService;
  const bucket = uniqueBucketName('public');

  beforeAll(async () => {
    const server = serverOptions();
    forwarder = await startForwarder(server.host, server.port ?? 80);
    ({ module, service } = await bootBucketModule(
      serverOptions({ publicEndpoint: forwarder.origin }),
    ));
    await service.createBucket(bucket);
  });

  afterAll(async () => {
    const client = rawClient();
    await removeBucket(client, bucket);
    client.destroy();
    await module.close();
    await forwarder.close();
  });

  it('keeps talking to the server at its own address, not through the public host', async () => {
    const before = forwarder.connections();
    await service.putObject(bucket, 'internal.txt', 'direct');
    expect(await service.fileExists(bucket, 'internal.txt')).toBe(true);
    expect(forwarder.connections()).toBe(before);
    expect(service.endpoint).not.toBe(forwarder.origin);
  });

  it('a presigned GET points at the public host and downloads the object through it', async () => {
    const data = randomBytes(256 * 1024);
    await service.putObject(bucket, 'get/photo é.bin', data);
    const url = await service.getPresignedUrl(bucket, 'get/photo é.bin', { expiresIn: 60 });
    expect(new URL(url).origin).toBe(forwarder.origin);
    const before = forwarder.connections();
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(sha256(new Uint8Array(await response.arrayBuffer()))).toBe(sha256(data));
    expect(forwarder.connections()).toBeGreaterThan(before);
  });

  it('a presigned PUT with contentType points at the public host and uploads through it', async () => {
    const data = randomBytes(100 * 1024);
    const url = await service.getPresignedUrl(bucket, 'put/avatar.png', {
      method: 'PUT',
      contentType: 'image/png',
    });
    expect(new URL(url).origin).toBe(forwarder.origin);
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('content-type;host');
    const response = await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: data,
    });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    const stored = await service.getObject(bucket, 'put/avatar.png');
    expect(stored.contentType).toBe('image/png');
    expect(sha256(await buffer(stored.body))).toBe(sha256(data));
  });

  it('a presigned POST points at the public host and the form upload through it is stored', async () => {
    const data = randomBytes(10 * 1024);
    const post = await service.createPresignedPost(bucket, {
      key: 'post/form.bin',
      contentLengthRange: { max: 20 * 1024 },
      contentType: 'application/octet-stream',
    });
    expect(new URL(post.url).origin).toBe(forwarder.origin);
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob([data]), 'form.bin');
    const response = await fetch(post.url, { method: 'POST', body: form });
    expect([200, 201, 204]).toContain(response.status);
    await response.arrayBuffer();
    const stored = await service.getObject(bucket, 'post/form.bin');
    expect(sha256(await buffer(stored.body))).toBe(sha256(data));
  });

  it('a URL signed for the public host is refused at the internal address: the signature binds the host', async () => {
    await service.putObject(bucket, 'bound/file.txt', 'bound');
    const get = await service.getPresignedUrl(bucket, 'bound/file.txt');
    const put = await service.getPresignedUrl(bucket, 'bound/new.txt', {
      method: 'PUT',
      contentType: 'text/plain',
    });
    const direct = await fetch(withOrigin(get, service.endpoint));
    expect(direct.status).toBe(403);
    expect(await direct.text()).toContain('SignatureDoesNotMatch');
    const upload = await fetch(withOrigin(put, service.endpoint), {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'not stored',
    });
    expect(upload.status).toBe(403);
    await upload.arrayBuffer();
    expect(await service.fileExists(bucket, 'bound/new.txt')).toBe(false);
    // The same URL, at the host it was signed for, is accepted.
    const publicGet = await fetch(get);
    expect([publicGet.status, await publicGet.text()]).toEqual([200, 'bound']);
  });

  it('a POST policy does not bind the host: its url only tells browsers where to send the form', async () => {
    const post = await service.createPresignedPost(bucket, { key: 'post/direct.txt' });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob(['direct']), 'direct.txt');
    const response = await fetch(withOrigin(post.url, service.endpoint), {
      method: 'POST',
      body: form,
    });
    expect([200, 201, 204]).toContain(response.status);
    await response.arrayBuffer();
    expect(await service.fileExists(bucket, 'post/direct.txt')).toBe(true);
  });
});
