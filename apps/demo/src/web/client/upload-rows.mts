/** The rows of the "Uploads" list (`#uploads`): one per file, with progress, status and Cancel. */

import { element, h } from './dom.mts';
import { formatSize } from './format.mts';

const ui = {
  uploadsSection: element('uploads-section', HTMLElement),
  uploads: element('uploads', HTMLUListElement),
};

/** One file's row in the list, and the state its Cancel button acts on. */
export interface UploadRow {
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

/** Adds a "Waiting" row for this key to the list, and shows the list. */
export function addUploadRow(key: string, size: number): UploadRow {
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

/** Marks the row as running (`data-state="uploading"`). */
export function markUploading(row: UploadRow): void {
  row.item.dataset.state = 'uploading';
  row.status.textContent = 'Uploading';
}

/** Moves the row's bar and percentage to `loaded` of `total` bytes (100% for an empty file). */
export function setProgress(row: UploadRow, loaded: number, total: number): void {
  row.bar.max = Math.max(total, 1);
  row.bar.value = total === 0 ? 1 : loaded;
  row.percent.textContent = `${total === 0 ? 100 : Math.floor((loaded / total) * 100)}%`;
}

/** Shows how the upload ended and removes its Cancel button. */
export function finishRow(
  row: UploadRow,
  state: 'done' | 'failed' | 'cancelled',
  text: string,
): void {
  row.item.dataset.state = state;
  row.status.textContent = text;
  row.cancel.remove();
}

/** Removes the finished rows (done, failed, cancelled); hides the list once it is empty. */
export function clearFinishedRows(): void {
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
}
