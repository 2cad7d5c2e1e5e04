import { Client } from 'minio';
import { readFileSync } from 'node:fs';
import type { ServerConnection } from '../server';

/**
 * The `minio` npm client with its defaults (64 MiB parts, one at a time; Node's global agent),
 * path-style, for the server's endpoint: the peer that Node users pick instead of the SDK.
 *
 * @param server - where to connect
 */
export function createMinioClient(server: ServerConnection): Client {
  return new Client({
    endPoint: server.host,
    port: server.port,
    useSSL: server.useSsl,
    accessKey: server.user,
    secretKey: server.password,
    region: server.region,
    pathStyle: true,
  });
}

/**
 * `fPutObject`: the minio client's file upload.
 *
 * @param client - the minio client
 * @param bucket - the bucket
 * @param key - the object's key
 * @param path - the local file
 */
export async function minioUpload(
  client: Client,
  bucket: string,
  key: string,
  path: string,
): Promise<void> {
  await client.fPutObject(bucket, key, path);
}

/**
 * `fGetObject`: the minio client's file download (a HeadObject, one GET streamed into
 * `<path>.<etag>.part.minio`, renamed to `path`).
 *
 * @param client - the minio client
 * @param bucket - the bucket
 * @param key - the object's key
 * @param path - the file to write
 */
export async function minioDownload(
  client: Client,
  bucket: string,
  key: string,
  path: string,
): Promise<void> {
  await client.fGetObject(bucket, key, path);
}

/** The installed `minio` package's version, for the report. */
export function minioVersion(): string {
  const manifest = JSON.parse(readFileSync(require.resolve('minio/package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
