import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { ListedFile } from '../bucket.types';
import { unquote } from './etag';

/** What to list. @internal */
export interface ListingQuery {
  bucket: string;
  prefix?: string;
  delimiter?: string;
  /** Keys per request, at most 1,000. */
  pageSize?: number;
}

/** One page: its files, and with a delimiter its common prefixes. @internal */
export interface ListingPage {
  files: ListedFile[];
  prefixes: string[];
}

/**
 * The pages of a listing, fetched lazily through the SDK's paginator.
 * @internal
 */
export async function* listingPages(
  client: S3Client,
  query: ListingQuery,
): AsyncGenerator<ListingPage> {
  const pages = paginateListObjectsV2(
    { client, ...(query.pageSize ? { pageSize: query.pageSize } : {}) },
    { Bucket: query.bucket, Prefix: query.prefix, Delimiter: query.delimiter },
  );
  for await (const page of pages) {
    yield {
      files: (page.Contents ?? []).map((object) => ({
        key: object.Key ?? '',
        size: object.Size ?? 0,
        lastModified: object.LastModified ?? new Date(0),
        etag: unquote(object.ETag) ?? '',
      })),
      prefixes: (page.CommonPrefixes ?? []).flatMap((p) =>
        p.Prefix === undefined ? [] : [p.Prefix],
      ),
    };
  }
}
