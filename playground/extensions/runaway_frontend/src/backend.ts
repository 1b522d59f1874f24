/// <reference path="../../env.d.ts" />
// Spawns the runaway `spinner` in the tab that asked, with a short heartbeat deadline.
spindle.onFrontendMessage(async (payload, userId, frontendSessionId) => {
  if ((payload as { cmd?: string })?.cmd !== 'spin') return;
  try {
    await spindle.frontendProcesses.spawn({
      kind: 'spinner',
      key: 'spinner',
      userId,
      frontendSessionId,
      replaceExisting: true,
      startupTimeoutMs: 5000,
      heartbeatTimeoutMs: 1500,
    });
  } catch (error) {
    spindle.log.warn(`spinner did not start: ${error instanceof Error ? error.message : error}`);
  }
});

spindle.frontendProcesses.onLifecycle((event) => {
  if (event.kind === 'spinner') spindle.log.info(`spinner ${event.processId}: ${event.state}`);
});
