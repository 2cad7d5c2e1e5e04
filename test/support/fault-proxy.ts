import { createServer, connect, type Server, type Socket } from 'node:net';

/** What the proxy does with traffic. */
export type ProxyMode = 'pass' | 'refuse' | 'blackhole';

/**
 * A TCP proxy on loopback between a client and a server, for fault injection:
 * - `pass`: forwards bytes both ways;
 * - `refuse`: accepts and resets new connections at once (the client sees ECONNRESET or a
 *   refused connection), so nothing reaches the server;
 * - `blackhole`: accepts and never answers nor forwards;
 * and `cut()` destroys every open connection.
 */
export class FaultProxy {
  private mode: ProxyMode = 'pass';
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private forwarded = 0;
  private cutAfter?: { bytes: number; then: ProxyMode; reached: () => void };
  private refuseBudget = 0;
  /** Connections accepted so far. */
  connections = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts a proxy to `host:port` on a free loopback port. */
  static async start(host: string, port: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(host, port);
    proxy.server = createServer((client) => {
      proxy.accept(client);
    });
    await new Promise<void>((resolve) => proxy.server?.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** Bytes forwarded so far, both ways. */
  get forwardedBytes(): number {
    return this.forwarded;
  }

  /** The proxy's port. */
  get port(): number {
    return (this.server?.address() as { port: number }).port;
  }

  /** Changes what happens to new connections (and, for `blackhole`, to open ones' new bytes). */
  setMode(mode: ProxyMode): void {
    this.mode = mode;
  }

  /** Resets the next `count` new connections, then goes on as before. */
  refuseNext(count: number): void {
    this.refuseBudget = count;
  }

  /** Destroys every open connection. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /**
   * Once `bytes` more bytes have gone through (either way), cuts every connection and switches
   * to `then`. Resolves when that happened.
   */
  cutAfterBytes(bytes: number, then: ProxyMode = 'refuse'): Promise<void> {
    return new Promise((resolve) => {
      this.cutAfter = { bytes: this.forwarded + bytes, then, reached: resolve };
    });
  }

  /** Stops the proxy and every connection. */
  async stop(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private accept(client: Socket): void {
    this.connections += 1;
    client.on('error', () => undefined);
    if (this.refuseBudget > 0 || this.mode === 'refuse') {
      this.refuseBudget = Math.max(0, this.refuseBudget - 1);
      client.resetAndDestroy();
      return;
    }
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    if (this.mode === 'blackhole') {
      client.resume(); // read and drop
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
    const relay = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (this.mode === 'blackhole') return;
        this.forwarded += chunk.length;
        if (!to.write(chunk)) {
          from.pause();
          to.once('drain', () => from.resume());
        }
        this.checkCut();
      });
    };
    relay(client, upstream);
    relay(upstream, client);
  }

  private checkCut(): void {
    if (this.cutAfter && this.forwarded >= this.cutAfter.bytes) {
      const { then, reached } = this.cutAfter;
      this.cutAfter = undefined;
      this.mode = then;
      this.cut();
      reached();
    }
  }
}
