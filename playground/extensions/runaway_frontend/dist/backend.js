// @bun
// extensions/runaway_frontend/src/backend.ts
spindle.onFrontendMessage(async (payload, userId, frontendSessionId) => {
  if (payload?.cmd !== "spin")
    return;
  try {
    await spindle.frontendProcesses.spawn({
      kind: "spinner",
      key: "spinner",
      userId,
      frontendSessionId,
      replaceExisting: true,
      startupTimeoutMs: 5000,
      heartbeatTimeoutMs: 1500
    });
  } catch (error) {
    spindle.log.warn(`spinner did not start: ${error instanceof Error ? error.message : error}`);
  }
});
spindle.frontendProcesses.onLifecycle((event) => {
  if (event.kind === "spinner")
    spindle.log.info(`spinner ${event.processId}: ${event.state}`);
});
