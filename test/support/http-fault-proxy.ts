import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** Which requests a rule is about. Every field given must match. */
export interface HttpFaultMatch {
  /** The HTTP method, for example `PUT`. */
  method?: string;
  /** The path (`/bucket/key`), exactly or as a pattern. */
  path?: string | RegExp;
  /**
   * Query parameters: a string must equal the value, `true` means present, `false` absent. For
   * example `{ partNumber: '2' }`, or `{ uploadId: false }` for a plain PutObject.
   */
  query?: Record<string, string | boolean>;
  /**
   * Which of the matching requests get the fault, counting from 1. Default: every one.
   */
  nth?: number | readonly number[];
}

/** What happens to a request that a rule picks. */
export type HttpFault =
  /** Answers at once with this status and an S3 XML error body; the server never sees it. */
  | { kind: 'status'; status: number; code: string; retryAfterSeconds?: number }
  /** Inverts one byte of the request body on its way to the server (default: the middle one). */
  | { kind: 'flipRequestByte'; offset?: number }
  /** Inverts one byte of the response body (default: the middle one). */
  | { kind: 'flipResponseByte'; offset?: number }
  /**
   * Drops the last `bytes` of the response body. With `keepContentLength`, the headers still
   * announce the full length and the connection closes early; otherwise Content-Length is
   * lowered to match, a well-formed but short answer.
   */
  | { kind: 'shortenResponse'; bytes: number; keepContentLength?: boolean }
  /**
   * Appends `bytes` bytes to the response body. With `keepContentLength`, they come after the
   * announced length (then the connection closes); otherwise Content-Length is raised to match.
   */
  | { kind: 'lengthenResponse'; bytes: number; keepContentLength?: boolean }
  /** Replaces a header of the server's answer (e.g. an ETag that is not an MD5). */
  | { kind: 'responseHeader'; name: string; value: string }
  /** Waits before the response headers. */
  | { kind: 'delay'; ms: number }
  /** Sends the response body at this rate. */
  | { kind: 'trickle'; bytesPerSecond: number }
  /** Reads the request body at this rate (the client sees a server that takes bytes slowly). */
  | { kind: 'trickleRequest'; bytesPerSecond: number };

/** A rule of the proxy: what it matches, what it does, and how often that happened. */
export interface HttpFaultRule {
  readonly match: HttpFaultMatch;
  readonly fault: HttpFault;
  /** Requests that matched `method`, `path` and `query` so far. */
  readonly matched: number;
  /** Requests that got the fault so far. */
  readonly applied: number;
  /** Stops applying the rule. */
  remove(): void;
}

/** A request as the proxy saw it: no header nor query value is kept (signed URLs hold secrets). */
export interface SeenRequest {
  method: string;
  path: string;
  /** The names of the query parameters. */
  query: string[];
  /** The names of the request's headers, lowercase (their values are not kept). */
  headers: string[];
}

interface RuleState {
  match: HttpFaultMatch;
  fault: HttpFault;
  matched: number;
  applied: number;
  removed: boolean;
}

const CHUNK_INTERVAL_MS = 100;

/** An S3 error document, as a server writes it. */
export function s3ErrorBody(code: string, message = `Injected ${code}`): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>http-fault-proxy</RequestId></Error>`;
}

function matches(match: HttpFaultMatch, method: string, url: URL): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
  if (typeof match.path === 'string' && match.path !== decodeURIComponent(url.pathname))
    return false;
  if (match.path instanceof RegExp && !match.path.test(decodeURIComponent(url.pathname)))
    return false;
  for (const [name, wanted] of Object.entries(match.query ?? {})) {
    const value = url.searchParams.get(name);
    if (wanted === true ? value === null : wanted === false ? value !== null : value !== wanted)
      return false;
  }
  return true;
}

function picks(match: HttpFaultMatch, count: number): boolean {
  if (match.nth === undefined) return true;
  return typeof match.nth === 'number' ? match.nth === count : match.nth.includes(count);
}

/** Writes a chunk, waiting for the destination to drain; false if the destination went away. */
async function writeChunk(to: Writable, chunk: Buffer): Promise<boolean> {
  if (to.destroyed) return false;
  if (to.write(chunk)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      to.off('drain', done);
      to.off('close', done);
      resolve();
    };
    to.on('drain', done);
    to.on('close', done);
  });
  return !to.destroyed;
}

/** Copies a body, inverting the byte at `flipAt` (if any) and keeping at most `limit` bytes. */
async function pump(
  from: Readable,
  to: Writable,
  { flipAt, limit = Infinity, bytesPerSecond }: FlowShape,
): Promise<number> {
  let position = 0;
  for await (const data of from as AsyncIterable<Buffer>) {
    let chunk = data;
    if (position >= limit) continue; // drain the rest
    if (position + chunk.length > limit) chunk = chunk.subarray(0, limit - position);
    if (flipAt !== undefined && flipAt >= position && flipAt < position + chunk.length) {
      chunk = Buffer.from(chunk);
      chunk[flipAt - position] ^= 0xff;
    }
    position += chunk.length;
    if (bytesPerSecond === undefined) {
      if (!(await writeChunk(to, chunk))) break;
      continue;
    }
    const slice = Math.max(1, Math.floor((bytesPerSecond * CHUNK_INTERVAL_MS) / 1000));
    for (let at = 0; at < chunk.length; at += slice) {
      if (!(await writeChunk(to, chunk.subarray(at, at + slice)))) return position;
      await sleep((1000 * Math.min(slice, chunk.length - at)) / bytesPerSecond);
    }
  }
  return position;
}

interface FlowShape {
  flipAt?: number;
  limit?: number;
  bytesPerSecond?: number;
}

/**
 * An HTTP proxy on loopback in front of a real S3 server, for fault injection at the HTTP
 * level (the TCP-level `FaultProxy` only cuts or refuses connections). Requests go through
 * unchanged, Host header included, so SigV4 signatures stay valid; a rule picks requests by
 * method, path, query and rank, and answers an error status, corrupts, shortens, lengthens,
 * delays or trickles a body. Each rule counts the requests it matched and the faults it applied,
 * so that a test can assert that a retry happened.
 */
export class HttpFaultProxy {
  private server?: Server;
  private readonly rules: RuleState[] = [];
  private readonly sockets = new Set<Socket>();
  /** Every request seen, in order, without header or query values. */
  readonly seen: SeenRequest[] = [];

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts a proxy to `host:port` on a free loopback port. */
  static async start(host: string, port: number): Promise<HttpFaultProxy> {
    const proxy = new HttpFaultProxy(host, port);
    const server = createServer((req, res) => {
      // A client or server that goes away mid-body ends the exchange, nothing more.
      proxy.handle(req, res).catch(() => res.destroy());
    });
    server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    proxy.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The proxy's port. */
  get port(): number {
    return (this.server?.address() as { port: number }).port;
  }

  /** Adds a rule; the first rule that picks a request applies, in the order they were added. */
  add(match: HttpFaultMatch, fault: HttpFault): HttpFaultRule {
    const state: RuleState = { match, fault, matched: 0, applied: 0, removed: false };
    this.rules.push(state);
    return {
      match,
      fault,
      get matched() {
        return state.matched;
      },
      get applied() {
        return state.applied;
      },
      remove: () => {
        state.removed = true;
      },
    };
  }

  /** Removes every rule and forgets the requests seen. */
  reset(): void {
    for (const rule of this.rules) rule.removed = true;
    this.rules.length = 0;
    this.seen.length = 0;
  }

  /** The requests seen that match, without counting them for any rule. */
  count(match: Omit<HttpFaultMatch, 'nth'>): number {
    return this.seen.filter((request) => {
      const url = new URL(
        `http://proxy${request.path}?${request.query.map((q) => `${q}=`).join('&')}`,
      );
      // Query values are not kept: only presence can be matched.
      const presence = Object.fromEntries(
        Object.entries(match.query ?? {}).map(([name, wanted]) => [name, wanted !== false]),
      );
      return matches({ ...match, query: presence }, request.method, url);
    }).length;
  }

  /** Stops the proxy and every connection. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private pick(method: string, url: URL): HttpFault | undefined {
    let chosen: HttpFault | undefined;
    for (const rule of this.rules) {
      if (rule.removed || !matches(rule.match, method, url)) continue;
      rule.matched += 1;
      if (chosen === undefined && picks(rule.match, rule.matched)) {
        rule.applied += 1;
        chosen = rule.fault;
      }
    }
    return chosen;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://proxy');
    this.seen.push({
      method,
      path: decodeURIComponent(url.pathname),
      query: [...url.searchParams.keys()],
      headers: Object.keys(req.headers),
    });
    const fault = this.pick(method, url);
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    if (fault?.kind === 'status') {
      await this.answerStatus(req, res, method, fault);
      return;
    }
    const headers: OutgoingHttpHeaders = { ...req.headers };
    // Unsigned, and it would make the server wait for a continue that the proxy already gave.
    delete headers.expect;
    const upstream = httpRequest({
      host: this.targetHost,
      port: this.targetPort,
      method,
      path: req.url,
      headers,
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.on('response', (answer) => {
      this.relayResponse(answer, res, fault).catch(() => res.destroy());
    });
    const declared = Number(req.headers['content-length'] ?? 0);
    const flipAt =
      fault?.kind === 'flipRequestByte' ? (fault.offset ?? Math.floor(declared / 2)) : undefined;
    const bytesPerSecond = fault?.kind === 'trickleRequest' ? fault.bytesPerSecond : undefined;
    await pump(req, upstream, { flipAt, bytesPerSecond });
    upstream.end();
  }

  private async answerStatus(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    fault: Extract<HttpFault, { kind: 'status' }>,
  ): Promise<void> {
    req.resume();
    await new Promise((resolve) => req.on('end', resolve).on('close', resolve));
    const body = method === 'HEAD' ? '' : s3ErrorBody(fault.code);
    res.writeHead(fault.status, {
      'content-type': 'application/xml',
      'content-length': Buffer.byteLength(body),
      'x-amz-request-id': 'http-fault-proxy',
      ...(fault.retryAfterSeconds === undefined
        ? {}
        : { 'retry-after': String(fault.retryAfterSeconds) }),
    });
    res.end(body);
  }

  private async relayResponse(
    answer: IncomingMessage,
    res: ServerResponse,
    fault: HttpFault | undefined,
  ): Promise<void> {
    answer.on('error', () => res.destroy());
    const declared = Number(answer.headers['content-length'] ?? 0);
    const headers: OutgoingHttpHeaders = { ...answer.headers };
    const shape: FlowShape = {};
    let extra = 0;
    let closeAfter = false;
    switch (fault?.kind) {
      case 'flipResponseByte':
        shape.flipAt = fault.offset ?? Math.floor(declared / 2);
        break;
      case 'shortenResponse':
        shape.limit = Math.max(0, declared - fault.bytes);
        if (fault.keepContentLength) closeAfter = true;
        else headers['content-length'] = String(shape.limit);
        break;
      case 'lengthenResponse':
        extra = fault.bytes;
        if (fault.keepContentLength) closeAfter = true;
        else headers['content-length'] = String(declared + extra);
        break;
      case 'responseHeader':
        headers[fault.name.toLowerCase()] = fault.value;
        break;
      case 'delay':
        await sleep(fault.ms);
        break;
      case 'trickle':
        shape.bytesPerSecond = fault.bytesPerSecond;
        break;
      default:
        break;
    }
    if (res.destroyed) {
      answer.destroy();
      return;
    }
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers);
    await pump(answer, res, shape);
    if (extra > 0) {
      // Past a kept Content-Length, Node would refuse a write: the bytes go on the socket itself.
      const tail = Buffer.alloc(extra, 0x2a);
      if (closeAfter) res.socket?.write(tail);
      else await writeChunk(res, tail);
    }
    if (closeAfter) {
      res.socket?.destroy();
      return;
    }
    res.end();
  }
}
