import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { BucketError } from 'nest-bucket';
import {
  HTTP_STATUS_BY_BUCKET_ERROR_CODE,
  PUBLIC_MESSAGE_BY_BUCKET_ERROR_CODE,
} from './bucket-error.status';

/** The JSON body of every error response of the demo. */
export interface ApiErrorBody {
  /** The HTTP status, repeated. */
  statusCode: number;
  /** A stable code: a `BucketError` code (`NoSuchKey`), else the status's name (`Unauthorized`). */
  code: string;
  /** A sentence for humans. Never a stack trace, a secret or an internal address. */
  message: string;
}

/** `Payload Too Large` or `PAYLOAD_TOO_LARGE` → `PayloadTooLarge`. */
function pascalCase(text: string): string {
  return text
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');
}

function statusName(status: number): string {
  const name = (HttpStatus as unknown as Record<number, string | undefined>)[status];
  return name ? pascalCase(name) : 'Error';
}

/**
 * What an error becomes on the wire: a body in the {@link ApiErrorBody} shape, or, for an
 * `HttpException` built around a body of its own (Terminus's health report), that body as it is.
 */
export function toErrorResponse(exception: unknown): {
  status: number;
  body: ApiErrorBody | object;
} {
  if (exception instanceof BucketError) {
    const status = HTTP_STATUS_BY_BUCKET_ERROR_CODE[exception.code];
    const message = PUBLIC_MESSAGE_BY_BUCKET_ERROR_CODE[exception.code] ?? exception.message;
    return { status, body: { statusCode: status, code: exception.code, message } };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && !('statusCode' in response)) {
      return { status, body: response };
    }
    const fields = (typeof response === 'object' ? response : { message: response }) as {
      code?: unknown;
      error?: unknown;
      message?: unknown;
    };
    const code =
      typeof fields.code === 'string'
        ? fields.code
        : typeof fields.error === 'string'
          ? pascalCase(fields.error)
          : statusName(status);
    const message = Array.isArray(fields.message)
      ? fields.message.map(String).join('; ')
      : typeof fields.message === 'string'
        ? fields.message
        : exception.message;
    return {
      status,
      body: {
        statusCode: status,
        code,
        message: status >= 500 ? 'Internal server error.' : message,
      },
    };
  }
  const status = HttpStatus.INTERNAL_SERVER_ERROR;
  return {
    status,
    body: { statusCode: status, code: 'InternalServerError', message: 'Internal server error.' },
  };
}

/**
 * The demo's only exception filter: maps `BucketError` codes to HTTP statuses (see
 * `HTTP_STATUS_BY_BUCKET_ERROR_CODE`) and every other error to `{ statusCode, code, message }`.
 * Server-side failures are logged here, with their cause; the client never sees a stack trace.
 *
 * When the request's body was not read to its end (an upload refused with 401 or 413), the
 * connection is closed after the answer, rather than read to its end to be reused.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const { status, body } = toErrorResponse(exception);
    this.log(request, status, exception);
    if (response.headersSent) {
      // A stream broke after its headers went out: the client sees a truncated body.
      response.destroy();
      return;
    }
    if (!request.complete) response.setHeader('Connection', 'close');
    response.status(status).json(body);
  }

  /** Server-side failures only: deliberate HTTP answers (401, 404, 413, a down health) are not. */
  private log(request: Request, status: number, exception: unknown): void {
    const where = `${request.method} ${request.originalUrl} -> ${status}`;
    if (exception instanceof BucketError) {
      if (status < 500) return;
      const line = `${where}: ${exception.code}: ${exception.message}`;
      // An unreachable or slow storage is an outage to watch, not a bug in this code.
      if (exception.code === 'ConnectionFailed' || exception.code === 'Timeout') {
        this.logger.warn(line);
      } else {
        this.logger.error(line);
      }
    } else if (!(exception instanceof HttpException)) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(`${where}: ${error.name}: ${error.message}`, error.stack);
    }
  }
}
