import { ensureChromium } from './chromium';
import { localS3, parseExports } from './local-s3';

/**
 * Prepares the integration tests' machine, then gives Vitest the teardown:
 * - starts the project's local S3 server (Ceph RGW on loopback), unless `BUCKET_HOST` is set, in
 *   which case the tests use that server; the settings reach the test workers through
 *   `process.env`, which they inherit;
 * - makes sure Chromium is there for the browser test (installs it when it can, else fails).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  await ensureChromium();
  if (process.env.BUCKET_HOST) {
    process.stderr.write(`\n[integration] using the S3 server at ${process.env.BUCKET_HOST}\n`);
    return () => Promise.resolve();
  }
  const started = Date.now();
  const settings = parseExports(await localS3('start'));
  Object.assign(process.env, settings, { NEST_BUCKET_TEST_MANAGED_S3: '1' });
  process.stderr.write(
    `\n[integration] local S3 server on port ${settings.BUCKET_PORT} ready in ${Date.now() - started} ms\n`,
  );
  const dir = settings.LOCAL_S3_DIR;
  return async () => {
    if (dir) await localS3('stop', dir);
  };
}
