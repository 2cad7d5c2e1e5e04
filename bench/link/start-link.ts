import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { onCleanup } from '../cleanup';
import type { ServerConnection } from '../server';
import type { LinkSettings } from './capped-proxy';
import type { ProxyRequest } from './proxy-child';

/**
 * Starts the capped link to `server` in a process of its own (see `proxy-child.ts`), stopped by
 * the cleanup (and when the bench dies: it exits when its stdin closes).
 *
 * @param server - the S3 server
 * @param link - the cap per connection and direction, and the first-byte delay
 * @returns the server as seen through the link: same credentials, the proxy's address
 */
export async function startCappedLink(
  server: ServerConnection,
  link: LinkSettings,
): Promise<ServerConnection> {
  if (server.useSsl) throw new Error('the capped link needs a plain-HTTP server (BUCKET_USE_SSL)');
  const request: ProxyRequest = { target: { host: server.host, port: server.port }, link };
  const child = spawn(process.execPath, [join(__dirname, 'proxy-child.js')], {
    env: { ...process.env, BENCH_LINK: JSON.stringify(request) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  onCleanup('stop the capped link', () => {
    child.stdin.end();
    child.kill();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      reject(new Error(`the capped link exited with ${code ?? '?'}`));
    });
  });
  return {
    ...server,
    host: '127.0.0.1',
    port,
    endpoint: `http://127.0.0.1:${port}`,
    description: `${server.description}, through a capped link (${link.mibPerSec} MiB/s per connection and direction, ${link.delayMs} ms first-byte delay per request)`,
    startedHere: false,
  };
}
