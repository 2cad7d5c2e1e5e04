import { Injectable, Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/** One file of the page, ready to send. */
export interface WebAsset {
  readonly body: string;
  readonly contentType: string;
}

/** The page's files, by the name they are served under (`/`, `/web/<name>`). */
export type WebAssetName = 'index.html' | 'styles.css' | 'app.js';

/** Where the page's files live in the repository, from its root. */
const WEB_SOURCE_DIR = join('apps', 'demo', 'src', 'web');

/**
 * The folder that holds `public/` and `client/`: this module's own folder when it runs from the
 * sources (Vitest, ts-node), else, for the built demo (`dist/apps/demo/apps/demo/src/web`, where
 * `nest build` copies no asset), the sources of the checkout it was built in, found by walking up.
 */
export function findWebRoot(start: string = __dirname): string {
  const isRoot = (dir: string) => existsSync(join(dir, 'public', 'index.html'));
  if (isRoot(start)) return start;
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, WEB_SOURCE_DIR);
    if (isRoot(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`The web page's files (${WEB_SOURCE_DIR}/public) were not found from ${start}.`);
}

/**
 * The file-browser page: `public/index.html`, `public/styles.css`, and the browser script
 * `client/app.mts` with what it imports (its other modules, `@uppy/core`, `@uppy/aws-s3`),
 * bundled into one ES module by esbuild (types stripped, no type check: `client/tsconfig.json`
 * does that). Everything is found and read on first use, once, and kept in memory, so that an app
 * that never serves the page (every other test) pays nothing.
 *
 * Bundling at run time keeps the demo free of a build step and of generated files, and works the
 * same under Vitest and in the built demo; it needs the `esbuild` package (a dependency) at run
 * time. Without it only the page fails (500, logged); the API does not depend on it.
 */
@Injectable()
export class WebAssets {
  private readonly logger = new Logger('WebAssets');
  private readonly cache = new Map<WebAssetName, Promise<WebAsset>>();
  private root: string | undefined;

  /** The asset, loaded once; a failed load is retried on the next request. */
  get(name: WebAssetName): Promise<WebAsset> {
    let asset = this.cache.get(name);
    if (!asset) {
      asset = this.load(name);
      this.cache.set(name, asset);
      asset.catch((error: unknown) => {
        this.cache.delete(name);
        this.logger.error(
          `Could not load the page's ${name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    }
    return asset;
  }

  private async load(name: WebAssetName): Promise<WebAsset> {
    this.root ??= findWebRoot();
    switch (name) {
      case 'index.html':
        return {
          body: await readFile(join(this.root, 'public', 'index.html'), 'utf8'),
          contentType: 'text/html; charset=utf-8',
        };
      case 'styles.css':
        return {
          body: await readFile(join(this.root, 'public', 'styles.css'), 'utf8'),
          contentType: 'text/css; charset=utf-8',
        };
      case 'app.js':
        return {
          body: await this.compileClient(join(this.root, 'client', 'app.mts')),
          contentType: 'text/javascript; charset=utf-8',
        };
    }
  }

  /** Bundles the script and the packages it imports (Uppy) with esbuild, for browsers. */
  private async compileClient(path: string): Promise<string> {
    const esbuild = await import('esbuild');
    const started = Date.now();
    const result = await esbuild.build({
      entryPoints: [path],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      write: false,
      legalComments: 'none',
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    this.logger.debug(`Bundled ${path} in ${Date.now() - started} ms`);
    return result.outputFiles.map((file) => file.text).join('');
  }
}
