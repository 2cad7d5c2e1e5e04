import { connect, createServer, type Server, type Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MIB } from '../units';
import { throttle, TokenBucket } from './token-bucket';

/** The shape of the capped link. */
export interface LinkSettings {
  /** The cap of each direction of each TCP connection, in MiB/s. */
  mibPerSec: number;
  /** How long the first byte of each answer is held, in ms. */
  delayMs: number;
}

/**
 * The burst of a token bucket: 25 ms at the cap (1 MiB at 40 MiB/s), at least 64 KiB: enough to
 * make up for a timer that fires late on a busy machine, small against a transfer's seconds.
 */
function burstOf(bytesPerSecond: number): number {
  return Math.max(64 * 1024, Math.round(bytesPerSecond / 40));
}

/**
 * Holds the first chunk of each answer `delayMs`: the first bytes from the server after the
 * client has sent something (a request; the first one opens the connection). Plain HTTP/1.1
 * without pipelining alternates request and answer, so this is a first-byte delay per request
 * (and per `100 Continue`), as a far server's round trip adds it.
 */
function answerDelay(delayMs: number, state: { requestSent: boolean }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!state.requestSent || delayMs <= 0) {
        callback(null, chunk);
        return;
      }
      state.requestSent = false;
      setTimeout(() => {
        callback(null, chunk);
      }, delayMs);
    },
  });
}

/** Notes that the client has sent bytes: the next answer's first byte gets the delay. */
function requestMarker(state: { requestSent: boolean }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      state.requestSent = true;
      callback(null, chunk);
    },
  });
}

function relay(client: Socket, target: { host: string; port: number }, link: LinkSettings): void {
  const rate = link.mibPerSec * MIB;
  const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  const state = { requestSent: false };
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  pipeline(
    client,
    requestMarker(state),
    throttle(new TokenBucket(rate, burstOf(rate))),
    upstream,
  ).catch(close);
  pipeline(
    upstream,
    answerDelay(link.delayMs, state),
    throttle(new TokenBucket(rate, burstOf(rate))),
    client,
  ).then(close, close);
}

/**
 * A TCP proxy on 127.0.0.1 to `target` that makes each connection a capped link: each direction
 * of each connection passes at most `mibPerSec` (a token bucket of its own), and the first byte of
 * each answer is held `delayMs`. It forwards bytes untouched, Host header included, so a URL
 * signed for the proxy's address is valid through it.
 *
 * @param target - the server
 * @param link - the cap and the delay
 * @returns the listening server and its port
 */
export async function startCappedProxy(
  target: { host: string; port: number },
  link: LinkSettings,
): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true }, (client) => {
    relay(client, target, link);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no TCP port');
  return { server, port: address.port };
}
