import { WIRE_CLOSE_CODES } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BridgeFailure } from '../src/index.ts';
import { closeAction } from '../src/index.ts';
import { setup, uplink } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('close codes', () => {
  it('maps every host close code to an action', () => {
    expect(closeAction(WIRE_CLOSE_CODES.UNAUTHORIZED)).toBe('fail');
    expect(closeAction(WIRE_CLOSE_CODES.PROTOCOL_VERSION_MISMATCH)).toBe('fail');
    expect(closeAction(WIRE_CLOSE_CODES.SESSION_UNKNOWN)).toBe('new_session');
    expect(closeAction(WIRE_CLOSE_CODES.SESSION_TAKEN_OVER)).toBe('new_session');
    expect(closeAction(WIRE_CLOSE_CODES.SESSION_OVERFLOW)).toBe('new_session');
    for (const code of [1000, 1001, 1006, 1011, 4003, 4004, 4005, 4008, 4010]) {
      expect(closeAction(code)).toBe('resume');
    }
  });

  it('fails on UNAUTHORIZED without retrying, calling onAuthFailed once', () => {
    const failures: BridgeFailure[] = [];
    const { bridge, fakes, events } = setup({ onAuthFailed: (f) => failures.push(f) });
    const states: string[] = [];
    bridge.onStateChange((s) => states.push(s));
    fakes.last.accept();
    fakes.last.drop(WIRE_CLOSE_CODES.UNAUTHORIZED, 'token refused');
    expect(bridge.connectionState).toBe('failed');
    expect(states).toEqual(['closed']);
    expect(failures).toEqual([
      {
        code: 'UNAUTHORIZED',
        message: expect.stringMatching(/refused the token.*sign in again/),
        closeCode: 4001,
        closeReason: 'token refused',
      },
    ]);
    expect(events.of('state').at(-1)).toEqual({
      state: 'failed',
      previous: 'connecting',
      failure: failures[0],
    });
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(120_000);
    expect(fakes.sockets).toHaveLength(1);
    expect(() => bridge.send(uplink(1))).toThrow(
      expect.objectContaining({ code: 'NOT_CONNECTED' }),
    );
    bridge.close();
    expect(bridge.connectionState).toBe('failed');
  });

  it('fails on an UNAUTHORIZED error frame before welcome', () => {
    const failures: BridgeFailure[] = [];
    const { bridge, fakes } = setup({ onAuthFailed: (f) => failures.push(f) });
    fakes.last.accept();
    fakes.last.push({
      type: 'error',
      code: 'UNAUTHORIZED',
      message: 'bad token',
      frameType: 'hello',
    });
    expect(bridge.connectionState).toBe('failed');
    expect(fakes.last.closeCalls).toHaveLength(1);
    fakes.last.drop(WIRE_CLOSE_CODES.UNAUTHORIZED);
    expect(failures).toHaveLength(1);
    vi.advanceTimersByTime(120_000);
    expect(fakes.sockets).toHaveLength(1);
  });

  it('fails on PROTOCOL_VERSION_MISMATCH with a reason a person can act on', () => {
    const failures: BridgeFailure[] = [];
    const { bridge, fakes } = setup({ onAuthFailed: (f) => failures.push(f) });
    fakes.last.accept();
    fakes.last.drop(WIRE_CLOSE_CODES.PROTOCOL_VERSION_MISMATCH, 'host speaks 2');
    expect(bridge.connectionState).toBe('failed');
    expect(bridge.failure).toEqual({
      code: 'PROTOCOL_VERSION_MISMATCH',
      message: expect.stringMatching(/host speaks 2.*reload the page/),
      closeCode: 4002,
      closeReason: 'host speaks 2',
    });
    expect(failures).toEqual([]);
    vi.advanceTimersByTime(120_000);
    expect(fakes.sockets).toHaveLength(1);
  });

  it('reports unacked uplinks as dropped when it fails after being open', () => {
    const { bridge, open, events } = setup();
    const socket = open();
    bridge.send(uplink(1));
    socket.drop(WIRE_CLOSE_CODES.UNAUTHORIZED, 'token revoked');
    expect(bridge.connectionState).toBe('failed');
    expect(events.of('dropped')).toEqual([
      { reason: 'failed', code: 'UNAUTHORIZED', messages: [uplink(1)], maybeDelivered: true },
    ]);
  });

  it('reconnects and resumes after backpressure, rate limit, shutdown and abnormal closes', () => {
    for (const code of [1001, 1006, 1011, 4004, 4005, 4008]) {
      const { bridge, fakes, open } = setup();
      open().drop(code);
      expect(bridge.connectionState).toBe('reconnecting');
      vi.runOnlyPendingTimers();
      fakes.last.accept();
      expect(fakes.last.frames[0]).toMatchObject({ type: 'hello', resumeSessionId: 's-1' });
      bridge.close();
    }
  });
});
