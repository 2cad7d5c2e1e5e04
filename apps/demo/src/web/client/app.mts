/**
 * The demo's file-browser page (served at `/`, compiled from this file to `/web/app.js`). It uses
 * the demo's HTTP API only (docs/demo.md). Everything that comes from the server is rendered as
 * text (`textContent`, `append` of strings, attributes): never as HTML.
 */

import { startDirectUploads } from './direct-uploads.mts';

// ---------------------------------------------------------------------------------------------
// Elements and small helpers
// ---------------------------------------------------------------------------------------------

/** The element with this id, which must be of this type. */
function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`The page has no #${id} ${type.name}.`);
  return found;
}

/** A new element, its attributes and its children; strings become text nodes. */
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) created.setAttribute(name, value);
  created.append(...children);
  return created;
}

const ui = {
  health: element('health', HTMLElement),
  healthText: element('health-text', HTMLElement),
  token: element('token', HTMLInputElement),
  tokenToggle: element('token-toggle', HTMLButtonElement),
  notice: element('notice', HTMLElement),
  alert: element('alert', HTMLElement),
  createBucket: element('create-bucket', HTMLFormElement),
  bucketName: element('bucket-name', HTMLInputElement),
  bucketList: element('bucket-list', HTMLUListElement),
  bucketsEmpty: element('buckets-empty', HTMLElement),
  filesTitle: element('files-title', HTMLElement),
  noBucket: element('no-bucket', HTMLElement),
  bucketView: element('bucket-view', HTMLElement),
  prefix: element('prefix', HTMLInputElement),
  refresh: element('refresh', HTMLButtonElement),
  dropzone: element('dropzone', HTMLElement),
  uploadPrefix: element('upload-prefix', HTMLInputElement),
  fileInput: element('file-input', HTMLInputElement),
  uploadsSection: element('uploads-section', HTMLElement),
  uploads: element('uploads', HTMLUListElement),
  clearUploads: element('clear-uploads', HTMLButtonElement),
  filesCaption: element('files-caption', HTMLTableCaptionElement),
  fileRows: element('file-rows', HTMLTableSectionElement),
  filesEmpty: element('files-empty', HTMLElement),
  confirm: element('confirm', HTMLDialogElement),
  confirmTitle: element('confirm-title', HTMLElement),
  confirmText: element('confirm-text', HTMLElement),
  confirmCancel: element('confirm-cancel', HTMLButtonElement),
  confirmOk: element('confirm-ok', HTMLButtonElement),
};

/** `“name”`: a name quoted for a sentence. */
const quote = (name: string): string => `“${name}”`;

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
const sizeFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const bytesFormat = new Intl.NumberFormat(undefined);

/** `5 MiB`, `1.5 KiB`, `999 B`: a size in binary units. */
function formatSize(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${sizeFormat.format(value)} ${UNITS[unit] ?? 'B'}`;
}

/** `5,242,880 bytes`. */
const formatBytes = (bytes: number): string =>
  `${bytesFormat.format(bytes)} byte${bytes === 1 ? '' : 's'}`;

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The API path of an object: the bucket and each key segment percent-encoded, `/` kept. */
function fileUrl(bucket: string, key: string): string {
  return `/buckets/${encodeURIComponent(bucket)}/files/${key.split('/').map(encodeURIComponent).join('/')}`;
}

// ---------------------------------------------------------------------------------------------
// Messages (two live regions: polite for news, assertive for errors)
// ---------------------------------------------------------------------------------------------

function showNotice(text: string): void {
  ui.alert.textContent = '';
  ui.notice.textContent = text;
}

function showError(text: string): void {
  ui.notice.textContent = '';
  ui.alert.textContent = text;
}

// ---------------------------------------------------------------------------------------------
// The API token, kept in sessionStorage (this tab only)
// ---------------------------------------------------------------------------------------------

const TOKEN_KEY = 'nest-bucket-demo:api-token';

function storedToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return ''; // storage disabled: the field still works for this page's life
  }
}

function storeToken(token: string): void {
  try {
    if (token === '') sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // storage disabled: keep the token in the field only
  }
}

/** The token, or `undefined` after telling the user to enter it. */
function tokenOrAsk(action: string): string | undefined {
  const token = ui.token.value.trim();
  if (token !== '') return token;
  showError(
    `${action}: enter the API token first (the demo prints it when it starts, or set DEMO_API_TOKEN).`,
  );
  ui.token.focus();
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Calling the API, and turning its errors into sentences
// ---------------------------------------------------------------------------------------------

/** A failed API call, with a message fit to show. */
class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A sentence for a failed answer: the API's `message` (its errors are JSON `{ statusCode, code,
 * message }`), with a hint for 401, or the status for any other body. Never the raw body.
 */
function describeFailure(status: number, statusText: string, body: string): string {
  let message: string | undefined;
  let code: string | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (isRecord(parsed)) {
      if (typeof parsed.message === 'string' && parsed.message.trim() !== '') {
        message = parsed.message.trim();
      }
      if (typeof parsed.code === 'string') code = parsed.code;
    }
  } catch {
    // not JSON: described by its status below
  }
  if (status === 401) {
    return `${message ?? 'The API token was refused.'} Check the API token field.`;
  }
  if (message === undefined) {
    return `the server answered ${status}${statusText ? ` ${statusText}` : ''}.`;
  }
  const suffix = code !== undefined && !message.includes(code) ? ` (${code})` : '';
  return `${message}${suffix}`;
}

const NETWORK_FAILURE = 'the demo server could not be reached. Is it still running?';

/** Sends a request to the API; resolves with the parsed JSON body (or undefined for 204). */
async function api(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  token?: string,
): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, cache: 'no-store' });
  } catch {
    throw new ApiFailure(0, NETWORK_FAILURE);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    throw new ApiFailure(
      response.status,
      describeFailure(response.status, response.statusText, text),
    );
  }
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiFailure(response.status, 'the server sent an answer that is not JSON.');
  }
}

/** `Could not create bucket “x”: <reason>`, shown in the alert region. */
function reportFailure(action: string, error: unknown): void {
  const reason =
    error instanceof ApiFailure
      ? error.message
      : `an unexpected error happened (${error instanceof Error ? error.message : String(error)}).`;
  showError(`${action}: ${reason}`);
}

// ---------------------------------------------------------------------------------------------
// Confirm dialog
// ---------------------------------------------------------------------------------------------

/** Asks for a confirmation in a modal dialog; Cancel, Escape or closing it mean no. */
function confirmAction(title: string, text: string, action: string): Promise<boolean> {
  ui.confirmTitle.textContent = title;
  ui.confirmText.textContent = text;
  ui.confirmOk.textContent = action;
  ui.confirm.returnValue = '';
  ui.confirm.showModal();
  ui.confirmCancel.focus();
  return new Promise((resolve) => {
    ui.confirm.addEventListener(
      'close',
      () => {
        resolve(ui.confirm.returnValue === 'confirm');
      },
      { once: true },
    );
  });
}

ui.confirmOk.addEventListener('click', () => {
  ui.confirm.close('confirm');
});
ui.confirmCancel.addEventListener('click', () => {
  ui.confirm.close('cancel');
});

// ---------------------------------------------------------------------------------------------
// Buckets
// ---------------------------------------------------------------------------------------------

let buckets: string[] = [];
let selected: string | undefined;

function bucketFromHash(): string | undefined {
  const raw = location.hash.slice(1);
  if (raw === '') return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function renderBuckets(): void {
  ui.bucketList.replaceChildren(
    ...buckets.map((name) => {
      const open = h('button', { type: 'button', class: 'bucket-name' }, name);
      if (name === selected) open.setAttribute('aria-current', 'true');
      open.addEventListener('click', () => {
        selectBucket(name);
      });
      const remove = h(
        'button',
        { type: 'button', class: 'small danger', 'aria-label': `Delete bucket ${name}` },
        'Delete',
      );
      remove.addEventListener('click', () => {
        void deleteBucket(name);
      });
      return h('li', {}, open, remove);
    }),
  );
  ui.bucketsEmpty.hidden = buckets.length > 0;
}

async function loadBuckets(): Promise<void> {
  try {
    const body = await api('GET', '/buckets');
    const names = isRecord(body) && Array.isArray(body.buckets) ? body.buckets : [];
    buckets = names.filter((name): name is string => typeof name === 'string');
  } catch (error) {
    reportFailure('Could not list the buckets', error);
    return;
  }
  if (selected !== undefined && !buckets.includes(selected)) selectBucket(undefined);
  renderBuckets();
}

function selectBucket(name: string | undefined): void {
  selected = name;
  history.replaceState(
    null,
    '',
    name === undefined ? location.pathname : `#${encodeURIComponent(name)}`,
  );
  renderBuckets();
  ui.noBucket.hidden = name !== undefined;
  ui.bucketView.hidden = name === undefined;
  ui.filesTitle.textContent = name === undefined ? 'Files' : `Files in ${quote(name)}`;
  ui.filesCaption.textContent = name === undefined ? 'Files' : `Files in bucket ${name}`;
  ui.fileRows.replaceChildren();
  ui.filesEmpty.hidden = true;
  if (name !== undefined) void loadFiles();
}

async function createBucket(): Promise<void> {
  const name = ui.bucketName.value.trim();
  if (name === '') {
    showError('Enter a name for the new bucket.');
    ui.bucketName.focus();
    return;
  }
  const action = `Could not create bucket ${quote(name)}`;
  const token = tokenOrAsk(action);
  if (token === undefined) return;
  try {
    await api('POST', `/buckets/${encodeURIComponent(name)}`, token);
  } catch (error) {
    reportFailure(action, error);
    ui.bucketName.focus();
    return;
  }
  ui.bucketName.value = '';
  await loadBuckets();
  selectBucket(name);
  showNotice(`Created bucket ${quote(name)}.`);
}

async function deleteBucket(name: string): Promise<void> {
  const action = `Could not delete bucket ${quote(name)}`;
  if (tokenOrAsk(action) === undefined) return;
  const confirmed = await confirmAction(
    'Delete this bucket?',
    `Bucket ${quote(name)} will be deleted. Only an empty bucket can be deleted.`,
    'Delete bucket',
  );
  const token = tokenOrAsk(action);
  if (!confirmed || token === undefined) return;
  try {
    await api('DELETE', `/buckets/${encodeURIComponent(name)}`, token);
  } catch (error) {
    reportFailure(action, error);
    return;
  }
  if (selected === name) selectBucket(undefined);
  await loadBuckets();
  showNotice(`Deleted bucket ${quote(name)}.`);
  ui.bucketName.focus();
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

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

async function loadFiles(): Promise<void> {
  const bucket = selected;
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
  if (request !== listing || bucket !== selected) return;
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
    : h('time', { datetime: modified.toISOString() }, dateFormat.format(modified));
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

// ---------------------------------------------------------------------------------------------
// Uploads: one XMLHttpRequest PUT per file (the API streams the raw body), one at a time
// ---------------------------------------------------------------------------------------------

interface UploadRow {
  readonly item: HTMLLIElement;
  readonly bar: HTMLProgressElement;
  readonly percent: HTMLElement;
  readonly status: HTMLElement;
  readonly cancel: HTMLButtonElement;
  /** Set by Cancel: a waiting upload is skipped, a running one aborted. */
  cancelled: boolean;
  /** Aborts the running request, if any. */
  abort?: () => void;
}

function uploadRow(key: string, size: number): UploadRow {
  const bar = h('progress', {
    max: String(Math.max(size, 1)),
    value: '0',
    'aria-label': `Upload of ${key}`,
  });
  const percent = h('span', { class: 'percent' }, '0%');
  const status = h('span', { class: 'upload-status' }, 'Waiting');
  const cancel = h(
    'button',
    { type: 'button', class: 'small', 'aria-label': `Cancel upload of ${key}` },
    'Cancel',
  );
  const item = h(
    'li',
    { 'data-state': 'waiting' },
    h('span', { class: 'key' }, key),
    h('span', { class: 'size' }, formatSize(size)),
    bar,
    percent,
    status,
    cancel,
  );
  const row: UploadRow = { item, bar, percent, status, cancel, cancelled: false };
  cancel.addEventListener('click', () => {
    row.cancelled = true;
    if (row.abort) row.abort();
    else finishRow(row, 'cancelled', 'Cancelled');
  });
  ui.uploads.append(item);
  ui.uploadsSection.hidden = false;
  return row;
}

function setProgress(row: UploadRow, loaded: number, total: number): void {
  row.bar.max = Math.max(total, 1);
  row.bar.value = total === 0 ? 1 : loaded;
  row.percent.textContent = `${total === 0 ? 100 : Math.floor((loaded / total) * 100)}%`;
}

function finishRow(row: UploadRow, state: 'done' | 'failed' | 'cancelled', text: string): void {
  row.item.dataset.state = state;
  row.status.textContent = text;
  row.cancel.remove();
}

/** How an upload ended: stored, failed (with a sentence saying why) or cancelled. */
type UploadOutcome = 'stored' | 'cancelled' | { failure: string };

/**
 * Uploads one file with a raw PUT (the API streams the body to the storage); the progress bar
 * follows the request's upload progress events. Never rejects.
 */
function uploadFile(
  bucket: string,
  key: string,
  file: File,
  row: UploadRow,
): Promise<UploadOutcome> {
  if (row.cancelled) return Promise.resolve('cancelled');
  const token = ui.token.value.trim();
  if (token === '') {
    finishRow(row, 'failed', 'No API token');
    return Promise.resolve({ failure: `${quote(key)}: no API token was entered.` });
  }
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('PUT', fileUrl(bucket, key));
    request.setRequestHeader('Authorization', `Bearer ${token}`);
    request.setRequestHeader(
      'Content-Type',
      file.type === '' ? 'application/octet-stream' : file.type,
    );
    const onProgress = (event: ProgressEvent): void => {
      if (event.lengthComputable) setProgress(row, event.loaded, event.total);
    };
    request.upload.addEventListener('progress', onProgress);
    request.upload.addEventListener('load', onProgress);
    request.addEventListener('load', () => {
      if (request.status === 201) {
        finishRow(row, 'done', 'Uploaded');
        resolve('stored');
      } else {
        finishRow(row, 'failed', 'Failed');
        const reason = describeFailure(request.status, request.statusText, request.responseText);
        resolve({ failure: `${quote(key)}: ${reason}` });
      }
    });
    request.addEventListener('error', () => {
      finishRow(row, 'failed', 'Failed');
      resolve({
        failure: `${quote(key)}: the connection closed before the server answered (is the demo running, the token right and the file within the size limit?).`,
      });
    });
    request.addEventListener('abort', () => {
      finishRow(row, 'cancelled', 'Cancelled');
      resolve('cancelled');
    });
    row.abort = () => {
      request.abort();
    };
    row.item.dataset.state = 'uploading';
    row.status.textContent = 'Uploading';
    request.send(file);
  });
}

let uploadQueue: Promise<void> = Promise.resolve();

/**
 * Queues the files for upload into the selected bucket, under the optional folder, one at a
 * time; then refreshes the list and reports: a success notice, or every failure as an error.
 */
function uploadFiles(files: readonly File[]): void {
  const bucket = selected;
  if (bucket === undefined || files.length === 0) return;
  if (tokenOrAsk(`Could not upload to ${quote(bucket)}`) === undefined) return;
  let folder = ui.uploadPrefix.value.trim();
  if (folder !== '' && !folder.endsWith('/')) folder += '/';
  const jobs = files.map((file) => ({
    file,
    key: folder + file.name,
    row: uploadRow(folder + file.name, file.size),
  }));
  uploadQueue = uploadQueue.then(async () => {
    const stored: string[] = [];
    const failures: string[] = [];
    for (const { file, key, row } of jobs) {
      const outcome = await uploadFile(bucket, key, file, row);
      if (outcome === 'stored') stored.push(key);
      else if (outcome !== 'cancelled') failures.push(outcome.failure);
    }
    if (selected === bucket) await loadFiles();
    if (failures.length > 0) {
      const done = stored.length > 0 ? ` (${stored.length} of ${jobs.length} uploaded)` : '';
      showError(`Could not upload ${failures.join(' ')}${done}`);
    } else if (stored.length > 0) {
      showNotice(
        stored.length === 1
          ? `Uploaded ${quote(stored.join(''))} to ${quote(bucket)}.`
          : `Uploaded ${stored.length} files to ${quote(bucket)}.`,
      );
    }
  });
}

ui.fileInput.addEventListener('change', () => {
  uploadFiles(Array.from(ui.fileInput.files ?? []));
  ui.fileInput.value = '';
});

ui.clearUploads.addEventListener('click', () => {
  for (const item of Array.from(ui.uploads.children)) {
    if (
      item instanceof HTMLElement &&
      item.dataset.state !== 'uploading' &&
      item.dataset.state !== 'waiting'
    ) {
      item.remove();
    }
  }
  ui.uploadsSection.hidden = ui.uploads.children.length === 0;
  ui.fileInput.focus();
});

// Dropping a file anywhere but the drop zone must not navigate away from the page.
for (const type of ['dragover', 'drop'] as const) {
  window.addEventListener(type, (event) => {
    event.preventDefault();
  });
}
ui.dropzone.addEventListener('dragover', (event) => {
  event.preventDefault();
  if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  ui.dropzone.classList.add('dragging');
});
ui.dropzone.addEventListener('dragleave', () => {
  ui.dropzone.classList.remove('dragging');
});
ui.dropzone.addEventListener('drop', (event) => {
  event.preventDefault();
  ui.dropzone.classList.remove('dragging');
  uploadFiles(Array.from(event.dataTransfer?.files ?? []));
});

// ---------------------------------------------------------------------------------------------
// Health badge: GET /health every 5 s
// ---------------------------------------------------------------------------------------------

const HEALTH_INTERVAL_MS = 5000;

function setHealth(state: 'up' | 'down', text: string, title: string): void {
  ui.health.dataset.state = state;
  ui.healthText.textContent = text;
  ui.health.title = title;
}

async function checkHealth(): Promise<void> {
  const started = performance.now();
  const at = new Date().toLocaleTimeString();
  try {
    const response = await fetch('/health', {
      cache: 'no-store',
      signal: AbortSignal.timeout(HEALTH_INTERVAL_MS - 500),
    });
    const roundTrip = Math.round(performance.now() - started);
    const body: unknown = await response.json().catch(() => undefined);
    const details = isRecord(body) && isRecord(body.details) ? body.details : {};
    const storage = isRecord(details.storage) ? details.storage : {};
    const latency =
      typeof storage.latencyMs === 'number' ? Math.round(storage.latencyMs) : roundTrip;
    if (response.ok && storage.status === 'up') {
      setHealth(
        'up',
        `Storage up · ${latency} ms`,
        `Checked at ${at}: the storage answered in ${latency} ms (round trip ${roundTrip} ms).`,
      );
    } else {
      const code = typeof storage.code === 'string' ? storage.code : `HTTP ${response.status}`;
      setHealth(
        'down',
        `Storage down · ${code}`,
        `Checked at ${at}: the storage is down (${code}).`,
      );
    }
  } catch {
    setHealth('down', 'Demo unreachable', `Checked at ${at}: the demo server did not answer.`);
  }
}

async function pollHealth(): Promise<void> {
  if (!document.hidden) await checkHealth();
  setTimeout(() => {
    void pollHealth();
  }, HEALTH_INTERVAL_MS);
}

// ---------------------------------------------------------------------------------------------
// Wiring
// ---------------------------------------------------------------------------------------------

ui.token.value = storedToken();
ui.token.addEventListener('input', () => {
  storeToken(ui.token.value.trim());
});
ui.tokenToggle.addEventListener('click', () => {
  const show = ui.token.type === 'password';
  ui.token.type = show ? 'text' : 'password';
  ui.tokenToggle.textContent = show ? 'Hide' : 'Show';
  ui.tokenToggle.setAttribute('aria-pressed', String(show));
});

ui.createBucket.addEventListener('submit', (event) => {
  event.preventDefault();
  void createBucket();
});

let filterTimer: ReturnType<typeof setTimeout> | undefined;
ui.prefix.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => {
    void loadFiles();
  }, 200);
});
ui.refresh.addEventListener('click', () => {
  void loadBuckets().then(loadFiles);
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void checkHealth();
});

void pollHealth();
startDirectUploads({
  token: () => ui.token.value.trim(),
  notice: showNotice,
  error: showError,
  formatSize,
  stored: (bucket) => {
    if (!buckets.includes(bucket)) void loadBuckets();
    else if (selected === bucket) void loadFiles();
  },
}).catch((error: unknown) => {
  reportFailure('Direct uploads are not available', error);
});
void loadBuckets().then(() => {
  const wanted = bucketFromHash();
  if (wanted !== undefined && buckets.includes(wanted)) selectBucket(wanted);
});
