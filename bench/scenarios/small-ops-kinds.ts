/** The four operations compared. */
export const SMALL_OPS = ['put', 'get', 'head', 'delete'] as const;
/** One of the four operations. */
export type SmallOp = (typeof SMALL_OPS)[number];

/** How the operations are issued: one after the other, or many in flight. */
export interface SmallOpsMode {
  name: string;
  /** Operations in flight (1 = sequential). */
  inFlight: number;
  /** Operations per timed batch. */
  opsPerBatch: number;
}
