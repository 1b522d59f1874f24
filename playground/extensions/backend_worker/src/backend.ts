/// <reference path="../../env.d.ts" />
import type { BackendProcessHandle } from '@spindle/types';

// Starts the prime-counting subprocess for a user and relays its progress and lifecycle.
// The handle `spawn` resolved with, per user (`backendProcesses.send(id, payload)` works too).
const handles = new Map<string, BackendProcessHandle>();

spindle.backendProcesses.onLifecycle((event) => {
  if (!event.userId) return;
  spindle.sendToFrontend(
    {
      kind: 'lifecycle',
      processId: event.processId,
      state: event.state,
      exitReason: event.exitReason,
      error: event.error,
    },
    event.userId,
  );
});

spindle.backendProcesses.onMessage(({ payload, userId }) => {
  spindle.sendToFrontend(payload, userId);
});

spindle.onFrontendMessage(async (payload, userId, frontendSessionId) => {
  const cmd = (payload as { cmd?: string })?.cmd;
  const handle = handles.get(userId);
  try {
    if (cmd === 'start') {
      const next = await spindle.backendProcesses.spawn({
        entry: 'dist/children/worker.js',
        kind: 'primes',
        key: 'primes',
        userId,
        replaceExisting: true,
        heartbeatTimeoutMs: 1500,
        payload: { limit: 3_000_000 },
      });
      handles.set(userId, next);
    } else if (handle && cmd === 'freeze') {
      handle.send({ cmd: 'freeze' });
    } else if (handle && cmd === 'stop') {
      await handle.stop({ userId, reason: 'stop button' });
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    spindle.sendToFrontend({ kind: 'error', message }, userId, { frontendSessionId });
  }
});
