/**
 * Two Jest projects:
 * - `unit`: pure logic beside the code (`libs/**\/*.spec.ts`), no server.
 * - `integration`: `test/**\/*.e2e-spec.ts` against a real S3 server. Its global
 *   setup starts the project's local Ceph RGW unless `BUCKET_HOST` is set.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };
// The built package (dist) has the same name as the library's sources: keep it out of the map.
const modulePathIgnorePatterns = ['<rootDir>/dist/'];
const moduleNameMapper = {
  '^nest-bucket$': '<rootDir>/libs/bucket/src',
  '^nest-bucket/(.*)$': '<rootDir>/libs/bucket/src/$1',
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  // Coverage of the library, enforced when `npm test` runs (with --coverage).
  collectCoverageFrom: [
    '<rootDir>/libs/bucket/src/**/*.ts',
    '!<rootDir>/libs/bucket/src/**/*.spec.ts',
  ],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: {
    './libs/bucket/src/': { lines: 90, branches: 85 },
  },
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: [
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/apps/**/*.spec.ts',
        // The contract suite against the in-memory fake needs no server.
        '<rootDir>/test/**/*.fake.spec.ts',
      ],
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      transform,
      moduleNameMapper,
      modulePathIgnorePatterns,
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      testTimeout: 60_000,
    },
  ],
};
