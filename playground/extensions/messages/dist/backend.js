// @bun
// extensions/messages/src/backend.ts
var counts = new Map;
spindle.onFrontendMessage((payload, userId, frontendSessionId) => {
  const message = payload;
  if (message?.kind !== "say" || typeof message.text !== "string") {
    spindle.log.warn(`ignored a malformed message from ${userId}`);
    return;
  }
  const count = (counts.get(userId) ?? 0) + 1;
  counts.set(userId, count);
  spindle.sendToFrontend({ kind: "echo", text: message.text.slice(0, 2000), count, from: "backend" }, { userId, frontendSessionId });
});
spindle.log.info("messages backend ready");
