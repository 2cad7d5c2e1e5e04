import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expectText, launchChromium } from './support/browser';
import { sha256, startDemoApp, type DemoApp } from './support/demo-app';
import { sha256File, temporaryFolder, writeRandomFile } from './support/files';
import { rawClient, removeBucket, uniqueBucketName } from './support/s3';

const MiB = 1024 * 1024;

/**
 * The page's direct uploads, in Debian's Chromium: Uppy (`@uppy/core`, `@uppy/aws-s3`) in the
 * page sends the bytes straight to the real local S3 server, through the demo's
 * `BrowserUploadsModule` routes; downloads go through `serveObject`.
 */
describe('web page: direct uploads with Uppy, browser → storage (Chromium, real server)', () => {
  const s3 = rawClient();
  const bucket = uniqueBucketName('uppy');
  const limitedBucket = uniqueBucketName('uppy-limit');
  let tmp: { path: string; remove: () => Promise<void> };
  let demo: DemoApp;
  let limited: DemoApp;
  let browser: Browser;
  let context: BrowserContext;
  /** Page errors and console errors, but the browser's own "Failed to load resource" lines. */
  const pageProblems: string[] = [];

  async function openPage(app: DemoApp, problems?: string[]): Promise<Page> {
    const page = await context.newPage();
    if (problems) {
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
          problems.push(`console: ${message.text()}`);
        }
      });
    }
    await page.goto(app.url);
    await page.getByLabel('API token').fill(app.config.apiToken);
    await expectText(page.locator('#direct-about'), /straight to bucket/);
    return page;
  }

  async function openUploads(name: string): Promise<number> {
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: name }));
    return listed.Uploads?.length ?? 0;
  }

  async function objectCount(name: string): Promise<number> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: name }));
    return listed.KeyCount ?? 0;
  }

  const row = (page: Page, name: string) => page.locator('#direct-uploads li', { hasText: name });

  beforeAll(async () => {
    tmp = await temporaryFolder();
    const [app, small, chromium] = await Promise.allSettled([
      startDemoApp({ DEMO_UPLOADS_BUCKET: bucket }),
      startDemoApp({ DEMO_UPLOADS_BUCKET: limitedBucket, DEMO_MAX_UPLOAD_BYTES: String(6 * MiB) }),
      launchChromium(),
    ]);
    if (app.status === 'fulfilled') demo = app.value;
    if (small.status === 'fulfilled') limited = small.value;
    if (chromium.status === 'fulfilled') browser = chromium.value;
    for (const started of [app, small, chromium]) {
      if (started.status === 'rejected') throw started.reason;
    }
    context = await browser.newContext({ acceptDownloads: true, locale: 'en-US' });
    context.setDefaultTimeout(15_000);
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await demo?.close();
    await limited?.close();
    await removeBucket(s3, bucket);
    await removeBucket(s3, limitedBucket);
    s3.destroy();
    await tmp?.remove();
  });

  it('uploads 64 MiB straight to storage in several parts (multipart), and the download through serveObject has the same sha256', async () => {
    const page = await openPage(demo, pageProblems);
    const path = join(tmp.path, 'big film.bin');
    await writeRandomFile(path, 64 * MiB);
    const expected = await sha256File(path);
    const partPuts = new Set<string>();
    page.on('requestfinished', (request) => {
      const url = new URL(request.url());
      if (request.method() === 'PUT' && url.searchParams.has('partNumber')) {
        partPuts.add(url.searchParams.get('partNumber') ?? '');
      }
    });
    const started = Date.now();
    await page.getByLabel('Upload directly…').setInputFiles(path);
    const upload = row(page, 'big film.bin');
    await expectText(upload.locator('.upload-status'), 'Uploaded', 120_000);
    expect(await upload.getAttribute('data-method')).toBe('multipart');
    expect(partPuts.size).toBe(13); // 5 MiB parts: 12 full ones and the rest
    process.stderr.write(
      `[web-page-uppy] 64 MiB in ${partPuts.size} parts, browser → storage, in ${Date.now() - started} ms\n`,
    );
    const key = (await upload.getAttribute('data-key')) ?? '';
    expect(key).toMatch(/^uploads\/[0-9a-f-]{36}\.bin$/);
    expect(await openUploads(bucket)).toBe(0);

    const link = upload.getByRole('link', { name: 'Download big film.bin' });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const downloaded = await readFile(await download.path());
    expect(downloaded.length).toBe(64 * MiB);
    expect(sha256(downloaded)).toBe(expected);
    await page.close();
  });

  it('uploads a small file with one presigned POST, then serves it', async () => {
    const page = await openPage(demo, pageProblems);
    const data = Buffer.from('a small file, posted straight to storage\n');
    await page.getByLabel('Upload directly…').setInputFiles({
      name: 'note.txt',
      mimeType: 'text/plain',
      buffer: data,
    });
    const upload = row(page, 'note.txt');
    await expectText(upload.locator('.upload-status'), 'Uploaded');
    expect(await upload.getAttribute('data-method')).toBe('post');
    const key = (await upload.getAttribute('data-key')) ?? '';
    expect(key).toMatch(/^uploads\/[0-9a-f-]{36}\.txt$/);
    const served = await demo.http.get(`/direct-uploads/files/${key}`).expect(200);
    expect(served.headers['content-type']).toMatch(/^text\/plain/);
    expect(served.headers['content-disposition']).toMatch(/^attachment/);
    expect(served.text).toBe(data.toString());
    await page.close();
  });

  it('pauses, resumes, then cancels a multipart upload: nothing is left on the server', async () => {
    const page = await openPage(demo, pageProblems);
    const path = join(tmp.path, 'cancelled.bin');
    await writeRandomFile(path, 40 * MiB);
    // Slow the upload down (Chromium's network emulation), so that it is still running when cancelled.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 4 * MiB,
    });
    const firstPart = page.waitForEvent('requestfinished', {
      predicate: (request) => request.method() === 'PUT' && request.url().includes('partNumber='),
      timeout: 30_000,
    });
    await page.getByLabel('Upload directly…').setInputFiles(path);
    const upload = row(page, 'cancelled.bin');
    await firstPart;
    expect(await openUploads(bucket)).toBe(1);

    await upload.getByRole('button', { name: 'Pause upload of cancelled.bin' }).click();
    await expectText(upload.locator('.upload-status'), 'Paused');
    await upload.getByRole('button', { name: 'Resume upload of cancelled.bin' }).click();
    await expectText(upload.locator('.upload-status'), 'Uploading');

    const aborted = page.waitForResponse(
      (response) => response.request().method() === 'DELETE' && response.url().includes('/s3/'),
    );
    await upload.getByRole('button', { name: 'Cancel upload of cancelled.bin' }).click();
    expect((await aborted).status()).toBe(200);
    await expectText(upload.locator('.upload-status'), 'Cancelled');
    expect(await openUploads(bucket)).toBe(0);
    expect(await page.locator('#direct-uploads li[data-state="done"]').count()).toBe(0);
    await cdp.detach();
    await page.close();
  });

  it('the server refuses files over DEMO_MAX_UPLOAD_BYTES (6 MiB): 413 at completion of a multipart upload, the POST policy for a small one; nothing is stored', async () => {
    const page = await openPage(limited);
    const big = join(tmp.path, 'too big.bin');
    await writeRandomFile(big, 12 * MiB);
    const completed = page.waitForResponse((response) => response.url().includes('/complete?'));
    await page.getByLabel('Upload directly…').setInputFiles(big);
    expect((await completed).status()).toBe(413);
    await expectText(row(page, 'too big.bin').locator('.upload-status'), 'Failed', 60_000);
    await expectText(
      page.locator('#alert'),
      `Could not upload “too big.bin” directly: The file has ${12 * MiB} bytes, more than the ${6 * MiB} allowed (DEMO_MAX_UPLOAD_BYTES).`,
    );

    const posted = page.waitForResponse(
      (response) =>
        response.request().method() === 'POST' && response.url().includes(limitedBucket),
    );
    await page.getByLabel('Upload directly…').setInputFiles({
      name: 'seven.bin',
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(7 * MiB, 7),
    });
    const refused = await posted;
    expect(refused.status()).toBe(400);
    expect(await refused.text()).toContain('EntityTooLarge');
    await expectText(row(page, 'seven.bin').locator('.upload-status'), 'Failed');
    await expectText(
      page.locator('#alert'),
      'Could not upload “seven.bin” directly: the storage refused the file (400 EntityTooLarge).',
    );

    expect(await objectCount(limitedBucket)).toBe(0);
    expect(await openUploads(limitedBucket)).toBe(0);
    await page.close();
  });

  it('logged no script error and no CSP violation while uploading', () => {
    expect(pageProblems).toEqual([]);
  });
});
