import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const librarySources = fileURLToPath(new URL('./libs/bucket/src', import.meta.url));

/**
 * Two projects, run together by `npm test`:
 * - `unit`: pure logic beside the code (`libs/**\/*.spec.ts`, `apps/**\/*.spec.ts`) and the contract
 *   suite against the in-memory fake; no server.
 * - `integration`: `test/**\/*.e2e-spec.ts` against a real S3 server. Its global setup starts the
 *   project's local Ceph RGW unless `BUCKET_HOST` is set, and makes sure Chromium is installed for
 *   the browser test.
 */
export default defineConfig({
  resolve: {
    // The library is imported by its package name, as users do, from its sources.
    alias: [
      { find: /^nest-bucket$/, replacement: librarySources },
      { find: /^nest-bucket\/(.*)$/, replacement: `${librarySources}/$1` },
    ],
  },
  test: {
    globals: true,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Every file in its own process, as the library's sockets, timers and loggers are per process.
    pool: 'forks',
    reporters: ['default', './test/setup/skipped-tests-reporter.ts'],
    // The SDK warns once per process that its 2027 releases need Node 22; the lock file pins
    // releases that run on Node 20, so the warning only buries the test output here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    coverage: {
      provider: 'v8',
      include: ['libs/bucket/src/**/*.ts'],
      exclude: ['**/*.spec.ts'],
      reporter: ['text-summary', 'lcov'],
      // Enforced when `npm test` runs (with --coverage).
      thresholds: { lines: 90, branches: 85 },
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/**/*.fake.spec.ts'],
          // No server: the integration setup's BUCKET_HOST must not turn the docs' example
          // (avatars.example.spec.ts) onto the real server.
          env: { BUCKET_HOST: '' },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.e2e-spec.ts'],
          globalSetup: ['test/setup/global-setup.ts'],
        },
      },
    ],
  },
});
