import { PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { BucketService } from '../../libs/bucket/src';
import { rotation } from '../alternate';
import { runPool } from '../pool';
import { summarize, type Summary } from '../stats';

/** The shape of the listing scenario. */
export interface ListingConfig {
  keys: number;
  /** Puts in flight while creating the keys. */
  createInFlight: number;
  repetitions: number;
}

/** Figures of the listing scenario. */
export interface ListingResult {
  keys: number;
  /** Time to create the keys once, in ms (not a compared figure). */
  createMs: number;
  /** Keys listed per second by each variant. */
  listFiles: Summary;
  raw: Summary;
  /** listFiles / raw, paired per repetition. */
  ratio: Summary;
}

const PREFIX = 'listing/';

/**
 * Listing at scale: creates `keys` small objects once (many in flight), then lists them all,
 * alternately, through `listFiles` and through the raw SDK's `paginateListObjectsV2` (1,000
 * keys a page for both), and deletes them.
 *
 * @param service - the library's service
 * @param client - the raw client
 * @param bucket - an existing bucket
 * @param config - key count and repetitions
 * @param log - progress output
 */
export async function runListing(
  service: BucketService,
  client: S3Client,
  bucket: string,
  config: ListingConfig,
  log: (line: string) => void,
): Promise<ListingResult> {
  const name = (i: number) => `${PREFIX}${String(i).padStart(6, '0')}`;
  const created = await runPool(config.keys, config.createInFlight, (i) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: name(i), Body: 'x' })),
  );
  log(`listing: created ${config.keys} keys in ${(created.wallMs / 1000).toFixed(1)} s`);

  const variants = [
    {
      name: 'listFiles',
      count: async () => {
        let n = 0;
        for await (const file of service.listFiles(bucket, { prefix: PREFIX })) if (file.key) n++;
        return n;
      },
    },
    {
      name: 'raw',
      count: async () => {
        let n = 0;
        const pages = paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: PREFIX });
        for await (const page of pages)
          for (const object of page.Contents ?? []) if (object.Key) n++;
        return n;
      },
    },
  ];
  const rates = new Map<string, number[]>();
  for (let rep = -1; rep < config.repetitions; rep++) {
    for (const variant of rotation(variants, Math.max(rep, 0))) {
      const started = performance.now();
      const n = await variant.count();
      const ms = performance.now() - started;
      if (n !== config.keys) throw new Error(`${variant.name} listed ${n} of ${config.keys} keys`);
      // Repetition -1 is the warm-up.
      if (rep >= 0) rates.set(variant.name, [...(rates.get(variant.name) ?? []), n / (ms / 1000)]);
    }
  }
  const listFiles = rates.get('listFiles') ?? [];
  const raw = rates.get('raw') ?? [];
  const keys = Array.from({ length: config.keys }, (_, i) => name(i));
  const deleted = await service.deleteFiles(bucket, keys);
  if (deleted.failed.length > 0) log(`listing: ${deleted.failed.length} keys not deleted`);
  return {
    keys: config.keys,
    createMs: created.wallMs,
    listFiles: summarize(listFiles),
    raw: summarize(raw),
    ratio: summarize(listFiles.map((rate, i) => rate / (raw[i] ?? Number.NaN))),
  };
}
