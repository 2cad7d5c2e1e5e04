import { createHash, type Hash } from 'node:crypto';

/**
 * The user-metadata name (`x-amz-meta-nest-bucket-part-size`) under which this library's
 * multipart uploads and copies record their part size. With it, a download can recompute the
 * object's multipart ETag (the MD5 of the parts' MD5s) from the bytes it received: S3 servers
 * give no other checksum of a multipart object's bytes (Ceph RGW 16 ignores `partNumber` and
 * stores no part checksums). The library hides it from the metadata it returns.
 * @internal
 */
export const PART_SIZE_METADATA = 'nest-bucket-part-size';

/** What an answer says of the object, for {@link objectDigestOf}. @internal */
export interface ObjectAnswer {
  ETag?: string;
  Metadata?: Record<string, string>;
  ServerSideEncryption?: string;
  SSECustomerAlgorithm?: string;
}

/** A running check of an object's bytes against its ETag, fed in order from byte 0. @internal */
export interface ObjectDigest {
  /** Feeds the next bytes of the object. */
  update(chunk: Uint8Array): void;
  /** After the last byte: `undefined` when the bytes match the ETag, else what differs. */
  mismatch(): string | undefined;
  /**
   * A feed for the bytes of one range, hashed apart from the others so that ranges may arrive
   * in any order and in parallel: given only when the range is made of whole parts of a
   * multipart object (`undefined` otherwise, and always for a single-part object, whose MD5
   * takes its bytes in order). A digest fed by ranges is not fed by `update`.
   */
  rangeFeed?(start: number, length: number): ((chunk: Uint8Array) => void) | undefined;
}

/** Metadata with the part size recorded, for a multipart upload's creation. @internal */
export function withPartSize(
  metadata: Record<string, string> | undefined,
  partSizeBytes: number,
): Record<string, string> {
  return { ...metadata, [PART_SIZE_METADATA]: String(partSizeBytes) };
}

/** The user's metadata, without the part size this library records. @internal */
export function withoutPartSize(
  metadata: Record<string, string> | undefined,
): Record<string, string> {
  if (!metadata || !(PART_SIZE_METADATA in metadata)) return metadata ?? {};
  return Object.fromEntries(
    Object.entries(metadata).filter(([name]) => name !== PART_SIZE_METADATA),
  );
}

/** The ETag without quotes, lowercase, unless the object is encrypted with a key (SSE-KMS, SSE-C). */
function plainEtag(answer: ObjectAnswer): string | undefined {
  if (answer.SSECustomerAlgorithm) return undefined;
  if (answer.ServerSideEncryption?.startsWith('aws:kms')) return undefined;
  return answer.ETag?.replace(/^"|"$/g, '').toLowerCase();
}

/**
 * The MD5 of an object's bytes, hex, when its ETag is one: a single-part upload (32 hex digits,
 * no `-N` suffix) stored without SSE-KMS or SSE-C, whose ETags are not the MD5 of the bytes.
 * @internal
 */
export function md5OfEtag(answer: ObjectAnswer): string | undefined {
  const etag = plainEtag(answer);
  return etag !== undefined && /^[0-9a-f]{32}$/.test(etag) ? etag : undefined;
}

/**
 * The check of a whole object of `size` bytes against its ETag, where the ETag can be
 * recomputed: the MD5 of a single-part object, or the multipart ETag (`md5(md5(part 1) ‖ ...)-N`)
 * of an object whose part size this library recorded ({@link PART_SIZE_METADATA}) and whose part
 * count matches it. `undefined` otherwise (a multipart object from another uploader, SSE-KMS,
 * SSE-C): then only lengths are checked.
 * @internal
 */
export function objectDigestOf(answer: ObjectAnswer, size: number): ObjectDigest | undefined {
  const md5 = md5OfEtag(answer);
  if (md5 !== undefined) return new WholeMd5(md5);
  const multipart = /^([0-9a-f]{32})-(\d+)$/.exec(plainEtag(answer) ?? '');
  const partSize = Number(answer.Metadata?.[PART_SIZE_METADATA]);
  if (!multipart || !Number.isSafeInteger(partSize) || partSize <= 0) return undefined;
  const parts = Number(multipart[2]);
  if (Math.ceil(size / partSize) !== parts) return undefined;
  return new PartedMd5(`${multipart[1]}-${parts}`, partSize, size);
}

/** The MD5 of the whole object, against a single-part ETag. */
class WholeMd5 implements ObjectDigest {
  private readonly hash = createHash('md5');

  constructor(private readonly expected: string) {}

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  mismatch(): string | undefined {
    const actual = this.hash.digest('hex');
    return actual === this.expected
      ? undefined
      : `the MD5 of the bytes received is ${actual}, the ETag's ${this.expected}`;
  }
}

/** The MD5 of each part's MD5, against a multipart ETag. */
class PartedMd5 implements ObjectDigest {
  /** Each part's MD5, by part index. */
  private readonly partDigests: (Buffer | undefined)[] = [];
  /** The feeds that have not finished their last part yet. */
  private readonly open = new Set<PartFeed>();
  private sequential: PartFeed | undefined;

  constructor(
    private readonly expected: string,
    private readonly partSize: number,
    private readonly size: number,
  ) {}

  update(chunk: Uint8Array): void {
    this.sequential ??= this.feedFrom(0);
    this.sequential.update(chunk);
  }

  rangeFeed(start: number, length: number): ((chunk: Uint8Array) => void) | undefined {
    const wholeParts = length % this.partSize === 0 || start + length === this.size;
    if (start % this.partSize !== 0 || !wholeParts) return undefined;
    const feed = this.feedFrom(start / this.partSize);
    return (chunk) => {
      feed.update(chunk);
    };
  }

  mismatch(): string | undefined {
    for (const feed of this.open) feed.end();
    const parts = Math.max(1, Math.ceil(this.size / this.partSize));
    const digests: Buffer[] = [];
    for (let index = 0; index < parts; index++) {
      const digest = this.partDigests[index];
      if (digest === undefined) return `part ${index + 1} of ${parts} was never received`;
      digests.push(digest);
    }
    const combined = createHash('md5').update(Buffer.concat(digests)).digest('hex');
    const actual = `${combined}-${parts}`;
    return actual === this.expected
      ? undefined
      : `the multipart ETag of the bytes received (parts of ${this.partSize} bytes) is ${actual}, the object's ${this.expected}`;
  }

  private feedFrom(firstPart: number): PartFeed {
    const feed = new PartFeed(this.partSize, firstPart, (index, digest) => {
      this.partDigests[index] = digest;
    });
    this.open.add(feed);
    return feed;
  }
}

/** Hashes consecutive parts from `index` on, handing each part's MD5 to `done`. */
class PartFeed {
  private hash: Hash = createHash('md5');
  private inPart = 0;

  constructor(
    private readonly partSize: number,
    private index: number,
    private readonly done: (index: number, digest: Buffer) => void,
  ) {}

  update(chunk: Uint8Array): void {
    for (let offset = 0; offset < chunk.length;) {
      const take = Math.min(this.partSize - this.inPart, chunk.length - offset);
      this.hash.update(chunk.subarray(offset, offset + take));
      this.inPart += take;
      offset += take;
      if (this.inPart === this.partSize) this.endPart();
    }
  }

  /** Ends the last, shorter part, if bytes of it came. */
  end(): void {
    if (this.inPart > 0) this.endPart();
  }

  private endPart(): void {
    this.done(this.index++, this.hash.digest());
    this.hash = createHash('md5');
    this.inPart = 0;
  }
}
