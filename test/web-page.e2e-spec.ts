import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  expectAttribute,
  expectHidden,
  expectText,
  expectVisible,
  launchChromium,
} from './support/browser';
import { filePath, sha256, startDemoApp, type DemoApp } from './support/demo-app';
import { temporaryFolder } from './support/files';
import { rawClient, removeBucket, uniqueBucketName } from './support/s3';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'web-page.png');

/**
 * The file-browser page at `/`, driven in Debian's Chromium through playwright-core, against the
 * real demo app and the real local S3 server. The steps run in order and share one page.
 */
describe('web page: file browser in a real browser (Chromium, real server)', () => {
  const s3 = rawClient();
  const bucket = uniqueBucketName('web-page');
  const folder = 'photos/été 2024/';
  const fileName = 'random 5MiB #1.bin';
  const key = folder + fileName;
  const data = randomBytes(5 * 1024 * 1024);
  let tmp: { path: string; remove: () => Promise<void> };
  let localFile: string;

  let demo: DemoApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Page errors and console errors, but the browser's own "Failed to load resource" lines. */
  const pageProblems: string[] = [];

  const alert = () => page.locator('#alert');
  const notice = () => page.locator('#notice');
  const fileRow = (name: string) => page.locator('#file-rows tr', { hasText: name });
  const bucketItem = (name: string) => page.locator('#bucket-list li', { hasText: name });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    tmp = await temporaryFolder();
    localFile = join(tmp.path, fileName);
    await writeFile(localFile, data);
    // Both at once; whichever started is closed in afterAll even if the other failed.
    const [app, chromium] = await Promise.allSettled([startDemoApp(), launchChromium()]);
    if (app.status === 'fulfilled') demo = app.value;
    if (chromium.status === 'fulfilled') browser = chromium.value;
    if (app.status === 'rejected') throw app.reason;
    if (chromium.status === 'rejected') throw chromium.reason;
    context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 860 },
      locale: 'en-US',
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('pageerror', (error) => pageProblems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageProblems.push(`console: ${message.text()}`);
      }
    });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await demo?.close();
    await removeBucket(s3, bucket);
    s3.destroy();
    await tmp?.remove();
  });

  it('serves the page at / with a strict CSP and its script and style from the same origin', async () => {
    const response = await page.goto(demo.url);
    expect(response?.status()).toBe(200);
    const headers = response?.headers() ?? {};
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(headers['x-content-type-options']).toBe('nosniff');
    await expectVisible(page.getByRole('heading', { name: 'Buckets' }));
    await expectVisible(page.getByText('Select or create a bucket.'));
    expect(await page.getByLabel('Filter by prefix').isVisible()).toBe(false); // no bucket yet
    const script = await demo.http.get('/web/app.js').expect(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.text).toContain('new XMLHttpRequest()');
    expect(script.text).not.toContain('interface UploadRow'); // compiled: no TypeScript left
  });

  it('shows API errors as readable messages: a wrong token (401) and an invalid bucket name (400)', async () => {
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByLabel('New bucket name').fill(bucket);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expectText(alert(), /The bearer token is wrong\. Check the API token field\./);
    expect(await alert().textContent()).toMatch(/^Could not create bucket “nbt-web-page-/);
    await demo.http.get(`/buckets/${bucket}/files`).expect(404);

    await page.getByLabel('API token').fill(demo.config.apiToken);
    await page.getByLabel('New bucket name').fill('Not_A_Valid Bucket!');
    await page.getByLabel('New bucket name').press('Enter');
    await expectText(alert(), /^Could not create bucket “Not_A_Valid Bucket!”: .*invalid/i);
    const shown = (await alert().textContent()) ?? '';
    expect(shown).toContain('InvalidBucketName');
    expect(shown).not.toMatch(/[{}]|statusCode/);
    await page.screenshot({ path: join(ARTIFACTS, 'web-page-error.png') });
  });

  it('keeps the token in sessionStorage across a reload', async () => {
    await page.reload();
    await expect(page.getByLabel('API token').inputValue()).resolves.toBe(demo.config.apiToken);
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([demo.config.apiToken]);
  });

  it('1) creates a bucket from the page and selects it', async () => {
    await page.getByLabel('New bucket name').fill(bucket);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expectText(notice(), `Created bucket “${bucket}”.`);
    await expectVisible(page.getByRole('heading', { name: `Files in “${bucket}”` }));
    await expectAttribute(
      bucketItem(bucket).getByRole('button', { name: bucket, exact: true }),
      'aria-current',
      'true',
    );
    const listed = await demo.http.get('/buckets').expect(200);
    expect((listed.body as { buckets: string[] }).buckets).toContain(bucket);
    await expectText(page.locator('#files-empty'), 'No files in this bucket yet.');
  });

  it('2) uploads a 5 MiB file through the picker, with a progress bar that reaches 100%', async () => {
    await page.getByLabel('Upload into folder (optional)').fill(folder);
    // Record every value the progress bar takes, as the upload's progress events set it. (Page
    // code as a string: this file is type-checked without the DOM's types.)
    await page.evaluate(`{
      window.progressSeen = [];
      new MutationObserver((records) => {
        for (const { target, attributeName } of records) {
          if (target.localName === 'progress' && attributeName === 'value') {
            window.progressSeen.push(target.getAttribute('value') + '/' + target.getAttribute('max'));
          }
        }
      }).observe(document.getElementById('uploads'), { attributes: true, subtree: true });
    }`);
    // Throttle the upload (Chromium's network emulation), so that progress events come before the end.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 8 * 1024 * 1024,
    });
    const started = Date.now();
    await page.getByLabel('Choose files…').setInputFiles(localFile);
    const upload = page.locator('#uploads li', { hasText: key });
    await expectText(upload.locator('.upload-status'), 'Uploaded', 30_000);
    const bar = upload.getByRole('progressbar', { name: `Upload of ${key}` });
    expect([await bar.getAttribute('value'), await bar.getAttribute('max')]).toEqual([
      String(data.length),
      String(data.length),
    ]);
    await expectText(upload.locator('.percent'), '100%');
    const seen = await page.evaluate<string[]>('window.progressSeen');
    const partial = seen.filter((entry) => !entry.startsWith(`${data.length}/`));
    expect(partial.length).toBeGreaterThan(0); // values before the end: the bar follows the events
    expect(seen.at(-1)).toBe(`${data.length}/${data.length}`);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await cdp.detach();
    process.stderr.write(
      `[web-page] 5 MiB upload through the page in ${Date.now() - started} ms, ${seen.length} progress updates (upload throttled to 8 MiB/s)\n`,
    );
    await expectText(notice(), `Uploaded “${key}” to “${bucket}”.`);
  });

  it('3) lists the file with its key, human-readable size and last-modified time', async () => {
    const row = fileRow(fileName);
    await expectVisible(row);
    const cells = row.locator('td');
    await expectText(cells.nth(0), key);
    await expectText(cells.nth(1), '5 MiB');
    expect(await cells.nth(1).getAttribute('title')).toBe('5,242,880 bytes');
    const datetime = await cells.nth(2).locator('time').getAttribute('datetime');
    expect(Math.abs(Date.parse(datetime ?? '') - Date.now())).toBeLessThan(5 * 60_000);

    // The prefix filter: a matching prefix keeps it, another one empties the list.
    await page.getByLabel('Filter by prefix').fill('photos/');
    await expectVisible(row);
    await page.getByLabel('Filter by prefix').fill('videos/');
    await expectText(page.locator('#files-empty'), 'No file key starts with “videos/”.');
    expect(await page.locator('#file-rows tr').count()).toBe(0);
    await page.getByLabel('Filter by prefix').fill('');
    await expectVisible(row);

    await page.getByLabel('Filter by prefix').blur();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('4) downloads the file through its link, with the same sha256', async () => {
    const link = fileRow(fileName).getByRole('link', { name: `Download ${key}` });
    expect(await link.getAttribute('href')).toBe(filePath(encodeURIComponent(bucket), key));
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(fileName);
    const downloaded = await readFile(await download.path());
    expect(downloaded.length).toBe(data.length);
    expect(sha256(downloaded)).toBe(sha256(data));
  });

  it('shows a refused upload (wrong token) as a failed row and a readable message, and stores nothing', async () => {
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByLabel('Upload into folder (optional)').fill('');
    await page.getByLabel('Choose files…').setInputFiles({
      name: 'refused.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('never stored\n'),
    });
    const upload = page.locator('#uploads li', { hasText: 'refused.txt' });
    await expectText(upload.locator('.upload-status'), 'Failed');
    await expectText(
      alert(),
      'Could not upload “refused.txt”: The bearer token is wrong. Check the API token field.',
    );
    await demo.http.head(filePath(bucket, 'refused.txt')).expect(404);
    await page.getByLabel('API token').fill(demo.config.apiToken);
    await page.getByRole('button', { name: 'Clear finished' }).click();
    await expectHidden(page.locator('#uploads-section'));
  });

  it('5) deletes the file (by keyboard, through the confirm dialog), then the bucket', async () => {
    // Cancel first: nothing is deleted.
    await fileRow(fileName)
      .getByRole('button', { name: `Delete ${key}` })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Delete this file?' });
    await expectVisible(dialog);
    await page.keyboard.press('Escape');
    await expectHidden(dialog);
    await demo.http.head(filePath(bucket, key)).expect(200);

    // Then by keyboard: focus Delete, Enter; the dialog focuses Cancel; Tab, Enter confirms.
    await fileRow(fileName)
      .getByRole('button', { name: `Delete ${key}` })
      .focus();
    await page.keyboard.press('Enter');
    await expectVisible(dialog);
    await expect(page.evaluate("document.activeElement?.id === 'confirm-cancel'")).resolves.toBe(
      true,
    );
    expect(await dialog.textContent()).toContain(
      `“${key}” will be deleted from bucket “${bucket}”`,
    );
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expectText(notice(), `Deleted “${key}”.`);
    await expectVisible(page.getByText('No files in this bucket yet.'));
    expect(await page.locator('#file-rows tr').count()).toBe(0);
    await demo.http.head(filePath(bucket, key)).expect(404);

    await bucketItem(bucket)
      .getByRole('button', { name: `Delete bucket ${bucket}` })
      .click();
    await page
      .getByRole('dialog', { name: 'Delete this bucket?' })
      .getByRole('button', { name: 'Delete bucket' })
      .click();
    await expectText(notice(), `Deleted bucket “${bucket}”.`);
    expect(await bucketItem(bucket).count()).toBe(0);
    await expectVisible(page.getByText('Select or create a bucket.'));
    await expectHidden(page.getByLabel('Filter by prefix'));
    const listed = await demo.http.get('/buckets').expect(200);
    expect((listed.body as { buckets: string[] }).buckets).not.toContain(bucket);
  });

  it('6) shows the storage as up, with its latency, in the health badge', async () => {
    await expectAttribute(page.locator('#health'), 'data-state', 'up');
    await expectText(page.locator('#health-text'), /^Storage up · \d+ ms$/);
  });

  it('logged no script error and no CSP violation', () => {
    expect(pageProblems).toEqual([]);
  });
});
