import type { SpindleFrontendContext } from '@spindle/types';
import { createPanel, toneOf } from '../../_ui/panel.ts';

type FromBackend =
  | { kind: 'lifecycle'; processId: string; state: string; exitReason?: string; error?: string }
  | { kind: 'tick'; processId: string; n: number }
  | { kind: 'pong'; processId: string; at: number }
  | { kind: 'error'; message: string };

/**
 * A frontend process the backend spawns in this tab: it heartbeats, ticks every second, answers
 * pings, honours stop, and can be told to stop heartbeating to show the host's watchdog.
 */
export function setup(ctx: SpindleFrontendContext) {
  const panel = createPanel(
    'frontend_loop',
    'Frontend loop',
    'backend spawns a frontend process: heartbeats, messages both ways, stop, watchdog',
  );
  const ticks = document.createElement('p');
  ticks.className = 'ext-metric';
  ticks.dataset.testid = 'frontend_loop-ticks';
  ticks.textContent = 'ticks: 0';
  const here = document.createElement('p');
  here.className = 'muted';
  here.dataset.testid = 'frontend_loop-here';
  here.textContent = 'runs in this tab: no';
  panel.body.append(ticks, here);

  const unregister = ctx.processes.register('ticker', (proc) => {
    let n = 0;
    let beating = true;
    here.textContent = `runs in this tab: yes (${proc.processId})`;
    const heart = setInterval(() => {
      if (beating) proc.heartbeat();
    }, 400);
    const tick = setInterval(() => {
      n += 1;
      proc.send({ kind: 'tick', n });
    }, 1000);
    proc.onMessage((payload) => {
      const message = payload as { cmd?: string };
      if (message?.cmd === 'stall') beating = false;
      if (message?.cmd === 'ping') proc.send({ kind: 'pong', at: Date.now() });
    });
    proc.onStop(() => proc.complete({ ticks: n }));
    proc.ready();
    return () => {
      clearInterval(heart);
      clearInterval(tick);
      here.textContent = 'runs in this tab: no';
    };
  });

  panel.button('Start here', () => ctx.sendToBackend({ cmd: 'start' }), 'frontend_loop-start');
  panel.button(
    'Start in any tab',
    () => ctx.sendToBackend({ cmd: 'start-anywhere' }),
    'frontend_loop-start-anywhere',
  );
  panel.button('Ping', () => ctx.sendToBackend({ cmd: 'ping' }), 'frontend_loop-ping');
  panel.button('Miss heartbeats', () => ctx.sendToBackend({ cmd: 'stall' }), 'frontend_loop-stall');
  panel.button('Stop', () => ctx.sendToBackend({ cmd: 'stop' }), 'frontend_loop-stop');

  const off = ctx.onBackendMessage((payload) => {
    const message = payload as FromBackend;
    switch (message?.kind) {
      case 'lifecycle': {
        const reason = message.exitReason ? ` (${message.exitReason})` : '';
        panel.status(message.state, toneOf(message.state));
        panel.log(`process ${message.processId}: ${message.state}${reason}`);
        break;
      }
      case 'tick':
        ticks.textContent = `ticks: ${message.n}`;
        break;
      case 'pong':
        panel.log(`pong from ${message.processId}`);
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
    unregister();
    panel.remove();
  };
}
