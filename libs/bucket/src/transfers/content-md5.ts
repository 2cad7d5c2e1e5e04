import { createHash } from 'node:crypto';

/** The `Content-MD5` of a body in memory: its MD5, base64. @internal */
export function contentMd5Of(data: string | Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}
