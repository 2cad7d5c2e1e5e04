import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { BucketService } from 'nest-bucket';
import { DEMO_CONFIG, type DemoConfig } from '../demo.config';
import { readMultipartFile } from './multipart-form';
import {
  UploadLimitStream,
  assertDeclaredLengthWithin,
  declaredLength,
  uploadTooLarge,
} from './upload-limit';

/** What an upload answers (201): where the object went, its size and ETag. */
export interface StoredObject {
  /** The bucket written to. */
  bucket: string;
  /** The key written, decoded. */
  key: string;
  /** The bytes received and stored. */
  size: number;
  /** The ETag, without quotes, when the server returned one. */
  etag?: string;
  /** The Content-Type stored with the object. */
  contentType: string;
}

/** Room for a multipart form's boundaries and part headers around the file itself. */
const MULTIPART_FRAMING_ALLOWANCE = 64 * 1024;

/** The form field that carries the file. */
const FILE_FIELD = 'file';

/** The form field that may name the key, when the URL does not (it must come before the file). */
const KEY_FIELD = 'key';

/**
 * Streams HTTP uploads to storage without holding them in memory: a raw body (PUT) or the `file`
 * part of a multipart form (POST). Enforces `DEMO_MAX_UPLOAD_BYTES` twice: from `Content-Length`
 * before reading anything, and by counting the bytes as they stream (chunked bodies); crossing
 * the limit aborts the storage request, so nothing half-written remains.
 */
@Injectable()
export class ObjectUploader {
  constructor(
    private readonly storage: BucketService,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
  ) {}

  /** Stores the raw body of `request` under `key`, with the request's Content-Type. */
  async putRaw(bucket: string, key: string, request: IncomingMessage): Promise<StoredObject> {
    assertDeclaredLengthWithin(request, this.config.maxUploadBytes);
    const contentType = request.headers['content-type'] ?? 'application/octet-stream';
    return this.store(bucket, key, request, request, {
      contentType,
      contentLength: declaredLength(request),
    });
  }

  /**
   * Stores the `file` part of a multipart form, under `key` when given, else under the form's
   * `key` field, else under the file's name. The part's own Content-Type is kept.
   */
  async postMultipart(
    bucket: string,
    key: string | undefined,
    request: IncomingMessage,
  ): Promise<StoredObject> {
    assertDeclaredLengthWithin(request, this.config.maxUploadBytes, MULTIPART_FRAMING_ALLOWANCE);
    return readMultipartFile(request, FILE_FIELD, (file) => {
      const target = key ?? file.fields[KEY_FIELD] ?? file.filename;
      if (!target) {
        file.stream.resume();
        return Promise.reject(
          new BadRequestException(
            'No key: put it in the URL, in a "key" field, or as a file name.',
          ),
        );
      }
      return this.store(bucket, target, file.stream, request, { contentType: file.mimeType });
    });
  }

  private async store(
    bucket: string,
    key: string,
    source: Readable,
    request: IncomingMessage,
    { contentType, contentLength }: { contentType: string; contentLength?: number },
  ): Promise<StoredObject> {
    const limit = this.config.maxUploadBytes;
    const abort = new AbortController();
    const counter = new UploadLimitStream(limit, () => {
      abort.abort(uploadTooLarge(limit));
    });
    const onSourceError = (error: Error) => {
      abort.abort(error);
      counter.destroy(error);
    };
    // The client went away mid-body: abort, so that no partial object or upload is left.
    const onRequestClose = () => {
      if (!request.complete) onSourceError(new Error('the client closed the request'));
    };
    source.once('error', onSourceError);
    request.once('close', onRequestClose);
    source.pipe(counter);
    try {
      const { etag } = await this.storage.putObject(bucket, key, counter, {
        contentType,
        contentLength,
        signal: abort.signal,
      });
      // Some servers (Ceph RGW Pacific) return an empty ETag for a multipart upload.
      return { bucket, key, size: counter.bytes, ...(etag ? { etag } : {}), contentType };
    } catch (error) {
      if (counter.exceeded) throw uploadTooLarge(limit);
      throw error;
    } finally {
      source.off('error', onSourceError);
      request.off('close', onRequestClose);
      source.unpipe(counter);
      counter.destroy();
    }
  }
}
