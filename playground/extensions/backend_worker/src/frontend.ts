import type { SpindleFrontendContext } from '@spindle/types';
import { createPanel, toneOf } from '../../_ui/panel.ts';

type FromBackend =
  | { kind: 'lifecycle'; processId: string; state: string; exitReason?: string; error?: string }
  | { kind: 'progress'; done: number; limit: number; found: number }
  | { kind: 'frozen' }
  | { kind: 'error'; message: string };

/** Panel for the CPU worker subprocess: start, freeze (host kills it), stop. */
export function setup(ctx: SpindleFrontendContext) {
  const panel = createPanel(
    'backend_worker',
    'Backend worker',
    'a Bun subprocess doing CPU work; freeze its event loop and watch the host kill it',
  );
  const bar = document.createElement('progress');
  bar.max = 1;
  bar.value = 0;
  bar.dataset.testid = 'backend_worker-progress';
  const found = document.createElement('p');
  found.className = 'ext-metric';
  found.dataset.testid = 'backend_worker-found';
  found.textContent = 'primes found: 0';
  panel.body.append(bar, found);

  panel.button('Start', () => ctx.sendToBackend({ cmd: 'start' }), 'backend_worker-start');
  panel.button('Freeze it', () => ctx.sendToBackend({ cmd: 'freeze' }), 'backend_worker-freeze');
  panel.button('Stop', () => ctx.sendToBackend({ cmd: 'stop' }), 'backend_worker-stop');

  const off = ctx.onBackendMessage((payload) => {
    const message = payload as FromBackend;
    switch (message?.kind) {
      case 'lifecycle': {
        const reason = message.exitReason ? ` (${message.exitReason})` : '';
        panel.status(message.state, toneOf(message.state));
        panel.log(`subprocess ${message.processId}: ${message.state}${reason}`);
        break;
      }
      case 'progress':
        bar.max = message.limit;
        bar.value = message.done;
        found.textContent = `primes found: ${message.found}`;
        break;
      case 'frozen':
        panel.log('event loop blocked; waiting for the heartbeat watchdog');
        break;
      case 'error':
        panel.status('error', 'bad');
        panel.log(message.message);
        break;
    }
  });

  ctx.ready();
  return () => {
    off();
    panel.remove();
  };
}
