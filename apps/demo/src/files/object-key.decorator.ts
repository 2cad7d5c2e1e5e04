import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/** The name of the wildcard route parameter that holds an object key: `files/*key`. */
export const OBJECT_KEY_PARAM = 'key';

/**
 * The object key of a `files/*key` route, decoded: Express 5 hands a wildcard over as its
 * percent-decoded path segments (`a/b c/été.txt` → `['a', 'b c', 'été.txt']`), joined back here
 * with `/`. Empty segments survive, so `dir/` and `a//b` stay distinct keys; `%2F` inside a
 * segment also becomes `/`.
 */
export const ObjectKey = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const value: unknown = context.switchToHttp().getRequest<Request>().params[OBJECT_KEY_PARAM];
  if (Array.isArray(value)) return value.map(String).join('/');
  return typeof value === 'string' ? value : '';
});
