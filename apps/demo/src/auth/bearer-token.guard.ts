import {
  Inject,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DEMO_CONFIG, type DemoConfig } from '../demo.config';
import { markAuthenticated } from './authenticated-requests';

/** Methods that change nothing, and so need no token. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Requires `Authorization: Bearer <DEMO_API_TOKEN>` on every request whose method may change
 * something (all but GET, HEAD and OPTIONS), so that a new mutating route is protected by default.
 * The token is compared in constant time: both sides are hashed to equal-length SHA-256 digests
 * first, so neither the content nor the length of the expected token leaks through timing. A
 * request with the right token is recorded (see `isAuthenticated`), whatever its method.
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  private readonly expectedDigest: Buffer;

  constructor(@Inject(DEMO_CONFIG) config: DemoConfig) {
    this.expectedDigest = sha256(config.apiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (token !== undefined && timingSafeEqual(sha256(token), this.expectedDigest)) {
      markAuthenticated(request);
      return true;
    }
    if (SAFE_METHODS.has(request.method)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="nest-bucket-demo"');
    throw new UnauthorizedException(
      token === undefined
        ? 'This route needs an Authorization: Bearer <DEMO_API_TOKEN> header.'
        : 'The bearer token is wrong.',
    );
  }
}
