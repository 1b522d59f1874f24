import type { SpindleAPI } from '@spindle/types';

/** The `chat` service the playground app registers (its own surface, see server/app.ts). */
export interface PlaygroundChatService {
  list(userId?: string): Promise<Array<{ id: string; title: string; size: number }>>;
  getActiveChat(userId?: string): Promise<{ chatId: string }>;
  getMessages(chatId: string): Promise<Array<{ id: string; role: string; content: string }>>;
  appendMessage(
    chatId: string,
    message: { role?: string; content: string },
  ): Promise<{ id: string; role: string; content: string }>;
}

declare global {
  /** The backend global every backend half sees, with the app's services where it has them. */
  const spindle: SpindleAPI & { readonly chat?: PlaygroundChatService };
}
