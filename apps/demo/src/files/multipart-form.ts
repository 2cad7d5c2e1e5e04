import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/** The file part of a multipart form, as it streams in. */
export interface MultipartFile {
  /** The part's bytes. Consume it (or destroy it): the rest of the form waits for it. */
  stream: Readable;
  /** The file name the client sent, without any folder. */
  filename: string;
  /** The part's Content-Type; `application/octet-stream` when the client sent none. */
  mimeType: string;
  /** The text fields that came before the file part. */
  fields: Readonly<Partial<Record<string, string>>>;
}

/** The limits of a form: one file, a few small text fields. */
const FORM_LIMITS = { files: 1, fields: 16, fieldSize: 4096, parts: 32, headerPairs: 64 };

/**
 * Reads a `multipart/form-data` request with busboy and hands the part named `fieldName` to
 * `store` as soon as its headers arrive, so that the file streams through without being held in
 * memory or on disk. Other file parts are skipped. Resolves with what `store` resolves with, once
 * the whole form is read.
 *
 * @throws UnsupportedMediaTypeException (415) when the request is not a multipart form
 * @throws BadRequestException (400) when the form is malformed or has no such file part
 */
export function readMultipartFile<T>(
  request: IncomingMessage,
  fieldName: string,
  store: (file: MultipartFile) => Promise<T>,
): Promise<T> {
  let parser: busboy.Busboy;
  try {
    // Browsers send file names as raw UTF-8, which busboy would read as latin1 by default.
    parser = busboy({ headers: request.headers, limits: FORM_LIMITS, defParamCharset: 'utf8' });
  } catch {
    return Promise.reject(
      new UnsupportedMediaTypeException(
        'POST expects a multipart/form-data body with a "file" field; use PUT for a raw body.',
      ),
    );
  }
  return new Promise<T>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let stored: Promise<T> | undefined;
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      request.unpipe(parser);
      return true;
    };
    const fail = (error: unknown): void => {
      if (settle()) reject(error instanceof Error ? error : new Error(String(error)));
    };
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== fieldName || stored) {
        stream.resume();
        return;
      }
      stored = store({
        stream,
        filename: info.filename,
        mimeType: info.mimeType || 'application/octet-stream',
        fields: { ...fields },
      });
      // A failed store stops reading the form at once: its file stream would never drain.
      stored.catch(fail);
    });
    parser.on('close', () => {
      if (!stored) {
        fail(new BadRequestException(`The form has no file field "${fieldName}".`));
        return;
      }
      stored.then(
        (value) => {
          if (settle()) resolve(value);
        },
        () => undefined, // handled by the catch above
      );
    });
    parser.on('error', (error: unknown) => {
      const detail = error instanceof Error ? `: ${error.message}` : '';
      fail(new BadRequestException(`Malformed multipart form${detail}.`));
    });
    request.on('error', (error) => {
      parser.destroy(error);
    });
    request.pipe(parser);
  });
}
