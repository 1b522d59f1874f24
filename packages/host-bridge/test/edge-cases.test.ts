import type { FrontendDownlink, FrontendUplink } from '@spindle/types';
import { PROTOCOL_VERSION } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { HostBridge, Transport, TransportState } from '../src/index.ts';
import { connectHostBridge } from '../src/index.ts';
import { fakeSockets } from './fake-websocket.ts';
import { setup, uplink, welcome } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('edge cases', () => {
  it('retries with backoff when the WebSocket constructor throws', () => {
    const fakes = fakeSockets();
    let calls = 0;
    const Flaky = class extends fakes.WebSocket {
      constructor(url: string) {
        calls += 1;
        if (calls === 1) throw new Error('network stack unavailable');
        super(url);
      }
    };
    const bridge = connectHostBridge({
      url: 'ws://h/',
      token: 't',
      WebSocket: Flaky,
      random: () => 0.5,
    });
    const errors: string[] = [];
    bridge.events.on('error', (e) => errors.push(e.code));
    expect(bridge.connectionState).toBe('reconnecting');
    vi.runOnlyPendingTimers();
    expect(fakes.sockets).toHaveLength(1);
    fakes.last.accept();
    fakes.last.push(welcome());
    expect(bridge.connectionState).toBe('open');
    bridge.close();
  });

  it('abandons the attempt when the token function throws, and tries again later', () => {
    let n = 0;
    const { bridge, fakes, events } = setup({
      token: () => {
        n += 1;
        if (n === 1) throw new Error('storage locked');
        return 'tok';
      },
    });
    fakes.last.accept();
    expect(fakes.last.sent).toEqual([]);
    expect(fakes.last.closeCalls).toHaveLength(1);
    expect(events.of('error')[0]).toMatchObject({
      source: 'handler',
      message: 'the token function threw',
    });
    vi.runOnlyPendingTimers();
    fakes.last.accept();
    expect(fakes.last.frames[0]).toMatchObject({ type: 'hello', token: 'tok' });
    bridge.close();
  });

  it('fails on a PROTOCOL_VERSION_MISMATCH error frame before welcome', () => {
    const { bridge, fakes } = setup();
    fakes.last.accept();
    fakes.last.push({
      type: 'error',
      code: 'PROTOCOL_VERSION_MISMATCH',
      message: 'host speaks 7',
      frameType: 'hello',
    });
    expect(bridge.connectionState).toBe('failed');
    expect(bridge.failure?.message).toMatch(/host speaks 7.*reload the page/);
  });

  it('ignores a second welcome on one connection', () => {
    const { bridge, open, events } = setup();
    const socket = open();
    socket.push(welcome({ frontendSessionId: 'other' }));
    expect(bridge.sessionId).toBe('s-1');
    expect(events.of('welcome')).toHaveLength(1);
    expect(events.of('error')[0]).toMatchObject({ source: 'protocol', frameType: 'welcome' });
    bridge.close();
  });

  it('reports a resume welcome that claims frames never sent, and replays nothing', () => {
    const { bridge, fakes, open, events } = setup();
    open();
    bridge.send(uplink(1));
    fakes.last.drop(1006);
    vi.runOnlyPendingTimers();
    fakes.last.accept();
    fakes.last.push(welcome({ resumed: true, lastClientSeq: 9 }));
    expect(fakes.last.frames.map((f) => f.type)).toEqual(['hello']);
    expect(bridge.unacked).toBe(0);
    expect(events.of('error')[0]).toMatchObject({ source: 'protocol', frameType: 'welcome' });
    bridge.send(uplink(2));
    expect(fakes.last.frames.at(-1)).toMatchObject({ seq: 2 });
    bridge.close();
  });

  it('surfaces a throwing error handler on a microtask instead of into the socket', async () => {
    vi.useRealTimers();
    const { bridge, open } = setup();
    const socket = open();
    bridge.events.on('error', () => {
      throw new Error('error handler bug');
    });
    const rethrown = new Promise<unknown>((resolve) => {
      const original = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (callback) => {
        globalThis.queueMicrotask = original;
        try {
          callback();
        } catch (error) {
          resolve(error);
        }
      };
    });
    expect(() => socket.push('not json')).not.toThrow();
    expect(await rethrown).toEqual(new Error('error handler bug'));
    bridge.close();
  });

  it('is a Transport for the SDK and a typed HostBridge for the app', () => {
    const { bridge } = setup();
    expectTypeOf(bridge).toExtend<Transport>();
    expectTypeOf(bridge.state).toEqualTypeOf<TransportState>();
    expectTypeOf<Parameters<HostBridge['send']>[0]>().toEqualTypeOf<FrontendUplink>();
    expectTypeOf<
      Parameters<Parameters<HostBridge['onMessage']>[0]>[0]
    >().toEqualTypeOf<FrontendDownlink>();
    // @ts-expect-error: a hello is a control frame, not an uplink
    const notAnUplink: FrontendUplink = { type: 'hello', protocolVersion: PROTOCOL_VERSION };
    expect(notAnUplink.type).toBe('hello');
    bridge.close();
  });
});
