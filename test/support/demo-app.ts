import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { AppModule } from '../../apps/demo/src/app.module';
import { DEMO_APP_OPTIONS, configureDemoApp } from '../../apps/demo/src/app.setup';
import { DEMO_CONFIG, type DemoConfig } from '../../apps/demo/src/demo.config';
import { sha256 } from './files';

/** A running demo app, listening on an ephemeral loopback port. */
export interface DemoApp {
  app: INestApplication;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** A supertest agent on the app. */
  http: ReturnType<typeof supertest>;
  /** The app's resolved settings, including its token. */
  config: DemoConfig;
  /** `{ Authorization: 'Bearer <token>' }`. */
  auth: { Authorization: string };
  close(): Promise<void>;
}

/**
 * Boots the demo's real `AppModule`, configured like `main.ts` does, on an ephemeral port. Its
 * settings are the process environment (the test server's `BUCKET_*`, set by the global setup)
 * overridden by `env`, through a `ConfigService` of the test's own. Boot logs are silenced.
 */
export async function startDemoApp(env: Record<string, string> = {}): Promise<DemoApp> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(ConfigService)
    .useValue(new ConfigService({ DEMO_API_TOKEN: randomBytes(16).toString('hex'), ...env }))
    .compile();
  const app = configureDemoApp(moduleRef.createNestApplication(DEMO_APP_OPTIONS));
  app.useLogger(['fatal']);
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const config = app.get<DemoConfig>(DEMO_CONFIG);
  return {
    app,
    url,
    http: supertest(url),
    config,
    auth: { Authorization: `Bearer ${config.apiToken}` },
    close: () => app.close(),
  };
}

/** `/buckets/b/files/a%20b/%C3%A9.txt`: an object's path, each key segment percent-encoded. */
export function filePath(bucket: string, key: string, route = 'files'): string {
  return `/buckets/${bucket}/${route}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export { sha256 };

/** The answer of {@link sendStreamed}. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Sends a request whose body is streamed from `chunks`: chunked (`Transfer-Encoding: chunked`,
 * no declared length, as a client streaming from a pipe) unless `headers` declare a
 * Content-Length. Stops writing once the server has answered, and tolerates the connection being
 * closed under it (what a 413 before the end of the body does). With `abortAfterBytes`, the
 * client goes away once it has written that much, and the promise resolves with status 0.
 */
export function sendStreamed(
  url: string,
  options: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    abortAfterBytes?: number;
  },
  chunks: Iterable<Buffer>,
): Promise<RawResponse> {
  const headers = { ...options.headers };
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) {
    headers['Transfer-Encoding'] = 'chunked';
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    let written = 0;
    const request = httpRequest(
      `${url}${options.path}`,
      { method: options.method, headers },
      (response) => {
        answered = true;
        const body: Buffer[] = [];
        response.on('data', (chunk: Buffer) => body.push(chunk));
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(body),
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', (error) => {
      if (request.destroyed && options.abortAfterBytes !== undefined) {
        resolve({ status: 0, headers: {}, body: Buffer.alloc(0) });
      } else if (!answered) reject(error);
    });
    const iterator = chunks[Symbol.iterator]();
    const writeNext = (): void => {
      while (!answered && !request.destroyed) {
        if (options.abortAfterBytes !== undefined && written >= options.abortAfterBytes) {
          request.destroy();
          resolve({ status: 0, headers: {}, body: Buffer.alloc(0) });
          return;
        }
        const next = iterator.next();
        if (next.done === true) {
          request.end();
          return;
        }
        written += next.value.length;
        if (!request.write(next.value)) {
          request.once('drain', writeNext);
          return;
        }
      }
    };
    writeNext();
  });
}

/** `count` chunks of `size` random bytes, and their concatenation's sha256 once iterated. */
export function randomChunks(count: number, size: number): { chunks: Buffer[]; sha256: string } {
  const chunks = Array.from({ length: count }, () => randomBytes(size));
  return { chunks, sha256: sha256(Buffer.concat(chunks)) };
}
