import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import type { Express } from 'express';

/**
 * How the demo's application is created, in `main.ts` and in the end-to-end tests alike.
 *
 * - `bodyParser: false`: no route reads JSON or forms, and an upload's body must reach its
 *   handler as an unread stream, whatever its Content-Type.
 * - `forceCloseConnections: true`: shutting down does not wait for idle keep-alive sockets.
 * - `abortOnError: false`: a boot failure (a bad setting) rejects `NestFactory.create` with its
 *   message, instead of aborting the process.
 */
// Nest declares its options as a class, yet takes (and documents) plain objects.
// eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
export const DEMO_APP_OPTIONS: NestApplicationOptions = {
  bodyParser: false,
  forceCloseConnections: true,
  abortOnError: false,
};

/** Express settings of the demo: no `X-Powered-By` header. */
export function configureDemoApp(app: INestApplication): INestApplication {
  const express = app.getHttpAdapter().getInstance() as Express;
  express.disable('x-powered-by');
  return app;
}
