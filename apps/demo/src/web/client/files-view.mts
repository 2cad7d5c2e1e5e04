/**
 * The files panel of the open bucket: its title, the prefix filter, and the table of files
 * (download, delete).
 */

import { api, fileUrl, isRecord } from './api.mts';
import { tokenOrAsk } from './api-token.mts';
import { confirmAction } from './confirm-dialog.mts';
import { element, h } from './dom.mts';
import { formatBytes, formatDateTime, formatSize, quote } from './format.mts';
import { reportFailure, showNotice } from './messages.mts';
import { selectedBucket } from './selected-bucket.mts';

const ui = {
  filesTitle: element('files-title', HTMLElement),
  noBucket: element('no-bucket', HTMLElement),
  bucketView: element('bucket-view', HTMLElement),
  prefix: element('prefix', HTMLInputElement),
  filesCaption: element('files-caption', HTMLTableCaptionElement),
  fileRows: element('file-rows', HTMLTableSectionElement),
  filesEmpty: element('files-empty', HTMLElement),
};

interface ListedFile {
  key: string;
  size: number;
  lastModified: string;
}

function toListedFile(value: unknown): ListedFile | undefined {
  if (!isRecord(value)) return undefined;
  const { key, size, lastModified } = value;
  if (typeof key !== 'string' || typeof size !== 'number') return undefined;
  return { key, size, lastModified: typeof lastModified === 'string' ? lastModified : '' };
}

/** Answers of older listings are dropped: only the latest request's is shown. */
let listing = 0;

/** Shows the panel of the open bucket (or the "Select or create a bucket" text) and lists it. */
export function showSelectedBucket(): void {
  const name = selectedBucket();
  ui.noBucket.hidden = name !== undefined;
  ui.bucketView.hidden = name === undefined;
  ui.filesTitle.textContent = name === undefined ? 'Files' : `Files in ${quote(name)}`;
  ui.filesCaption.textContent = name === undefined ? 'Files' : `Files in bucket ${name}`;
  ui.fileRows.replaceChildren();
  ui.filesEmpty.hidden = true;
  if (name !== undefined) void loadFiles();
}

/** Lists the open bucket's files under the filter's prefix, if a bucket is open. Never rejects. */
export async function loadFiles(): Promise<void> {
  const bucket = selectedBucket();
  if (bucket === undefined) return;
  const prefix = ui.prefix.value;
  const request = ++listing;
  let files: ListedFile[];
  try {
    const query = prefix === '' ? '' : `?prefix=${encodeURIComponent(prefix)}`;
    const body = await api('GET', `/buckets/${encodeURIComponent(bucket)}/files${query}`);
    const list = isRecord(body) && Array.isArray(body.files) ? body.files : [];
    files = list.map(toListedFile).filter((file) => file !== undefined);
  } catch (error) {
    if (request === listing) reportFailure(`Could not list the files of ${quote(bucket)}`, error);
    return;
  }
  if (request !== listing || bucket !== selectedBucket()) return;
  renderFiles(bucket, prefix, files);
}

function renderFiles(bucket: string, prefix: string, files: ListedFile[]): void {
  ui.fileRows.replaceChildren(...files.map((file) => fileRow(bucket, file)));
  ui.filesEmpty.hidden = files.length > 0;
  ui.filesEmpty.textContent =
    prefix === '' ? 'No files in this bucket yet.' : `No file key starts with ${quote(prefix)}.`;
}

function fileRow(bucket: string, file: ListedFile): HTMLTableRowElement {
  const modified = new Date(file.lastModified);
  const time = Number.isNaN(modified.getTime())
    ? h('span', {}, '—')
    : h('time', { datetime: modified.toISOString() }, formatDateTime(modified));
  const name = file.key.split('/').pop() ?? '';
  const download = h(
    'a',
    {
      class: 'button small',
      href: fileUrl(bucket, file.key),
      download: name === '' ? 'download' : name,
      'aria-label': `Download ${file.key}`,
    },
    'Download',
  );
  const remove = h(
    'button',
    { type: 'button', class: 'small danger', 'aria-label': `Delete ${file.key}` },
    'Delete',
  );
  remove.addEventListener('click', () => {
    void deleteFile(bucket, file.key);
  });
  return h(
    'tr',
    {},
    h('td', { class: 'key' }, file.key),
    h('td', { class: 'num', title: formatBytes(file.size) }, formatSize(file.size)),
    h('td', {}, time),
    h('td', { class: 'actions' }, download, remove),
  );
}

async function deleteFile(bucket: string, key: string): Promise<void> {
  const action = `Could not delete ${quote(key)}`;
  if (tokenOrAsk(action) === undefined) return;
  const confirmed = await confirmAction(
    'Delete this file?',
    `${quote(key)} will be deleted from bucket ${quote(bucket)}. This cannot be undone.`,
    'Delete file',
  );
  const token = tokenOrAsk(action);
  if (!confirmed || token === undefined) return;
  try {
    await api('DELETE', fileUrl(bucket, key), token);
  } catch (error) {
    reportFailure(action, error);
    return;
  }
  await loadFiles();
  showNotice(`Deleted ${quote(key)}.`);
  ui.filesTitle.focus();
}

/** Wires the prefix filter: the list follows what is typed, 200 ms after the last key. */
export function startFilesView(): void {
  let filterTimer: ReturnType<typeof setTimeout> | undefined;
  ui.prefix.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      void loadFiles();
    }, 200);
  });
}
