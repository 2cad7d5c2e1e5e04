/**
 * Uploads into the open bucket through the API: the file picker, the drop zone, the optional
 * folder, and the queue that sends one file at a time, then reports.
 */

import { tokenOrAsk } from './api-token.mts';
import { element } from './dom.mts';
import { loadFiles } from './files-view.mts';
import { quote } from './format.mts';
import { showError, showNotice } from './messages.mts';
import { selectedBucket } from './selected-bucket.mts';
import { uploadFile } from './upload-request.mts';
import { addUploadRow, clearFinishedRows } from './upload-rows.mts';

const ui = {
  dropzone: element('dropzone', HTMLElement),
  uploadPrefix: element('upload-prefix', HTMLInputElement),
  fileInput: element('file-input', HTMLInputElement),
  clearUploads: element('clear-uploads', HTMLButtonElement),
};

let uploadQueue: Promise<void> = Promise.resolve();

/**
 * Queues the files for upload into the selected bucket, under the optional folder, one at a
 * time; then refreshes the list and reports: a success notice, or every failure as an error.
 */
function uploadFiles(files: readonly File[]): void {
  const bucket = selectedBucket();
  if (bucket === undefined || files.length === 0) return;
  if (tokenOrAsk(`Could not upload to ${quote(bucket)}`) === undefined) return;
  let folder = ui.uploadPrefix.value.trim();
  if (folder !== '' && !folder.endsWith('/')) folder += '/';
  const jobs = files.map((file) => ({
    file,
    key: folder + file.name,
    row: addUploadRow(folder + file.name, file.size),
  }));
  uploadQueue = uploadQueue.then(async () => {
    const stored: string[] = [];
    const failures: string[] = [];
    for (const { file, key, row } of jobs) {
      const outcome = await uploadFile(bucket, key, file, row);
      if (outcome === 'stored') stored.push(key);
      else if (outcome !== 'cancelled') failures.push(outcome.failure);
    }
    if (selectedBucket() === bucket) await loadFiles();
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

/** Wires the file picker, "Clear finished" and the drop zone (a drop elsewhere is ignored). */
export function startUploadsView(): void {
  ui.fileInput.addEventListener('change', () => {
    uploadFiles(Array.from(ui.fileInput.files ?? []));
    ui.fileInput.value = '';
  });

  ui.clearUploads.addEventListener('click', () => {
    clearFinishedRows();
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
}
