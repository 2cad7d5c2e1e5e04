import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { DEMO_APP_OPTIONS, configureDemoApp } from './app.setup';
import { DEMO_CONFIG, type DemoConfig } from './demo.config';

/** Starts the demo on `HOST:PORT` and stops it cleanly on SIGINT or SIGTERM. */
async function bootstrap(): Promise<void> {
  const app = configureDemoApp(await NestFactory.create(AppModule, DEMO_APP_OPTIONS));
  app.enableShutdownHooks(['SIGINT', 'SIGTERM']);
  const { host, port } = app.get<DemoConfig>(DEMO_CONFIG);
  await app.listen(port, host);
  const { port: actualPort } = (app.getHttpServer() as Server).address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
  new Logger('Demo').log(`Listening on ${url} (health: ${url}/health, buckets: ${url}/buckets)`);
}

void bootstrap().catch((error: unknown) => {
  new Logger('Demo').error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
