import { busyShare, cpuTicks } from '../machine-busy';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { rotation } from '../alternate';
import { writeRandomFile } from '../files';
import type { RssGrowth } from '../memory';
import { summarize, type Summary } from '../stats';
import { runInFreshProcess } from '../transfers/fresh-process';
import {
  downloadVariants,
  uploadVariants,
  type Measured,
  type TransferVariant,
  type VariantContext,
  VARIANT,
} from '../transfers/variants';
import { formatBytes, mibPerSecond } from '../units';

/** One file size and how many timed repetitions it gets. */
export interface TransferSize {
  bytes: number;
  repetitions: number;
}

/** The shape of the large-transfer scenario. */
export interface LargeTransfersConfig {
  sizes: TransferSize[];
  /** Size of the untimed warm-up transfer of every variant; 0 for none. */
  warmupBytes: number;
  /** Sizes up to this also get the `fetch` and bytes-discarded raw-HTTP variants (they cost time). */
  extraReferencesUpToBytes: number;
  /** Whether to probe the library's RSS growth in a fresh process at each size. */
  probeMemory: boolean;
}

/** Figures of one variant at one size. */
export interface VariantResult {
  mibPerSec: Summary;
  rssGrowthMiB: Summary;
  cpuSecondsPerGiB: Summary;
  /** The share of all the machine's CPUs busy during the run (client, server, kernel). */
  machineBusy?: Summary;
}

/** Figures of one size: per direction, per variant name. */
export interface SizeResult {
  bytes: number;
  upload: Record<string, VariantResult>;
  download: Record<string, VariantResult>;
  /**
   * RSS growth of one more library transfer in a fresh process (see `runInFreshProcess`), with
   * `probeMemory`.
   */
  probe?: { upload: RssGrowth; download: RssGrowth };
}

/** Where the measurements of one direction go, and how to name them. */
interface Phase {
  variants: TransferVariant[];
  repetitions: number;
  base: { bucket: string; size: number };
  job: (variant: TransferVariant, rep: number) => { key: string; path: string };
  /** Untimed, after each run: delete the object. */
  after: (key: string) => Promise<void>;
  /** Progress label; empty for the warm-up. */
  label: string;
}

/** Runs every variant once per repetition, in rotated order. */
async function measureAll(
  phase: Phase,
  log: (line: string) => void,
): Promise<Record<string, VariantResult>> {
  const runs = new Map<string, Measured[]>();
  for (let rep = 0; rep < phase.repetitions; rep++) {
    const line: string[] = [];
    for (const variant of rotation(phase.variants, rep)) {
      const { key, path } = phase.job(variant, rep);
      try {
        const before = cpuTicks();
        const measured = await variant.measure({ ...phase.base, key, path });
        // Node variants sample their timed window; the others, the whole run of their process.
        measured.machineBusy ??= busyShare(before, cpuTicks());
        runs.set(variant.name, [...(runs.get(variant.name) ?? []), measured]);
        line.push(`${variant.name} ${mibPerSecond(phase.base.size, measured.ms).toFixed(0)} MiB/s`);
      } finally {
        await phase.after(key);
      }
    }
    if (phase.label) log(`${phase.label} ${rep + 1}/${phase.repetitions}: ${line.join(', ')}`);
  }
  return Object.fromEntries(
    phase.variants.map((v) => {
      const measured = runs.get(v.name) ?? [];
      return [
        v.name,
        {
          mibPerSec: summarize(measured.map((m) => mibPerSecond(phase.base.size, m.ms))),
          rssGrowthMiB: summarize(measured.map((m) => m.rssGrowthMiB)),
          cpuSecondsPerGiB: summarize(measured.map((m) => m.cpuSecondsPerGiB)),
          machineBusy: summarize(
            measured.map((m) => m.machineBusy ?? Number.NaN).filter(Number.isFinite),
          ),
        },
      ];
    }),
  );
}

/**
 * Large transfers: for each size, writes a random file, then times every upload variant (each
 * object deleted right after, so that the in-memory server does not fill up) and probes the
 * library's upload memory in a fresh process; then uploads the file once more, times every
 * download variant into the work folder (each file removed right after) and probes the library's
 * download memory. Variants alternate in rotated order; one warm-up transfer of each comes first.
 *
 * @param context - clients and settings
 * @param bucket - an existing bucket
 * @param folder - the work folder for the big files
 * @param config - sizes and repetitions
 * @param log - progress output
 */
export async function runLargeTransfers(
  context: VariantContext,
  bucket: string,
  folder: string,
  config: LargeTransfersConfig,
  log: (line: string) => void,
): Promise<SizeResult[]> {
  const remove = async (key: string) => {
    await context.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  };
  const slug = (variant: TransferVariant) => variant.name.replace(/\W/g, '');
  const results: SizeResult[] = [];
  const sizes = [
    ...(config.warmupBytes > 0
      ? [{ bytes: config.warmupBytes, repetitions: 1, warmup: true }]
      : []),
    ...config.sizes.map((s) => ({ ...s, warmup: false })),
  ];
  for (const { bytes, repetitions, warmup } of sizes) {
    const label = warmup ? '' : formatBytes(bytes);
    const withFetch = bytes <= config.extraReferencesUpToBytes;
    const source = join(folder, `source-${bytes}`);
    await writeRandomFile(source, bytes);
    try {
      const base = { bucket, size: bytes };
      const upload = await measureAll(
        {
          variants: uploadVariants(context, withFetch),
          repetitions,
          base,
          job: (variant, rep) => ({
            key: `large/${bytes}/up-${slug(variant)}-${rep}`,
            path: source,
          }),
          after: remove,
          label: label && `upload ${label}`,
        },
        log,
      );
      const probeKey = `large/${bytes}/probe`;
      const probeBase = {
        server: context.server,
        variant: VARIANT.library,
        rawHttp: context.rawHttp,
        folder,
      };
      const probeUpload =
        warmup || !config.probeMemory
          ? undefined
          : await runInFreshProcess({
              ...probeBase,
              direction: 'upload',
              job: { bucket, key: probeKey, path: source, size: bytes },
            }).finally(() => remove(probeKey));
      const key = `large/${bytes}/source`;
      // Uploaded by the library, which records its part size: `downloadFile` then hashes the
      // whole multipart object against its ETag, the check a user gets on their own uploads.
      await context.service.uploadFile(bucket, source, key);
      try {
        const download = await measureAll(
          {
            variants: downloadVariants(context, withFetch),
            repetitions,
            base,
            job: (variant) => ({ key, path: join(folder, `download-${slug(variant)}`) }),
            after: () => Promise.resolve(),
            label: label && `download ${label}`,
          },
          log,
        );
        if (warmup) continue;
        if (probeUpload) {
          const path = join(folder, 'probe-download');
          const probeDownload = await runInFreshProcess({
            ...probeBase,
            direction: 'download',
            job: { bucket, key, path, size: bytes },
          }).finally(() => rm(path, { force: true }));
          log(
            `${label} RSS growth in a fresh process: uploadFile ${probeUpload.rss.growthMiB.toFixed(0)} MiB, downloadFile ${probeDownload.rss.growthMiB.toFixed(0)} MiB`,
          );
          results.push({
            bytes,
            upload,
            download,
            probe: { upload: probeUpload.rss, download: probeDownload.rss },
          });
        } else {
          results.push({ bytes, upload, download });
        }
      } finally {
        await remove(key);
      }
    } finally {
      await rm(source, { force: true });
    }
  }
  return results;
}
