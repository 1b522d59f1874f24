import type { SpindleFrontendContext } from '@spindle/types';
import { createPanel } from '../../_ui/panel.ts';

interface EchoReply {
  kind: 'echo';
  text: string;
  count: number;
  from: string;
}

/** Echo/chat panel: what you type goes to the backend half, which answers this tab. */
export function setup(ctx: SpindleFrontendContext) {
  const panel = createPanel('messages', 'Messages', 'sendToBackend → backend → sendToFrontend');
  const form = document.createElement('form');
  const input = document.createElement('input');
  input.placeholder = 'Say something';
  input.setAttribute('aria-label', 'Message');
  input.dataset.testid = 'messages-input';
  const send = document.createElement('button');
  send.type = 'submit';
  send.textContent = 'Send';
  send.dataset.testid = 'messages-send';
  form.append(input, send);
  panel.body.append(form);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    ctx.sendToBackend({ kind: 'say', text });
    panel.log(`you: ${text}`);
    input.value = '';
  });

  const off = ctx.onBackendMessage((payload) => {
    const reply = payload as EchoReply;
    if (reply?.kind !== 'echo') return;
    panel.status(`${reply.count} echoed`, 'ok');
    panel.log(`backend: ${reply.text}`);
  });

  ctx.ready();
  return () => {
    off();
    panel.remove();
  };
}
