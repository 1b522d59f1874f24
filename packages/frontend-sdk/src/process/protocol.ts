/**
 * The seam between a process *driver* (main thread: state machine, deadlines, host reports) and
 * the *handler side* (the realm running the extension's code: main thread or a Worker). Every
 * message is structured-clone safe, so the same protocol crosses a `postMessage` boundary.
 */
import type { FrontendProcessExitReasonDTO } from '@spindle/types';

/** Driver → handler side. */
export type DriverToRealm =
  | {
      /** Start the handler registered for `kind`. */
      type: 'spawn';
      processId: string;
      kind: string;
      key?: string;
      payload?: unknown;
      metadata?: Record<string, unknown>;
    }
  | { /** A message from the backend half. */ type: 'message'; processId: string; payload: unknown }
  | {
      /** Graceful stop request: run `onStop` handlers, or complete when there are none. */
      type: 'stop';
      processId: string;
      reason?: string;
    }
  | {
      /** The driver ended the process: run its cleanup, drop its handlers, answer `ended`. */
      type: 'end';
      processId: string;
      reason: FrontendProcessExitReasonDTO;
    };

/** Handler side → driver. */
export type RealmToDriver =
  | { /** `ctx.ready()` (first call only). */ type: 'ready'; processId: string }
  | { /** `ctx.heartbeat()` of a live process. */ type: 'heartbeat'; processId: string }
  | { /** `ctx.send(payload)`. */ type: 'message'; processId: string; payload: unknown }
  | {
      /** `ctx.complete()`; the handler side has ended the process. */ type: 'completed';
      processId: string;
    }
  | {
      /** `ctx.fail()`, or the handler threw or rejected; the handler side has ended the process. */
      type: 'failed';
      processId: string;
      error: string;
    }
  | {
      /** The handler side processed an `end`: handlers are gone, cleanup has been started. */
      type: 'ended';
      processId: string;
    }
  | {
      /** A cleanup threw or rejected (the process has ended regardless). */
      type: 'cleanup_error';
      processId: string;
      error: string;
    }
  | {
      /** Something for an ended process was dropped on the handler side. */
      type: 'dropped';
      processId: string;
      direction: 'in' | 'out';
    };
