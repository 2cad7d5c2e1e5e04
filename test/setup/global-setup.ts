import { localS3, parseExports } from './local-s3';

/**
 * Starts the project's local S3 server (Ceph RGW on loopback) for the integration tests,
 * unless `BUCKET_HOST` is set, in which case the tests use that server. The settings reach the
 * test workers through `process.env`, which they inherit.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.BUCKET_HOST) {
    process.stderr.write(`\n[integration] using the S3 server at ${process.env.BUCKET_HOST}\n`);
    return;
  }
  const started = Date.now();
  const settings = parseExports(await localS3('start'));
  Object.assign(process.env, settings, { NEST_BUCKET_TEST_MANAGED_S3: '1' });
  process.stderr.write(
    `\n[integration] local S3 server on port ${settings.BUCKET_PORT} ready in ${Date.now() - started} ms\n`,
  );
}
