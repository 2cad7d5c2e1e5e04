import { createHash, randomBytes } from 'node:crypto';
import type {
  CompletedUploadPart,
  CreateMultipartUploadOptions,
  UploadedPart,
} from '../bucket.types';

/**
 * The unfinished multipart uploads of the in-memory fake (those begun by
 * `createMultipartUpload`), with the parts sent to their presigned URLs, and how S3 joins them.
 * @internal
 */

/** The smallest part S3 accepts, but for the last one. */
const MIN_PART_BYTES = 5 * 1024 * 1024;

/** One unfinished upload. */
export interface PendingUpload {
  bucket: string;
  key: string;
  options: CreateMultipartUploadOptions;
  parts: Map<number, { data: Buffer; etag: string }>;
}

/** An S3 error answer's name and status, for the fake to throw or send. */
export interface S3Refusal {
  name: string;
  status: number;
  message: string;
}

/** The joined bytes and the multipart ETag of a completed upload. */
export interface JoinedUpload {
  upload: PendingUpload;
  data: Buffer;
  etag: string;
}

/** Unfinished multipart uploads, by id. */
export class InMemoryMultipartUploads {
  private readonly uploads = new Map<string, PendingUpload>();

  /** Begins an upload, and returns its id. */
  create(bucket: string, key: string, options: CreateMultipartUploadOptions): string {
    const uploadId = randomBytes(16).toString('hex');
    this.uploads.set(uploadId, { bucket, key, options, parts: new Map() });
    return uploadId;
  }

  /** The upload with this id for this object, or the refusal S3 would send. */
  find(bucket: string, key: string, uploadId: string): PendingUpload | S3Refusal {
    const upload = this.uploads.get(uploadId);
    if (upload?.bucket !== bucket || upload.key !== key) {
      return { name: 'NoSuchUpload', status: 404, message: 'The specified upload does not exist.' };
    }
    return upload;
  }

  /** Stores a part's bytes (replacing an earlier send of the same part); returns its ETag. */
  putPart(upload: PendingUpload, partNumber: number, data: Buffer): string {
    const etag = createHash('md5').update(data).digest('hex');
    upload.parts.set(partNumber, { data, etag });
    return etag;
  }

  /** The parts held, in part order. */
  list(upload: PendingUpload): UploadedPart[] {
    return [...upload.parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partNumber, part]) => ({ partNumber, size: part.data.length, etag: part.etag }));
  }

  /**
   * Joins the named parts as S3 does: each must be held with that ETag (`InvalidPart`), each but
   * the last at least 5 MiB (`EntityTooSmall`); the upload is then gone.
   */
  complete(
    uploadId: string,
    upload: PendingUpload,
    named: CompletedUploadPart[],
  ): JoinedUpload | S3Refusal {
    const sorted = [...named].sort((a, b) => a.partNumber - b.partNumber);
    const chunks: Buffer[] = [];
    const digests: Buffer[] = [];
    for (const [index, part] of sorted.entries()) {
      const held = upload.parts.get(part.partNumber);
      if (held?.etag !== part.etag.replace(/^"|"$/g, '')) {
        return {
          name: 'InvalidPart',
          status: 400,
          message: `part ${part.partNumber} was not uploaded with that ETag`,
        };
      }
      if (index < sorted.length - 1 && held.data.length < MIN_PART_BYTES) {
        return {
          name: 'EntityTooSmall',
          status: 400,
          message: `part ${part.partNumber} is smaller than 5 MiB`,
        };
      }
      chunks.push(held.data);
      digests.push(Buffer.from(held.etag, 'hex'));
    }
    this.uploads.delete(uploadId);
    const etag = `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${digests.length}`;
    return { upload, data: Buffer.concat(chunks), etag };
  }

  /** Drops an upload and its parts; an unknown one is ignored, as S3's abort of a gone upload. */
  abort(uploadId: string): void {
    this.uploads.delete(uploadId);
  }

  /** How many uploads are unfinished in a bucket, for tests (as ListMultipartUploads would tell). */
  countIn(bucket: string): number {
    return [...this.uploads.values()].filter((upload) => upload.bucket === bucket).length;
  }

  /** Forgets every upload (the fake's `reset`). */
  clear(): void {
    this.uploads.clear();
  }
}

/** Whether a lookup found an upload rather than a refusal. */
export function isRefusal(value: object): value is S3Refusal {
  return 'status' in value && 'name' in value && !('parts' in value);
}
