import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  installConsumerApp,
  installedVersion,
  packLibrary,
  runIn,
  startConsumerApp,
  type ConsumerKind,
} from './support/consumer-app';

const KINDS: ConsumerKind[] = [
  { folder: 'nest12-esm', nestMajor: 12, esm: true, hasTest: true },
  { folder: 'nest12-cjs', nestMajor: 12, esm: false, hasTest: false },
  { folder: 'nest11-cjs', nestMajor: 11, esm: false, hasTest: true },
];

/**
 * The compatibility matrix: the packed tarball installed with a plain `npm install` from the
 * registry into users' apps on Nest 11 and 12, CommonJS and ESM (see
 * test/fixtures/consumer-app/README.md), each type-checked against the package's `.d.ts`, tested by
 * its own runner with `nest-bucket/testing`, and booted against the real server. The three
 * installs run at once.
 */
describe('the published package in users’ apps', () => {
  let workdir: string;
  const installs = new Map<string, Promise<string>>();

  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'nest-bucket-compat-'));
    const tarball = await packLibrary(workdir);
    expect(tarball).toMatch(/nest-bucket-\d+\.\d+\.\d+\.tgz$/);
    for (const kind of KINDS) {
      const dir = join(workdir, kind.folder);
      const install = installConsumerApp(kind, dir, tarball).then(() => dir);
      install.catch(() => undefined); // awaited by the kind's own tests
      installs.set(kind.folder, install);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(installs.values());
    await rm(workdir, { recursive: true, force: true });
  });

  describe.each(KINDS)('Nest $nestMajor, $folder', (kind) => {
    let dir: string;
    let built: Promise<string> | undefined;
    const build = () =>
      (built ??= runIn(dir, join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json']));

    beforeAll(async () => {
      dir = await installs.get(kind.folder)!;
    }, 660_000);

    it('installed the major it asks for, with nest-bucket from the tarball', async () => {
      expect((await installedVersion(dir, '@nestjs/core')).split('.')[0]).toBe(
        String(kind.nestMajor),
      );
      expect((await installedVersion(dir, '@nestjs/terminus')).split('.')[0]).toBe(
        String(kind.nestMajor),
      );
      expect(await installedVersion(dir, 'nest-bucket')).toMatch(/^\d+\.\d+\.\d+$/);
    });

    it('type-checks and builds against the package’s .d.ts files', async () => {
      await build();
    }, 120_000);

    if (kind.hasTest) {
      it('passes its own test of nest-bucket/testing', async () => {
        const output = await runIn(dir, 'npm', ['test']);
        expect(output).toMatch(/Tests:?\s+2 passed/);
      }, 120_000);
    }

    it('boots against the real server: /health is up and a file round-trips with an equal sha256', async () => {
      await build();
      const app = await startConsumerApp(dir);
      try {
        const health = await fetch(`${app.base}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({
          status: 'ok',
          info: { storage: { status: 'up' } },
        });
        // Terminus 12's third status where it exists, `up` on Terminus 11.
        const strict = await fetch(`${app.base}/health/strict`);
        expect(strict.status).toBe(200);
        const expected = kind.nestMajor >= 12 ? 'degraded' : 'up';
        expect(await strict.json()).toMatchObject({ info: { storage: { status: expected } } });
        const roundtrip = (await (await fetch(`${app.base}/roundtrip`)).json()) as {
          sent: string;
          received: string;
        };
        expect(roundtrip.sent).toMatch(/^[0-9a-f]{64}$/);
        expect(roundtrip.received).toBe(roundtrip.sent);
      } finally {
        await app.stop();
      }
      if (kind.esm) expect(app.output()).not.toMatch(/ERR_REQUIRE_ESM|ExperimentalWarning/);
    }, 120_000);
  });
});
