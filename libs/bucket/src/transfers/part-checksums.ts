import { createHash, type Hash } from 'node:crypto';
import type { BucketErrorContext } from '../bucket.errors';
import { unquote } from '../operations/etag';
import { integrityError } from './body-check';
import { contentMd5OfFileRange, type FileRange } from './file-range';

/** What one attempt at a part sends for its check. @internal */
export interface PartAttempt {
  /** The part's `Content-MD5`, for the server to check. */
  contentMd5?: string;
  /** Sees the bytes as they are sent, to hash them. */
  onChunk?: (chunk: Buffer) => void;
}

/**
 * How the parts of one multipart upload from a file are checked end to end, reading each part
 * once rather than twice where the server allows it.
 *
 * S3 servers (AWS, MinIO, Ceph RGW) answer an UploadPart of an unencrypted or SSE-S3 part with
 * the MD5 of the bytes they received as its ETag. So a part is hashed as it is sent, and its
 * ETag compared with that hash: a part corrupted on the way shows as a different ETag, and is
 * sent again, this time with its `Content-MD5` (hashed from the file first), which the server
 * checks itself. A corrupted part is thus replaced before the upload is completed, never
 * stored. Where a part sent with `Content-MD5` is accepted with an ETag that is not its MD5
 * (a server with another ETag scheme), every later part of the upload gets its `Content-MD5`
 * up front. Parts encrypted with SSE-KMS or SSE-C, whose ETags are not MD5s, always do.
 * @internal
 */
export class PartChecksums {
  private etagIsMd5: boolean;

  constructor(
    private readonly enabled: boolean,
    encryption: { SSECustomerAlgorithm?: string; ServerSideEncryption?: string },
  ) {
    this.etagIsMd5 =
      encryption.SSECustomerAlgorithm === undefined &&
      !(encryption.ServerSideEncryption ?? '').startsWith('aws:kms');
  }

  /** The check of one part, across its attempts. */
  forPart(range: FileRange, partNumber: number, context: BucketErrorContext): PartCheck {
    return new PartCheck(this, range, partNumber, context);
  }

  /** Whether a part may be checked by its ETag alone. */
  get trustsEtags(): boolean {
    return this.enabled && this.etagIsMd5;
  }

  /** Whether parts are checked at all (`verifyChecksums`). */
  get isEnabled(): boolean {
    return this.enabled;
  }

  /** Learns that this server's part ETags are not MD5s. */
  distrustEtags(): void {
    this.etagIsMd5 = false;
  }
}

/** The check of one part: hashed as sent, or sent with its `Content-MD5`. @internal */
export class PartCheck {
  private contentMd5: string | undefined;
  private hash: Hash | undefined;
  private suspect = false;

  constructor(
    private readonly upload: PartChecksums,
    private readonly range: FileRange,
    private readonly partNumber: number,
    private readonly context: BucketErrorContext,
  ) {}

  /** What the next attempt sends: a hash of the bytes on the way, or a `Content-MD5`. */
  async prepare(signal?: AbortSignal): Promise<PartAttempt> {
    this.hash = undefined;
    if (!this.upload.isEnabled) return {};
    if (this.upload.trustsEtags && !this.suspect) {
      const hash = createHash('md5');
      this.hash = hash;
      return { onChunk: (chunk) => hash.update(chunk) };
    }
    this.contentMd5 ??= await contentMd5OfFileRange(this.range, signal);
    return { contentMd5: this.contentMd5 };
  }

  /**
   * Checks the server's answer to the attempt.
   * @throws BucketError `IntegrityError` when the ETag is not the MD5 of the bytes sent: the
   * part is then sent again, with its `Content-MD5`
   */
  verify(etag: string | undefined): void {
    const received = unquote(etag)?.toLowerCase();
    if (this.hash) {
      const sent = this.hash.digest('hex');
      this.hash = undefined;
      if (received === sent) return;
      this.suspect = true;
      throw integrityError(
        this.context,
        `part ${this.partNumber}: the server's ETag ${String(received)} is not the MD5 of the bytes sent, ${sent}`,
      );
    }
    if (this.contentMd5 === undefined) return;
    const md5 = Buffer.from(this.contentMd5, 'base64').toString('hex');
    // The server checked the Content-MD5 and took the part: its ETags are something else.
    if (received !== md5) this.upload.distrustEtags();
  }
}
