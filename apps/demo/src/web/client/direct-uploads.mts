/**
 * Direct uploads: the browser sends the bytes straight to storage with Uppy (`@uppy/core` and
 * `@uppy/aws-s3`), and the demo only signs (its `/s3/...` routes, the library's
 * `BrowserUploadsModule`). Files over {@link MULTIPART_THRESHOLD} go as a multipart upload, in
 * parts of 5 MiB or more, with pause, resume and cancel (which aborts the upload on the server);
 * smaller ones as one presigned POST. They land in the demo's uploads bucket, under keys the server
 * chooses, and are downloaded through `GET /direct-uploads/files/<key>`.
 */

import AwsS3 from '@uppy/aws-s3';
import Uppy, { type Body as UppyBody, type UppyFile } from '@uppy/core';
import { element, h } from './dom.mts';
import { formatSize, quote } from './format.mts';
import { uploadPartBytes } from './post-upload.mts';

/** Files larger than this go as multipart uploads; the others as one presigned POST. */
export const MULTIPART_THRESHOLD = 10 * 1024 * 1024;

/** What the direct uploads need from the rest of the page. */
export interface DirectUploadsHost {
  /** The API token typed in the page, or `''`. */
  token(): string;
  /** Shows a success in the polite live region. */
  notice(text: string): void;
  /** Shows a failure in the assertive live region. */
  error(text: string): void;
  /** Called once a file is stored (the page refreshes its bucket list). */
  stored(bucket: string, key: string): void;
}

type Meta = Record<string, never>;
/** What the demo's `complete` answers: the key chosen by the server. */
interface Body extends UppyBody {
  key?: string;
  location?: string;
}
type File_ = UppyFile<Meta, Body>;

/** One file's row: progress bar, status, Pause/Resume and Cancel, then a Download link. */
interface DirectRow {
  readonly item: HTMLLIElement;
  readonly bar: HTMLProgressElement;
  readonly percent: HTMLElement;
  readonly status: HTMLElement;
  readonly actions: HTMLElement;
  readonly pause: HTMLButtonElement;
  readonly cancel: HTMLButtonElement;
}

/** The download URL of a stored key, each segment percent-encoded. */
function downloadUrl(key: string): string {
  return `/direct-uploads/files/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** A sentence for Uppy's error: the server's message when it sent one, else the error's own. */
function describe(error: { message?: string; name?: string }): string {
  if (error.name === 'AuthError') return 'the API token was refused. Check the API token field.';
  const message = (error.message ?? '').replace(/^Could not \w+ \S+\s*/, '').trim();
  return message === '' ? 'the upload failed.' : message;
}

/**
 * Wires the "Direct uploads" section: reads the settings (`GET /direct-uploads/settings`), sets
 * Uppy up with the demo as its `endpoint`, and shows each file's progress.
 */
export async function startDirectUploads(host: DirectUploadsHost): Promise<void> {
  const ui = {
    about: element('direct-about', HTMLElement),
    input: element('direct-input', HTMLInputElement),
    list: element('direct-uploads', HTMLUListElement),
  };
  const response = await fetch('/direct-uploads/settings', { cache: 'no-store' });
  const settings = (await response.json()) as { bucket: string; maxFileSize: number };
  ui.about.textContent =
    `Files go from this browser straight to bucket ${quote(settings.bucket)}, with Uppy: ` +
    `over ${formatSize(MULTIPART_THRESHOLD)} as a multipart upload (parts of 5 MiB, ` +
    `pause, resume), smaller ones as one presigned POST. Limit: ` +
    `${formatSize(settings.maxFileSize)}.`;

  const uppy = new Uppy<Meta, Body>({ autoProceed: true, allowMultipleUploadBatches: true });
  uppy.use(AwsS3<Meta, Body>, {
    endpoint: location.origin,
    shouldUseMultipart: (file) => (file.size ?? 0) > MULTIPART_THRESHOLD,
    retryDelays: [],
    uploadPartBytes,
  });
  const plugin = uppy.getPlugin<AwsS3<Meta, Body>>('AwsS3Multipart');
  if (!plugin) throw new Error('Uppy has no S3 plugin.');
  // The key of a presigned POST is in the form fields the server signed; keep it for the link.
  const postKeys = new Map<string, string>();
  const getParameters = plugin.opts.getUploadParameters;
  plugin.setOptions({
    getUploadParameters: async (file: File_, options: Parameters<typeof getParameters>[1]) => {
      const parameters = await getParameters(file, options);
      const key = parameters.fields?.key;
      if (typeof key === 'string') postKeys.set(file.id, key);
      return parameters;
    },
  });

  const rows = new Map<string, DirectRow>();

  function finish(row: DirectRow, state: 'done' | 'failed' | 'cancelled', text: string): void {
    row.item.dataset.state = state;
    row.status.textContent = text;
    row.pause.remove();
    row.cancel.remove();
  }

  function addRow(file: File_): void {
    const name = file.name;
    const size = file.size ?? 0;
    const bar = h('progress', {
      max: String(Math.max(size, 1)),
      value: '0',
      'aria-label': `Direct upload of ${name}`,
    });
    const pause = h(
      'button',
      { type: 'button', class: 'small', 'aria-label': `Pause upload of ${name}` },
      'Pause',
    );
    const cancel = h(
      'button',
      { type: 'button', class: 'small', 'aria-label': `Cancel upload of ${name}` },
      'Cancel',
    );
    const actions = h('span', { class: 'actions' }, pause, cancel);
    const percent = h('span', { class: 'percent' }, '0%');
    const status = h('span', { class: 'upload-status' }, 'Uploading');
    const method = size > MULTIPART_THRESHOLD ? 'multipart' : 'post';
    const item = h(
      'li',
      { 'data-state': 'uploading', 'data-method': method },
      h('span', { class: 'key' }, name),
      h('span', { class: 'size' }, formatSize(size)),
      bar,
      percent,
      status,
      actions,
    );
    const row: DirectRow = { item, bar, percent, status, actions, pause, cancel };
    if (size <= MULTIPART_THRESHOLD) pause.hidden = true; // one POST cannot pause
    pause.addEventListener('click', () => {
      const paused = uppy.pauseResume(file.id) === true;
      pause.textContent = paused ? 'Resume' : 'Pause';
      pause.setAttribute('aria-label', `${paused ? 'Resume' : 'Pause'} upload of ${name}`);
      row.item.dataset.state = paused ? 'paused' : 'uploading';
      row.status.textContent = paused ? 'Paused' : 'Uploading';
    });
    cancel.addEventListener('click', () => {
      finish(row, 'cancelled', 'Cancelled');
      rows.delete(file.id);
      uppy.removeFile(file.id); // aborts the multipart upload on the server
    });
    rows.set(file.id, row);
    ui.list.append(row.item);
  }

  uppy.on('upload-progress', (file, progress) => {
    const row = file && rows.get(file.id);
    if (!row || progress.bytesTotal === null) return;
    row.bar.max = Math.max(progress.bytesTotal, 1);
    row.bar.value = progress.bytesUploaded;
    row.percent.textContent = `${Math.floor((progress.bytesUploaded / Math.max(progress.bytesTotal, 1)) * 100)}%`;
  });

  uppy.on('upload-success', (file, result) => {
    const row = file && rows.get(file.id);
    if (!file || !row) return;
    const key = result.body?.key ?? postKeys.get(file.id);
    const name = file.name;
    finish(row, 'done', 'Uploaded');
    row.bar.value = row.bar.max;
    row.percent.textContent = '100%';
    if (key !== undefined) {
      row.item.dataset.key = key;
      row.actions.append(
        h(
          'a',
          {
            class: 'button small',
            href: downloadUrl(key),
            download: name,
            'aria-label': `Download ${name}`,
          },
          'Download',
        ),
      );
      host.stored(settings.bucket, key);
    }
    rows.delete(file.id);
    postKeys.delete(file.id);
    uppy.removeFile(file.id);
    host.notice(`Uploaded ${quote(name)} straight to ${quote(settings.bucket)}.`);
  });

  uppy.on('upload-error', (file, error) => {
    const row = file && rows.get(file.id);
    if (!file || !row) return;
    const name = file.name;
    finish(row, 'failed', 'Failed');
    rows.delete(file.id);
    postKeys.delete(file.id);
    uppy.removeFile(file.id);
    host.error(`Could not upload ${quote(name)} directly: ${describe(error)}`);
  });

  ui.input.addEventListener('change', () => {
    const files = Array.from(ui.input.files ?? []);
    ui.input.value = '';
    const token = host.token();
    if (files.length === 0) return;
    if (token === '') {
      host.error('Could not upload directly: enter the API token first.');
      return;
    }
    plugin.setOptions({ headers: { authorization: `Bearer ${token}` } });
    for (const file of files) {
      try {
        const id = uppy.addFile({ name: file.name, type: file.type, data: file, source: 'Local' });
        const added = uppy.getFile(id);
        addRow(added);
      } catch (error) {
        host.error(
          `Could not upload ${quote(file.name)} directly: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  });
}
