/// <reference types="@spindle/types/globals" />
/**
 * Types of the demo extensions' backend halves: the global `spindle` comes from
 * `@spindle/types/globals`; the app's `chat` service (server/app.ts) is added to it by
 * declaration merging on `SpindleAPI`, as an embedding app describes its services to its
 * extension authors (docs/embedding.md).
 */

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

declare module '@spindle/types' {
  interface SpindleAPI {
    /** Present where the app registered it (the playground does); feature-detect it. */
    readonly chat?: PlaygroundChatService;
  }
}
