/**
 * The supervisor state machine shared by backend subprocesses and frontend processes: states and
 * transitions, deadlines and limits, the per-process machine and the process table.
 */
export * from './clock.ts';
export * from './deadlines.ts';
export * from './limits.ts';
export * from './process-machine.ts';
export * from './states.ts';
export * from './table.ts';
export * from './types.ts';
