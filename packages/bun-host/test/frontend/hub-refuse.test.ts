/** `FrontendHub.refuse`: the host tells a session that an uplink it accepted was refused. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connect, makeHub } from './harness.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('refuse', () => {
  it('sends an error frame naming the uplink, unsequenced, to the connected session only', () => {
    const hub = makeHub();
    const c = connect(hub);
    hub.refuse(c.sessionId, {
      code: 'RUNTIME_BUSY',
      message: 'the backend is busy',
      seq: 3,
      frameType: 'backend_message',
    });
    expect(c.ofType('error')).toEqual([
      {
        type: 'error',
        code: 'RUNTIME_BUSY',
        message: '[spindle] the backend is busy',
        seq: 3,
        frameType: 'backend_message',
      },
    ]);
    expect(hub.pendingCount(c.sessionId)).toBe(0);
    c.connection.detach();
    hub.refuse(c.sessionId, { code: 'RUNTIME_BUSY', message: 'again' });
    hub.refuse('no-such-session', { code: 'RUNTIME_BUSY', message: 'nobody' });
    expect(c.ofType('error')).toHaveLength(1);
  });
});
