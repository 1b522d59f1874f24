/// <reference path="../../env.d.ts" />
// Spawns one `ticker` frontend process per user (in the tab that asked), relays its ticks and
// lifecycle to that user's tabs, and forwards the panel's commands to it.
const current = new Map<string, string>();

spindle.frontendProcesses.onLifecycle((event) => {
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

spindle.frontendProcesses.onMessage(({ processId, payload, userId }) => {
  const message = payload as { kind?: string };
  if (message?.kind === 'tick' || message?.kind === 'pong') {
    spindle.sendToFrontend({ ...message, processId }, userId);
  }
});

spindle.onFrontendMessage(async (payload, userId, frontendSessionId) => {
  const cmd = (payload as { cmd?: string })?.cmd;
  const processId = current.get(userId);
  try {
    if (cmd === 'start' || cmd === 'start-anywhere') {
      // `start` runs in the tab that asked; `start-anywhere` lets the host pick exactly one of
      // the user's tabs (the most recently active one with this extension mounted).
      const handle = await spindle.frontendProcesses.spawn({
        kind: 'ticker',
        key: 'ticker',
        userId,
        ...(cmd === 'start' ? { frontendSessionId } : {}),
        replaceExisting: true,
        startupTimeoutMs: 5000,
        heartbeatTimeoutMs: 2000,
      });
      current.set(userId, handle.processId);
    } else if (processId && (cmd === 'ping' || cmd === 'stall')) {
      spindle.frontendProcesses.send(processId, { cmd }, userId);
    } else if (processId && cmd === 'stop') {
      await spindle.frontendProcesses.stop(processId, { userId, reason: 'stop button' });
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    spindle.sendToFrontend({ kind: 'error', message }, userId, { frontendSessionId });
  }
});
