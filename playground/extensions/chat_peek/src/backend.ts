/// <reference path="../../env.d.ts" />
// Reads the app's chats through its `chat` service and follows the chat the user has open.

async function sendChat(userId: string, chatId: string, reason: string): Promise<void> {
  if (!spindle.chat) {
    spindle.sendToFrontend({ kind: 'unavailable', reason: 'this app has no chat service' }, userId);
    return;
  }
  try {
    const messages = await spindle.chat.getMessages(chatId);
    spindle.sendToFrontend({ kind: 'chat', reason, chatId, messages }, userId);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    spindle.sendToFrontend({ kind: 'error', message }, userId);
  }
}

spindle.on('CHAT_SWITCHED', (payload, userId) => {
  const { chatId } = payload as { chatId: string };
  if (userId) void sendChat(userId, chatId, 'switched');
});

spindle.on('MESSAGE_SENT', (payload, userId) => {
  const { chatId } = payload as { chatId: string };
  if (userId) void sendChat(userId, chatId, 'new message');
});

spindle.onFrontendMessage(async (payload, userId) => {
  const cmd = (payload as { cmd?: string })?.cmd;
  if (cmd === 'refresh' && spindle.chat) {
    const { chatId } = await spindle.chat.getActiveChat(userId);
    await sendChat(userId, chatId, 'refresh');
  } else if (cmd === 'refresh') {
    await sendChat(userId, '', 'refresh');
  } else if (cmd === 'reply' && spindle.chat) {
    const { chatId } = await spindle.chat.getActiveChat(userId);
    await spindle.chat.appendMessage(chatId, { role: 'assistant', content: 'A peek says hello.' });
  }
});

spindle.log.info('chat peek backend ready');
