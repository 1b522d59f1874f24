/**
 * The app's own chat view: the user's chats (switching fires `CHAT_SWITCHED` on the host, for
 * backends, and on the page, for `ctx.events`), the open chat's messages, and a composer.
 */
import { appEvents } from './shell.ts';

interface ChatList {
  chats: Array<{ id: string; title: string; size: number }>;
  active: string;
}

/** Wires the chat card; `token` authenticates the page's `/app/*` calls. */
export function mountChats(root: HTMLElement, token: string): { refresh(): Promise<void> } {
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const list = root.querySelector<HTMLElement>('[data-testid="chat-list"]')!;
  const form = root.querySelector<HTMLFormElement>('form')!;
  const input = form.querySelector<HTMLInputElement>('input')!;

  const refresh = async () => {
    const res = await fetch('/app/chats', { headers: auth });
    if (!res.ok) return;
    const data = (await res.json()) as ChatList;
    list.replaceChildren(
      ...data.chats.map((chat) => {
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = `${chat.title} (${chat.size})`;
        button.dataset.testid = `chat-switch-${chat.id.split('/')[1]}`;
        button.classList.toggle('active', chat.id === data.active);
        button.addEventListener('click', async () => {
          const switched = await fetch('/app/chats/active', {
            method: 'POST',
            headers: auth,
            body: JSON.stringify({ chatId: chat.id }),
          });
          if (!switched.ok) return;
          appEvents.emit('CHAT_SWITCHED', { chatId: chat.id });
          await refresh();
        });
        li.append(button);
        return li;
      }),
    );
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const content = input.value.trim();
    if (content === '') return;
    input.value = '';
    await fetch('/app/chats/messages', {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ content }),
    });
    await refresh();
  });
  void refresh();
  return { refresh };
}
