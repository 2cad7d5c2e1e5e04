/**
 * The demo's file-browser page (served at `/`, bundled from this file and what it imports to
 * `/web/app.js`). It uses the demo's HTTP API only (docs/demo.md). Everything that comes from the
 * server is rendered as text (`textContent`, `append` of strings, attributes): never as HTML.
 *
 * This entry module only wires the views together; each view lives in its own module.
 */

import { currentToken, startTokenField } from './api-token.mts';
import { isListedBucket, loadBuckets, startBucketsView } from './buckets-view.mts';
import { startConfirmDialog } from './confirm-dialog.mts';
import { startDirectUploads } from './direct-uploads.mts';
import { element } from './dom.mts';
import { loadFiles, startFilesView } from './files-view.mts';
import { startHealthBadge } from './health-badge.mts';
import { reportFailure, showError, showNotice } from './messages.mts';
import { selectedBucket } from './selected-bucket.mts';
import { startUploadsView } from './uploads-view.mts';

startConfirmDialog();
startUploadsView();
startTokenField();
startFilesView();

// Refresh (in the files panel) lists the buckets again, then the open bucket's files.
element('refresh', HTMLButtonElement).addEventListener('click', () => {
  void loadBuckets().then(loadFiles);
});

startHealthBadge();
startDirectUploads({
  token: currentToken,
  notice: showNotice,
  error: showError,
  stored: (bucket) => {
    if (!isListedBucket(bucket)) void loadBuckets();
    else if (selectedBucket() === bucket) void loadFiles();
  },
}).catch((error: unknown) => {
  reportFailure('Direct uploads are not available', error);
});
void startBucketsView();
