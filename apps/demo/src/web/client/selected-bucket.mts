/**
 * Which bucket the page has open. The buckets view sets it; the files and uploads views read it.
 * It lives on its own so that those views need not import each other.
 */

let selected: string | undefined;

/** The open bucket, or `undefined` when none is. */
export function selectedBucket(): string | undefined {
  return selected;
}

/** Records the open bucket (the buckets view calls it, then updates the views). */
export function setSelectedBucket(name: string | undefined): void {
  selected = name;
}
