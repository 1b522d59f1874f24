import type { SpindleFrontendContext } from '@spindle/types';

/**
 * Loaded with worker isolation: no DOM here. On setup it asks the backend for work; the backend
 * spawns a `spinner` process that reports ready, heartbeats once, then blocks its thread for
 * good. The SDK notices the missed heartbeat and terminates the worker; the page never freezes.
 */
export function setup(ctx: SpindleFrontendContext) {
  ctx.processes.register('spinner', (proc) => {
    proc.ready();
    proc.heartbeat();
    proc.send({ kind: 'spinning' });
    setTimeout(() => {
      const until = Number.POSITIVE_INFINITY;
      while (Date.now() < until) {}
    }, 50);
  });
  ctx.ready();
  ctx.sendToBackend({ cmd: 'spin' });
}
