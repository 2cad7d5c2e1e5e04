/**
 * The buckets panel: the list of buckets (open, delete), the "New bucket" form, and the open
 * bucket kept in the address's hash (`#<bucket>`).
 */

import { api, isRecord } from './api.mts';
import { tokenOrAsk } from './api-token.mts';
import { confirmAction } from './confirm-dialog.mts';
import { element, h } from './dom.mts';
import { showSelectedBucket } from './files-view.mts';
import { quote } from './format.mts';
import { reportFailure, showError, showNotice } from './messages.mts';
import { selectedBucket, setSelectedBucket } from './selected-bucket.mts';

const ui = {
  createBucket: element('create-bucket', HTMLFormElement),
  bucketName: element('bucket-name', HTMLInputElement),
  bucketList: element('bucket-list', HTMLUListElement),
  bucketsEmpty: element('buckets-empty', HTMLElement),
};

let buckets: string[] = [];

/** Whether the last listing had this bucket. */
export function isListedBucket(name: string): boolean {
  return buckets.includes(name);
}

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
      if (name === selectedBucket()) open.setAttribute('aria-current', 'true');
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

/** Lists the buckets again; closes the open bucket if it is gone. Never rejects. */
export async function loadBuckets(): Promise<void> {
  try {
    const body = await api('GET', '/buckets');
    const names = isRecord(body) && Array.isArray(body.buckets) ? body.buckets : [];
    buckets = names.filter((name): name is string => typeof name === 'string');
  } catch (error) {
    reportFailure('Could not list the buckets', error);
    return;
  }
  const selected = selectedBucket();
  if (selected !== undefined && !buckets.includes(selected)) selectBucket(undefined);
  renderBuckets();
}

/** Opens a bucket (or none): marks it in the list and the hash, and shows its files. */
function selectBucket(name: string | undefined): void {
  setSelectedBucket(name);
  history.replaceState(
    null,
    '',
    name === undefined ? location.pathname : `#${encodeURIComponent(name)}`,
  );
  renderBuckets();
  showSelectedBucket();
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
  if (selectedBucket() === name) selectBucket(undefined);
  await loadBuckets();
  showNotice(`Deleted bucket ${quote(name)}.`);
  ui.bucketName.focus();
}

/** Wires the "New bucket" form, lists the buckets, then opens the one named in the hash. */
export async function startBucketsView(): Promise<void> {
  ui.createBucket.addEventListener('submit', (event) => {
    event.preventDefault();
    void createBucket();
  });
  await loadBuckets();
  const wanted = bucketFromHash();
  if (wanted !== undefined && buckets.includes(wanted)) selectBucket(wanted);
}
