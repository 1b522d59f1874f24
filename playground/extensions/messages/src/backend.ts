/// <reference path="../../env.d.ts" />
// Echo backend: answers every message in the tab that sent it and counts per user.
const counts = new Map<string, number>();

spindle.onFrontendMessage((payload, userId, frontendSessionId) => {
  const message = payload as { kind?: string; text?: unknown };
  if (message?.kind !== 'say' || typeof message.text !== 'string') {
    spindle.log.warn(`ignored a malformed message from ${userId}`);
    return;
  }
  const count = (counts.get(userId) ?? 0) + 1;
  counts.set(userId, count);
  spindle.sendToFrontend(
    { kind: 'echo', text: message.text.slice(0, 2000), count, from: 'backend' },
    userId,
    { frontendSessionId },
  );
});

spindle.log.info('messages backend ready');
