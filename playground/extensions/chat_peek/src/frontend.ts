// A drawer tab of the app (`ctx.ui.registerDrawerTab`, contributed by the playground shell) that
// lists the open chat's messages, toasts on a chat switch, and asks before replying.
import type { SpindleFrontendContext } from '@spindle/types';

interface ShellContext extends SpindleFrontendContext {
  ui?: {
    registerDrawerTab(options: { id: string; title: string; shortName?: string }): {
      root: HTMLElement;
      setBadge(text: string | null): void;
      onActivate(handler: () => void): () => void;
      destroy(): void;
    };
    showModal(options: { title: string }): { root: HTMLElement; dismiss(): void };
    showConfirm(options: { title: string; message: string }): Promise<{ confirmed: boolean }>;
  };
  toast?: { info(message: string, options?: { title?: string }): void };
  events?: { on(event: string, handler: (payload: unknown) => void): () => void };
}

interface ChatPayload {
  kind: string;
  chatId?: string;
  reason?: string;
  message?: string;
  messages?: Array<{ id: string; role: string; content: string }>;
}

export function setup(ctx: ShellContext) {
  const ui = ctx.ui;
  if (!ui) return;
  const tab = ui.registerDrawerTab({ id: 'chat-peek', title: 'Chat peek', shortName: 'Peek' });
  tab.root.dataset.testid = 'chat-peek';
  const heading = document.createElement('h3');
  const list = document.createElement('ul');
  list.className = 'peek-list';
  list.dataset.testid = 'chat-peek-messages';
  const actions = document.createElement('div');
  actions.className = 'ext-actions';
  const details = document.createElement('button');
  details.type = 'button';
  details.textContent = 'About this chat';
  details.dataset.testid = 'chat-peek-details';
  const reply = document.createElement('button');
  reply.type = 'button';
  reply.textContent = 'Reply as the peek';
  reply.dataset.testid = 'chat-peek-reply';
  actions.append(details, reply);
  tab.root.append(heading, list, actions);

  let current: ChatPayload = { kind: 'chat', messages: [] };
  const render = () => {
    heading.textContent = current.chatId ? `Chat ${current.chatId}` : 'No chat';
    list.replaceChildren(
      ...(current.messages ?? []).map((m) => {
        const li = document.createElement('li');
        li.textContent = `${m.role}: ${m.content}`;
        return li;
      }),
    );
    tab.setBadge(String(current.messages?.length ?? 0));
  };

  const off = ctx.onBackendMessage((payload) => {
    const message = payload as ChatPayload;
    if (message.kind === 'chat') {
      current = message;
      render();
      if (message.reason === 'switched') ctx.toast?.info(`Now peeking at ${message.chatId}`);
    } else if (message.kind === 'error' || message.kind === 'unavailable') {
      heading.textContent = message.message ?? message.reason ?? 'unavailable';
    }
  });
  const offSwitch = ctx.events?.on('CHAT_SWITCHED', () => ctx.sendToBackend({ cmd: 'refresh' }));

  details.addEventListener('click', () => {
    const modal = ui.showModal({ title: 'About this chat' });
    modal.root.dataset.testid = 'chat-peek-modal';
    const p = document.createElement('p');
    p.textContent = `${current.chatId ?? 'No chat'}: ${current.messages?.length ?? 0} message(s).`;
    const close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Close';
    close.dataset.testid = 'chat-peek-modal-close';
    close.addEventListener('click', () => modal.dismiss());
    modal.root.append(p, close);
  });
  reply.addEventListener('click', async () => {
    const { confirmed } = await ui.showConfirm({
      title: 'Reply',
      message: 'Add a reply from the peek to this chat?',
    });
    if (confirmed) ctx.sendToBackend({ cmd: 'reply' });
  });

  ctx.sendToBackend({ cmd: 'refresh' });
  return () => {
    off();
    offSwitch?.();
    tab.destroy();
  };
}
