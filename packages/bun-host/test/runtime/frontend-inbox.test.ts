/** Messages waiting for a starting runtime, bounded in count and bytes. */
import { describe, expect, it } from 'vitest';
import { FRONTEND_INBOX_LIMIT, FrontendInbox } from '../../src/runtime/frontend-inbox.ts';

describe('FrontendInbox', () => {
  it('keeps messages in order up to its byte bound and says why it refuses', () => {
    const inbox = new FrontendInbox(100);
    expect(inbox.add({ payload: 'a'.repeat(40), userId: 'u', sessionId: 's' })).toBeUndefined();
    expect(inbox.add({ payload: 'b'.repeat(40), userId: 'u', sessionId: 's' })).toBeUndefined();
    expect(inbox.bytes).toBe(84);
    expect(inbox.add({ payload: 'c'.repeat(40), userId: 'u', sessionId: 's' })).toMatch(
      /84 bytes of messages already wait .*inboundQueueBytes/,
    );
    expect(inbox.take().map((e) => (e.payload as string)[0])).toEqual(['a', 'b']);
    expect(inbox.size).toBe(0);
    expect(inbox.bytes).toBe(0);
  });

  it('refuses past FRONTEND_INBOX_LIMIT messages whatever their size', () => {
    const inbox = new FrontendInbox(1 << 30);
    for (let i = 0; i < FRONTEND_INBOX_LIMIT; i++)
      inbox.add({ payload: i, userId: 'u', sessionId: 's' });
    expect(inbox.add({ payload: 0, userId: 'u', sessionId: 's' })).toMatch(/256 messages/);
  });
});
