import type { S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Agent, request } from 'node:http';
import { smallOpCommands } from './small-ops-commands';
import { SMALL_OPS, type SmallOp } from './small-ops-kinds';

/** Seconds a URL lives: longer than any batch. */
const URL_LIFETIME = 3600;

/** The raw-HTTP small operations: URLs signed before the clock starts, then plain requests. */
export interface RawHttpSmallOps {
  /** Signs the URLs of one batch's keys (untimed). */
  prepare(op: SmallOp, keys: readonly string[]): Promise<void>;
  /** One operation on a prepared key. */
  perform: Record<SmallOp, (key: string) => Promise<unknown>>;
  /** Closes the kept-alive sockets. */
  close(): void;
}

const METHOD: Record<SmallOp, string> = { put: 'PUT', get: 'GET', head: 'HEAD', delete: 'DELETE' };

/**
 * The small operations over Node's `http` with a keep-alive agent and URLs presigned before each
 * batch: no SDK, no signing and no XML in the timed requests. It estimates what the server
 * answers at all, the ceiling of every client on this machine; any client's ratio to boto3 is
 * bounded by this reference's.
 *
 * @param client - signs the URLs (the bench's raw client)
 * @param bucket - an existing bucket
 * @param body - the object every put sends
 */
export function rawHttpSmallOps(client: S3Client, bucket: string, body: Buffer): RawHttpSmallOps {
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  const urls = new Map<string, URL>();
  const command = smallOpCommands(bucket, body);
  const sign = (op: SmallOp, key: string): Promise<string> => {
    const options = { expiresIn: URL_LIFETIME };
    switch (op) {
      case 'put':
        return getSignedUrl(client, command.put(key), options);
      case 'get':
        return getSignedUrl(client, command.get(key), options);
      case 'head':
        return getSignedUrl(client, command.head(key), options);
      case 'delete':
        return getSignedUrl(client, command.delete(key), options);
    }
  };

  const send = (op: SmallOp, key: string) => {
    const url = urls.get(`${op} ${key}`);
    if (!url) throw new Error(`raw HTTP ${op} ${key}: not prepared`);
    urls.delete(`${op} ${key}`);
    return new Promise<number>((resolve, reject) => {
      const headers =
        op === 'put'
          ? { 'content-type': 'application/octet-stream', 'content-length': body.length }
          : undefined;
      const req = request(url, { method: METHOD[op], agent, headers }, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) reject(new Error(`raw HTTP ${op} ${key}: ${status}`));
          else resolve(bytes);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(op === 'put' ? body : undefined);
    });
  };
  return {
    prepare: async (op, keys) => {
      const signed = await Promise.all(keys.map((key) => sign(op, key)));
      keys.forEach((key, i) => urls.set(`${op} ${key}`, new URL(signed[i] ?? '')));
    },
    perform: Object.fromEntries(
      SMALL_OPS.map((op) => [op, (key: string) => send(op, key)]),
    ) as RawHttpSmallOps['perform'],
    close: () => {
      agent.destroy();
    },
  };
}
