import { startCappedProxy, type LinkSettings } from './capped-proxy';

/** What the parent hands the proxy process, as JSON in `BENCH_LINK`. */
export interface ProxyRequest {
  target: { host: string; port: number };
  link: LinkSettings;
}

/**
 * The capped link's own process (so that its work never competes with the bench's event loop):
 * starts the proxy, prints `{ "port": N }`, and exits when its stdin closes, that is when the
 * bench ends or dies.
 */
async function main(): Promise<void> {
  const request = JSON.parse(process.env.BENCH_LINK ?? '{}') as ProxyRequest;
  const { server, port } = await startCappedProxy(request.target, request.link);
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.stdin.resume();
  process.stdin.on('close', () => {
    server.close();
    process.exit(0);
  });
}

main().catch((error: unknown) => {
  console.error('capped link:', error);
  process.exit(1);
});
