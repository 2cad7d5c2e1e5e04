import { startBlackhole, type Blackhole } from './support/blackhole';
import { startDemoApp } from './support/demo-app';
import { closedPort } from './support/ports';
import {
  canStartPrivateServers,
  startPrivateServer,
  type PrivateServer,
} from './support/private-server';

/** The health check's time limit in these tests: the default. */
const TIMEOUT_MS = 1000;
/** How much later than the limit `/health` may answer. */
const MARGIN_MS = 500;

interface StorageReport {
  status: 'up' | 'down';
  endpoint: string;
  latencyMs: number;
  code?: string;
  message?: string;
}

/** GET /health, timed; returns the status, the storage indicator's report and the time taken. */
async function checkHealth(http: Awaited<ReturnType<typeof startDemoApp>>['http']) {
  const started = performance.now();
  const response = await http.get('/health');
  const elapsedMs = performance.now() - started;
  const body = response.body as {
    status: string;
    details: { storage: StorageReport };
  };
  return { status: response.status, body, storage: body.details.storage, elapsedMs };
}

describe('demo app: GET /health', () => {
  it('is up (200) with the endpoint and the latency, and never the credentials', async () => {
    const demo = await startDemoApp();
    try {
      const { status, body, storage, elapsedMs } = await checkHealth(demo.http);
      expect(status).toBe(200);
      expect(body.status).toBe('ok');
      expect(storage).toEqual({
        status: 'up',
        endpoint: `http://${process.env.BUCKET_HOST}:${process.env.BUCKET_PORT}`,
        latencyMs: expect.any(Number) as number,
      });
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS);
      const text = JSON.stringify(body);
      expect(text).not.toContain(process.env.BUCKET_PASSWORD);
      expect(text).not.toContain(process.env.BUCKET_USER);
    } finally {
      await demo.close();
    }
  });

  it('is down (503, ConnectionFailed) at once when nothing listens on the port', async () => {
    const port = await closedPort();
    const demo = await startDemoApp({ BUCKET_HOST: '127.0.0.1', BUCKET_PORT: String(port) });
    try {
      const { status, body, storage, elapsedMs } = await checkHealth(demo.http);
      expect(status).toBe(503);
      expect(body.status).toBe('error');
      expect(storage).toMatchObject({ status: 'down', code: 'ConnectionFailed' });
      expect(elapsedMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    } finally {
      await demo.close();
    }
  });

  describe('against a TCP server that accepts connections and never answers', () => {
    let blackhole: Blackhole;
    beforeAll(async () => {
      blackhole = await startBlackhole();
    });
    afterAll(async () => {
      await blackhole.close();
    });

    it.each([
      ['the default 1000 ms', TIMEOUT_MS, {}],
      ['a configured 300 ms', 300, { BUCKET_HEALTH_TIMEOUT_MS: '300' }],
    ])(
      'is down (503, Timeout) within %s plus the margin',
      async (_label, timeoutMs, env: Record<string, string>) => {
        const demo = await startDemoApp({
          BUCKET_HOST: '127.0.0.1',
          BUCKET_PORT: String(blackhole.port),
          // Connecting at boot would wait for the blackhole too (BUCKET_CONNECT_TIMEOUT_MS).
          BUCKET_AUTO_CONNECT: 'false',
          ...env,
        });
        try {
          const acceptedBefore = blackhole.accepted();
          const { status, storage, elapsedMs } = await checkHealth(demo.http);
          process.stderr.write(
            `[health] blackhole, limit ${timeoutMs} ms: 503 after ${elapsedMs.toFixed(0)} ms\n`,
          );
          expect(status).toBe(503);
          expect(storage).toMatchObject({ status: 'down', code: 'Timeout' });
          expect(storage.latencyMs).toBeGreaterThanOrEqual(timeoutMs - 50);
          expect(elapsedMs).toBeLessThan(timeoutMs + MARGIN_MS);
          // It really connected and waited, rather than being refused.
          expect(blackhole.accepted()).toBeGreaterThan(acceptedBefore);
        } finally {
          await demo.close();
        }
      },
    );
  });

  describe.skipIf(!canStartPrivateServers())(
    'with the storage gateway stopped, on a private server (skipped when BUCKET_HOST points at an outside server, which the tests may not stop)',
    () => {
      let server: PrivateServer;
      beforeAll(async () => {
        server = await startPrivateServer();
      });
      afterAll(async () => {
        await server.stop();
      });

      it('is down (503, ConnectionFailed) within the timeout, then up again once it is back', async () => {
        const { options } = server;
        const demo = await startDemoApp({
          BUCKET_HOST: options.host,
          BUCKET_PORT: String(options.port),
          BUCKET_USER: options.user,
          BUCKET_PASSWORD: options.password,
        });
        try {
          expect((await checkHealth(demo.http)).status).toBe(200);
          await server.stopGateway();
          try {
            const down = await checkHealth(demo.http);
            process.stderr.write(
              `[health] gateway stopped: ${down.status} after ${down.elapsedMs.toFixed(0)} ms\n`,
            );
            expect(down.status).toBe(503);
            expect(down.storage).toMatchObject({ status: 'down', code: 'ConnectionFailed' });
            expect(down.elapsedMs).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
          } finally {
            await server.startGateway();
          }
          const up = await checkHealth(demo.http);
          expect(up.status).toBe(200);
          expect(up.storage.status).toBe('up');
        } finally {
          await demo.close();
        }
      });
    },
  );
});
