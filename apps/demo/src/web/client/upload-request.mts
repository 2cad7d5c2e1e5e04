/** One file's upload through the demo's API: a raw PUT (the API streams the body to storage). */

import { describeFailure, fileUrl } from './api.mts';
import { currentToken } from './api-token.mts';
import { quote } from './format.mts';
import { finishRow, markUploading, setProgress, type UploadRow } from './upload-rows.mts';

/** How an upload ended: stored, failed (with a sentence saying why) or cancelled. */
export type UploadOutcome = 'stored' | 'cancelled' | { failure: string };

/**
 * Uploads one file with an XMLHttpRequest PUT; the row's progress bar follows the request's
 * upload progress events, and its Cancel aborts it. Never rejects.
 */
export function uploadFile(
  bucket: string,
  key: string,
  file: File,
  row: UploadRow,
): Promise<UploadOutcome> {
  if (row.cancelled) return Promise.resolve('cancelled');
  const token = currentToken();
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
    markUploading(row);
    request.send(file);
  });
}
