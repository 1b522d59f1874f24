import type { SpindleFrontendContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bundle, flush, setupHost, spawnMessage } from './helpers.ts';

describe('unload is ordered and idempotent', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('ends processes (frontend_unloaded), then teardown, then subscriptions, then DOM', async () => {
    const log: string[] = [];
    let ctx: SpindleFrontendContext | undefined;
    const { host, remote } = setupHost({
      modules: {
        'mem://x': {
          setup(c: SpindleFrontendContext) {
            ctx = c;
            c.dom?.addStyle('.x { color: red }');
            c.onBackendMessage((m) => log.push(`backend message ${String(m)}`));
            c.processes.register('job', (p) => {
              p.ready();
              return () => {
                log.push(`process cleanup (${p.processId})`);
              };
            });
            return () => {
              log.push(`teardown (styles: ${document.head.querySelectorAll('style').length})`);
              // Teardown may still use ctx, e.g. to say goodbye.
              c.sendToBackend('bye');
              remote.send({
                type: 'backend_message',
                extensionId: 'x',
                payload: 'during teardown',
              });
            };
          },
        },
      },
    });
    remote.onMessage((m) => {
      if (m.type === 'process_ended') log.push(`process_ended ${m.processId} ${m.outcome}`);
      if (m.type === 'backend_message') log.push(`sent ${String(m.payload)}`);
      if (m.type === 'extension_unmounted') log.push('extension_unmounted');
    });
    host.load(bundle('x'));
    await flush();
    remote.send(spawnMessage('x', 'p1', 'job'));
    remote.send(spawnMessage('x', 'p2', 'job'));
    host.unload('x');
    expect(log).toEqual([
      'process_ended p1 frontend_unloaded',
      'process cleanup (p1)',
      'process_ended p2 frontend_unloaded',
      'process cleanup (p2)',
      'teardown (styles: 1)',
      'sent bye',
      'extension_unmounted',
    ]);
    // A backend message arriving mid-unload is not delivered: it is counted as dropped.
    expect(host.stats().backendMessagesDropped).toBe(1);
    expect(document.head.querySelectorAll('style')).toHaveLength(0);
    expect(() => ctx?.sendToBackend('after')).toThrow(/unloaded/);
    expect(host.processes()).toEqual([]);
    host.close();
  });

  it('a second unload, or an unload of an unknown id, changes nothing', async () => {
    const teardown = vi.fn();
    const { host, sent } = setupHost({ modules: { 'mem://x': { setup: () => teardown } } });
    host.load(bundle('x'));
    await flush();
    host.unload('x');
    host.unload('x');
    host.unload('never-loaded');
    expect(teardown).toHaveBeenCalledTimes(1);
    expect(sent('extension_unmounted')).toHaveLength(1);
    host.close();
  });

  it('emits unloaded once and settles the ticket', async () => {
    const { host } = setupHost({ modules: { 'mem://x': { setup: () => {} } } });
    const states: string[] = [];
    host.events.on('state', (e) => states.push(e.state));
    const ticket = host.load(bundle('x'));
    await flush();
    host.unload('x');
    host.unload('x');
    expect(states).toEqual(['loading', 'mounted', 'ready', 'unloaded']);
    await expect(ticket.settled).resolves.toMatchObject({ state: 'ready' });
    host.close();
  });

  it('close() unloads every extension and leaves no timer behind', async () => {
    const teardowns = [vi.fn(), vi.fn()];
    const { host } = setupHost({
      modules: {
        'mem://a': {
          setup: (c: SpindleFrontendContext) => {
            c.deferReady();
            return teardowns[0];
          },
        },
        'mem://b': { setup: () => teardowns[1] },
      },
    });
    host.load(bundle('a'));
    host.load(bundle('b'));
    await flush();
    expect(vi.getTimerCount()).toBe(1);
    host.close();
    host.close();
    expect(teardowns[0]).toHaveBeenCalledTimes(1);
    expect(teardowns[1]).toHaveBeenCalledTimes(1);
    expect(host.list()).toEqual([]);
  });
});
