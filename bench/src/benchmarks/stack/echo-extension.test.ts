/**
 * The echo extension's backend (`ECHO_BACKEND`), run against a recording `spindle` global: what
 * the whole-stack benchmarks rely on — pings go back to the session that sent them, burst
 * messages are counted per session and only reported on `count_end`, which resets the count.
 */
import { describe, expect, it } from 'vitest';
import { ECHO_BACKEND } from './echo-extension.ts';

type Handler = (payload: unknown, userId: string, frontendSessionId?: string) => void;

function loadBackend() {
  let handler: Handler | undefined;
  const sent: Array<{ payload: unknown; target: unknown }> = [];
  const spindle = {
    onFrontendMessage(h: Handler) {
      handler = h;
      return () => {};
    },
    sendToFrontend(payload: unknown, target: unknown) {
      sent.push({ payload, target });
    },
  };
  new Function('spindle', ECHO_BACKEND)(spindle);
  if (!handler) throw new Error('the backend registered no onFrontendMessage handler');
  return { deliver: handler, sent };
}

describe('echo extension backend', () => {
  it('sends a ping back unchanged to the user and session it came from', () => {
    const { deliver, sent } = loadBackend();
    const ping = { kind: 'ping', seq: 7, text: 'ping' };
    deliver(ping, 'alice', 's-1');
    expect(sent).toEqual([
      { payload: ping, target: { userId: 'alice', frontendSessionId: 's-1' } },
    ]);
  });

  it('counts burst messages per session and reports each count once, on count_end', () => {
    const { deliver, sent } = loadBackend();
    for (let i = 0; i < 3; i++) deliver({ kind: 'count', seq: i, text: 'ping' }, 'alice', 's-1');
    deliver({ kind: 'count', seq: 9, text: 'ping' }, 'bob', 's-2');
    expect(sent).toEqual([]);
    deliver({ kind: 'count_end', seq: 4 }, 'alice', 's-1');
    deliver({ kind: 'count_end', seq: 10 }, 'bob', 's-2');
    deliver({ kind: 'count_end', seq: 5 }, 'alice', 's-1');
    expect(sent).toEqual([
      {
        payload: { kind: 'counted', seq: 4, count: 3 },
        target: { userId: 'alice', frontendSessionId: 's-1' },
      },
      {
        payload: { kind: 'counted', seq: 10, count: 1 },
        target: { userId: 'bob', frontendSessionId: 's-2' },
      },
      {
        payload: { kind: 'counted', seq: 5, count: 0 },
        target: { userId: 'alice', frontendSessionId: 's-1' },
      },
    ]);
  });

  it('echoes payloads that are not objects', () => {
    const { deliver, sent } = loadBackend();
    deliver('hello', 'alice', 's-1');
    deliver(null, 'alice', 's-1');
    expect(sent.map((s) => s.payload)).toEqual(['hello', null]);
  });
});
