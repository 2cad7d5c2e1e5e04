import type { ServerConnection } from '../server';
import { runBoto3Helper } from '../transfers/boto3';
import type { SmallOp, SmallOpsMode } from './small-ops-kinds';

/** One boto3 batch of an operation: operations per second and CPU µs per operation. */
export interface Boto3SmallBatch {
  opsPerSec: number;
  cpuUsPerOp: number;
}

/** Runs one boto3 round of the four operations in a mode. */
export type Boto3SmallOpsRound = (
  mode: SmallOpsMode,
  round: string,
) => Promise<Record<SmallOp, Boto3SmallBatch>>;

/**
 * boto3's small operations, for the same comparison as the library's: each round is one Python
 * process that makes a client (with as many pooled connections as operations in flight, at least
 * boto3's 10), runs one untimed warm-up round, then times one batch each of `put_object`,
 * `get_object` (body read), `head_object` and `delete_object`, `mode.inFlight` at once from a
 * thread pool.
 *
 * @param python - the interpreter with boto3
 * @param server - where to connect
 * @param bucket - an existing bucket
 * @param objectBytes - the objects' size
 */
export function boto3SmallOps(
  python: string,
  server: ServerConnection,
  bucket: string,
  objectBytes: number,
): Boto3SmallOpsRound {
  return async (mode, round) => {
    const prefix = `small/${mode.inFlight}/${round}/boto3`;
    const answer = await runBoto3Helper<
      Record<SmallOp, { ops_per_sec: number; cpu_us_per_op: number }>
    >(python, server, [
      'smallops',
      bucket,
      prefix,
      String(mode.opsPerBatch),
      String(mode.inFlight),
      String(objectBytes),
    ]);
    const batch = (op: SmallOp) => ({
      opsPerSec: answer[op].ops_per_sec,
      cpuUsPerOp: answer[op].cpu_us_per_op,
    });
    return { put: batch('put'), get: batch('get'), head: batch('head'), delete: batch('delete') };
  };
}
