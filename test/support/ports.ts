import { createServer } from 'node:net';

/**
 * A TCP port on loopback that nothing listens on: connections to it are refused, and a server of
 * the test may take it.
 */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
