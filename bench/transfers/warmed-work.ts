import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { rm } from 'node:fs/promises';
import { createBenchService, createRawClient } from '../clients';
import { writeRandomFile } from '../files';
import type { ServerConnection } from '../server';
import { MIB } from '../units';
import { createMinioClient } from './minio';
import { nodeWork, type NodeVariantName, type TransferJob } from './node-work';
import type { RawHttpPlan } from './raw-http';

const WARMUP_BYTES = 24 * MIB;

/** A Node variant's transfer, ready to time in this process, and how to release its clients. */
export interface WarmedWork {
  work: (job: TransferJob) => Promise<number | undefined>;
  close: () => Promise<void>;
}

/** What a fresh bench process needs to make one variant's transfers. */
export interface WarmUpRequest {
  server: ServerConnection;
  variant: NodeVariantName;
  direction: 'upload' | 'download';
  /** The timed transfer: its bucket holds the warm-up object. */
  job: TransferJob;
  rawHttp: RawHttpPlan;
  /** A folder for the warm-up file. */
  folder: string;
}

/**
 * Builds the service and a raw client in this (fresh) process, and warms the variant up with
 * one transfer of 24 MiB (code loading, JIT, sockets), whose object and file are then removed.
 * Shared by the bench's fresh children (`fresh-child.ts`, `profile/child.ts`).
 */
export async function warmedWork(request: WarmUpRequest): Promise<WarmedWork> {
  const { job, direction, server } = request;
  const { service, close } = await createBenchService(server);
  const client = createRawClient(server);
  const release = async () => {
    client.destroy();
    await close();
  };
  try {
    const work = nodeWork(request.variant, direction, {
      service,
      client,
      rawHttp: request.rawHttp,
      minio: createMinioClient(server),
    });
    const warmup = {
      bucket: job.bucket,
      key: `${job.key}.warmup`,
      path: `${request.folder}/warmup-${process.pid}`,
      size: WARMUP_BYTES,
    };
    await writeRandomFile(warmup.path, WARMUP_BYTES);
    // Uploaded as the timed object is, by the module, so that the warm-up takes the same path
    // (the check of the multipart ETag).
    if (direction === 'download') await service.uploadFile(warmup.bucket, warmup.path, warmup.key);
    await work(warmup);
    await rm(warmup.path, { force: true });
    await client.send(new DeleteObjectCommand({ Bucket: warmup.bucket, Key: warmup.key }));
    return { work, close: release };
  } catch (error) {
    await release();
    throw error;
  }
}
