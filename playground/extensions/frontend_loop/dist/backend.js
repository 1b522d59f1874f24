// @bun
// extensions/frontend_loop/src/backend.ts
var current = new Map;
spindle.frontendProcesses.onLifecycle((event) => {
  if (!event.userId)
    return;
  spindle.sendToFrontend({
    kind: "lifecycle",
    processId: event.processId,
    state: event.state,
    exitReason: event.exitReason,
    error: event.error
  }, { userId: event.userId });
});
spindle.frontendProcesses.onMessage((processId, payload, userId) => {
  const message = payload;
  if (message?.kind === "tick" || message?.kind === "pong") {
    spindle.sendToFrontend({ ...message, processId }, { userId });
  }
});
spindle.onFrontendMessage(async (payload, userId, frontendSessionId) => {
  const cmd = payload?.cmd;
  const processId = current.get(userId);
  try {
    if (cmd === "start") {
      const handle = await spindle.frontendProcesses.spawn({
        kind: "ticker",
        key: "ticker",
        userId,
        frontendSessionId,
        replaceExisting: true,
        startupTimeoutMs: 5000,
        heartbeatTimeoutMs: 2000
      });
      current.set(userId, handle.processId);
    } else if (processId && (cmd === "ping" || cmd === "stall")) {
      spindle.frontendProcesses.send(processId, { cmd }, { userId });
    } else if (processId && cmd === "stop") {
      await spindle.frontendProcesses.stop(processId, { userId, reason: "stop button" });
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    spindle.sendToFrontend({ kind: "error", message }, { userId, frontendSessionId });
  }
});
