import { createServer, type Socket } from 'node:net';

/** A TCP server on loopback that accepts connections, reads what it is sent, and never answers. */
export interface Blackhole {
  /** Its port on 127.0.0.1. */
  port: number;
  /** How many connections it has accepted so far. */
  accepted(): number;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a {@link Blackhole}: the failure that a refused connection does not show, where the
 * client connects at once and then waits for an answer that never comes.
 */
export async function startBlackhole(): Promise<Blackhole> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    accepted: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
