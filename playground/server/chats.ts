/**
 * The playground app's own data: a few chats per user, kept in memory, with the chat each user
 * has open. The app serves it to its page over `/app/*` and to extensions as the `chat` service.
 */

/** One message of a chat. */
export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
}

/** One chat. */
export interface Chat {
  id: string;
  title: string;
  messages: ChatMessage[];
}

/** Most messages a chat keeps (the oldest go first). */
export const MAX_MESSAGES_PER_CHAT = 200;
/** Longest message kept, in characters. */
export const MAX_MESSAGE_LENGTH = 2_000;

function seed(userId: string): Chat[] {
  const chats: Chat[] = [
    {
      id: 'tea',
      title: 'Tea with the dragon',
      messages: [
        { id: 'tea-1', role: 'user', content: 'Would you like some tea?' },
        { id: 'tea-2', role: 'assistant', content: 'Only if it is hot enough to boil iron.' },
      ],
    },
    {
      id: 'market',
      title: 'The night market',
      messages: [
        { id: 'market-1', role: 'user', content: 'What are you selling?' },
        { id: 'market-2', role: 'assistant', content: 'Maps of places that do not exist yet.' },
        { id: 'market-3', role: 'user', content: 'I will take two.' },
      ],
    },
    { id: 'empty', title: 'A blank page', messages: [] },
  ];
  // Chat ids name their owner (`alice/tea`), so a chat id alone says whose it is.
  return chats.map((chat) => ({
    ...chat,
    id: `${userId}/${chat.id}`,
    messages: chat.messages.map((m) => ({ ...m, id: `${userId}/${m.id}` })),
  }));
}

/** The user a chat id belongs to. */
export function ownerOf(chatId: string): string {
  return chatId.split('/')[0] ?? '';
}

/** Every user's chats and the chat each has open. */
export class ChatStore {
  readonly #chats = new Map<string, Chat[]>();
  readonly #active = new Map<string, string>();

  #of(userId: string): Chat[] {
    let chats = this.#chats.get(userId);
    if (!chats) {
      chats = seed(userId);
      this.#chats.set(userId, chats);
    }
    return chats;
  }

  list(userId: string): Array<{ id: string; title: string; size: number }> {
    return this.#of(userId).map((c) => ({ id: c.id, title: c.title, size: c.messages.length }));
  }

  /** The messages of `chatId`, or `undefined` when there is no such chat. */
  messages(chatId: string): ChatMessage[] | undefined {
    return this.#of(ownerOf(chatId))
      .find((c) => c.id === chatId)
      ?.messages.map((m) => ({ ...m }));
  }

  append(chatId: string, role: ChatMessage['role'], content: string): ChatMessage {
    const chat = this.#of(ownerOf(chatId)).find((c) => c.id === chatId);
    if (!chat) throw new Error(`no chat "${chatId}"`);
    const message: ChatMessage = {
      id: `${chatId}-${Date.now().toString(36)}-${chat.messages.length + 1}`,
      role,
      content: content.slice(0, MAX_MESSAGE_LENGTH),
    };
    chat.messages.push(message);
    if (chat.messages.length > MAX_MESSAGES_PER_CHAT) chat.messages.shift();
    return message;
  }

  active(userId: string): string {
    return this.#active.get(userId) ?? this.#of(userId)[0]?.id ?? '';
  }

  /** Opens `chatId`; false when the user has no such chat. */
  switchTo(userId: string, chatId: string): boolean {
    if (!this.#of(userId).some((c) => c.id === chatId)) return false;
    this.#active.set(userId, chatId);
    return true;
  }
}
