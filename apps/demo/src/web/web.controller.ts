import { Controller, Get, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';
import { UploadsBucket } from '../direct-uploads/uploads-bucket';
import { WebAssets, type WebAssetName } from './web-assets';

/**
 * The page's Content-Security-Policy: its own script and style only (no inline code, no `eval`),
 * requests to its own origin and to the storage (`storageOrigin`, where direct uploads send
 * their bytes) only, no framing, no plugins, no form posts.
 */
export function webPageCsp(storageOrigin?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    storageOrigin === undefined ? "connect-src 'self'" : `connect-src 'self' ${storageOrigin}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The file-browser page: `GET /` (the HTML), `GET /web/app.js` and `GET /web/styles.css`. The page
 * uses the demo's own HTTP API from the browser; see `docs/web.md`.
 */
@Controller()
export class WebController {
  private readonly logger = new Logger('WebController');

  constructor(
    private readonly assets: WebAssets,
    private readonly uploadsBucket: UploadsBucket,
  ) {}

  @Get()
  page(@Res() response: Response): Promise<void> {
    return this.send(response, 'index.html');
  }

  @Get('web/app.js')
  script(@Res() response: Response): Promise<void> {
    return this.send(response, 'app.js');
  }

  @Get('web/styles.css')
  styles(@Res() response: Response): Promise<void> {
    return this.send(response, 'styles.css');
  }

  /** The storage's origin, or none (the page then works without direct uploads). */
  private async storageOrigin(): Promise<string | undefined> {
    try {
      return await this.uploadsBucket.storageOrigin();
    } catch (error) {
      this.logger.warn(`No storage origin for the CSP: ${String(error)}`);
      return undefined;
    }
  }

  /** Sends an asset; Express adds an ETag and answers 304 to a matching If-None-Match. */
  private async send(response: Response, name: WebAssetName): Promise<void> {
    const asset = await this.assets.get(name);
    response.setHeader('Content-Type', asset.contentType);
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Content-Security-Policy', webPageCsp(await this.storageOrigin()));
    response.send(asset.body);
  }
}
