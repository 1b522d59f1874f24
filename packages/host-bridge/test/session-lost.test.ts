import { PROTOCOL_VERSION, WIRE_CLOSE_CODES } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SESSION_LOST_ERROR } from '../src/index.ts';
import { downlink, setup, uplink, welcome } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('session loss', () => {
  it('on resumed: false reports session_lost, drops the unacked uplinks and restarts both counters', () => {
    const { bridge, fakes, open, events, received } = setup();
    const first = open({ frontendSessionId: 's-1' });
    bridge.send(uplink(1));
    bridge.send(uplink(2));
    first.push({ type: 'ack', seq: 1 });
    first.push(downlink(1));
    first.push(downlink(2));
    first.drop(1006);
    vi.runOnlyPendingTimers();
    const second = fakes.last;
    second.accept();
    const order: string[] = [];
    bridge.events.on('session_lost', () => order.push('session_lost'));
    bridge.onStateChange((s) => order.push(s));
    second.push(welcome({ frontendSessionId: 's-2', resumed: false }));
    expect(order).toEqual(['session_lost', 'open']);
    expect(events.of('session_lost')).toEqual([
      { previousSessionId: 's-1', reason: 'not_resumed', terminatedProcesses: [] },
    ]);
    expect(events.of('dropped')).toEqual([
      {
        reason: 'session_lost',
        code: 'NO_FRONTEND_SESSION',
        messages: [uplink(2)],
        maybeDelivered: true,
      },
    ]);
    expect(bridge.sessionId).toBe('s-2');
    expect(bridge.unacked).toBe(0);
    // Nothing of the old session is replayed; numbering restarts in both directions.
    expect(second.take().map((f) => f.type)).toEqual(['hello']);
    bridge.send(uplink(3));
    expect(second.take()).toEqual([{ ...uplink(3), seq: 1 }]);
    second.push(downlink(1, 'new'));
    expect(received.at(-1)).toEqual({
      type: 'backend_message',
      extensionId: 'ext',
      payload: 'new',
    });
    expect(received).toHaveLength(3);
    bridge.close();
  });

  it('ends the frontend processes of a lost session through process_terminated before session_lost', () => {
    const { bridge, fakes, open, received } = setup();
    const first = open();
    const spawn = (processId: string, seq: number) => ({
      type: 'process_spawn',
      extensionId: 'ext',
      processId,
      kind: 'loop',
      startupTimeoutMs: 15_000,
      heartbeatTimeoutMs: 15_000,
      seq,
    });
    first.push(spawn('p-1', 1));
    first.push(spawn('p-2', 2));
    first.push(spawn('p-3', 3));
    first.push({
      type: 'process_terminated',
      processId: 'p-1',
      state: 'timed_out',
      exitReason: 'timed_out',
      seq: 4,
    });
    bridge.send({ type: 'process_ended', processId: 'p-2', outcome: 'completed' });
    first.drop(1006);
    vi.runOnlyPendingTimers();
    fakes.last.accept();
    const order: string[] = [];
    bridge.onMessage((m) => order.push(`${m.type}:${'processId' in m ? m.processId : ''}`));
    bridge.events.on('session_lost', (e) =>
      order.push(`session_lost:${e.terminatedProcesses.join(',')}`),
    );
    fakes.last.push(welcome({ frontendSessionId: 's-2' }));
    expect(order).toEqual(['process_terminated:p-3', 'session_lost:p-3']);
    expect(received.at(-1)).toEqual({
      type: 'process_terminated',
      processId: 'p-3',
      state: 'failed',
      exitReason: 'failed',
      error: SESSION_LOST_ERROR,
    });
    bridge.close();
  });

  it('leaves processes alone with endProcessesOnSessionLoss: false', () => {
    const { bridge, open, events, received } = setup({ endProcessesOnSessionLoss: false });
    const socket = open();
    socket.push({
      type: 'process_spawn',
      extensionId: 'ext',
      processId: 'p-1',
      kind: 'loop',
      startupTimeoutMs: 15_000,
      heartbeatTimeoutMs: 15_000,
      seq: 1,
    });
    socket.drop(WIRE_CLOSE_CODES.SESSION_UNKNOWN);
    expect(events.of('session_lost')).toEqual([
      { previousSessionId: 's-1', reason: 'session_unknown', terminatedProcesses: [] },
    ]);
    expect(received.map((m) => (m as { type: string }).type)).toEqual(['process_spawn']);
    bridge.close();
  });

  it('on SESSION_UNKNOWN reports session_lost and reconnects as a new session', () => {
    const { bridge, fakes, open, events } = setup();
    open().drop(1006);
    vi.runOnlyPendingTimers();
    fakes.last.accept();
    expect(fakes.last.frames[0]).toMatchObject({ resumeSessionId: 's-1' });
    fakes.last.drop(WIRE_CLOSE_CODES.SESSION_UNKNOWN, 'expired');
    expect(events.of('session_lost')).toEqual([
      { previousSessionId: 's-1', reason: 'session_unknown', terminatedProcesses: [] },
    ]);
    expect(bridge.sessionId).toBeUndefined();
    // The host answered; only the resume was refused, so the new session starts at once.
    expect(events.of('reconnect_scheduled').at(-1)).toMatchObject({ delayMs: 0, closeCode: 4007 });
    vi.advanceTimersByTime(0);
    fakes.last.accept();
    expect(fakes.last.frames[0]).toEqual({
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      token: 'tok',
    });
    fakes.last.push(welcome({ frontendSessionId: 's-3' }));
    expect(events.of('session_lost')).toHaveLength(1);
    expect(bridge.connectionState).toBe('open');
    bridge.close();
  });

  it('on SESSION_TAKEN_OVER starts a new session instead of taking it back', () => {
    const { bridge, fakes, open, events } = setup();
    open().drop(WIRE_CLOSE_CODES.SESSION_TAKEN_OVER);
    expect(events.of('session_lost')).toEqual([
      { previousSessionId: 's-1', reason: 'taken_over', terminatedProcesses: [] },
    ]);
    vi.runOnlyPendingTimers();
    fakes.last.accept();
    expect(fakes.last.frames[0]).not.toHaveProperty('resumeSessionId');
    bridge.close();
  });

  it('on SESSION_OVERFLOW reports session_lost (overflow) and starts a new session at once', () => {
    const { bridge, fakes, open, events } = setup();
    open().drop(WIRE_CLOSE_CODES.SESSION_OVERFLOW, 'too much unacknowledged');
    expect(events.of('session_lost')).toEqual([
      { previousSessionId: 's-1', reason: 'overflow', terminatedProcesses: [] },
    ]);
    expect(events.of('reconnect_scheduled').at(-1)).toMatchObject({ delayMs: 0, closeCode: 4009 });
    vi.advanceTimersByTime(0);
    fakes.last.accept();
    expect(fakes.last.frames[0]).not.toHaveProperty('resumeSessionId');
    bridge.close();
  });

  it('with resume: false, every reconnect is a new session', () => {
    const { bridge, fakes, open, events } = setup({ resume: false });
    open().drop(1006);
    vi.runOnlyPendingTimers();
    fakes.last.accept();
    expect(fakes.last.frames[0]).not.toHaveProperty('resumeSessionId');
    fakes.last.push(welcome({ frontendSessionId: 's-2' }));
    expect(events.of('session_lost')).toEqual([
      { previousSessionId: 's-1', reason: 'resume_disabled', terminatedProcesses: [] },
    ]);
    bridge.close();
  });
});

describe('session end', () => {
  const spawn = {
    type: 'process_spawn',
    extensionId: 'ext',
    processId: 'p-1',
    kind: 'loop',
    startupTimeoutMs: 15_000,
    heartbeatTimeoutMs: 15_000,
    seq: 1,
  };

  it('close() ends the running processes in the SDK before reporting closed', () => {
    const { bridge, open, received } = setup();
    open().push(spawn);
    const order: string[] = [];
    bridge.onMessage((m) => order.push(m.type));
    bridge.onStateChange((s) => order.push(s));
    bridge.close();
    expect(order).toEqual(['process_terminated', 'closed']);
    expect(received.at(-1)).toMatchObject({ type: 'process_terminated', processId: 'p-1' });
  });

  it('a refused token mid-session ends the running processes too', () => {
    const { bridge, open, received } = setup();
    const socket = open();
    socket.push(spawn);
    socket.drop(WIRE_CLOSE_CODES.UNAUTHORIZED, 'revoked');
    expect(bridge.connectionState).toBe('failed');
    expect(received.at(-1)).toMatchObject({ type: 'process_terminated', processId: 'p-1' });
  });
});
