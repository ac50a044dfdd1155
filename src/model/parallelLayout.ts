/** Layout of the control block shared between the parallel kernel and its workers (Int32 slots). */
export const CTRL = {
  generation: 0,
  done: 1,
  command: 2,
  error: 3,
  /** commands */
  RUN: 0,
  RELOAD: 1,
  EXIT: 2,
  size: 4,
} as const;
