/**
 * `ActivationInbox` alone: what `offer` answers in each state, the count and byte bounds, and
 * that every item is delivered or refused exactly once.
 */
import type { ExtensionStateDTO } from '@spindle/types';
import { describe, expect, test } from 'vitest';
import { ActivationInbox } from '../../src/activation/inbox.ts';

function rig(options: { limit?: number; maxBytes?: number } = {}) {
  let state: ExtensionStateDTO = 'starting';
  const delivered: string[] = [];
  const refused: { items: string[]; why: string }[] = [];
  let needs = 0;
  const inbox = new ActivationInbox<string>({
    limit: options.limit ?? 10,
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    sizeOf: (item) => item.length,
    bytesLabel: 'inboundQueueBytes',
    state: () => state,
    deliver: (item) => delivered.push(item),
    need: () => {
      needs += 1;
    },
    refuse: (items, why) => refused.push({ items, why }),
  });
  return {
    inbox,
    delivered,
    refused,
    needs: () => needs,
    set(next: ExtensionStateDTO) {
      state = next;
      inbox.stateChanged(next);
    },
  };
}

describe('ActivationInbox', () => {
  test('delivers at once while running and nothing waits', () => {
    const r = rig();
    r.set('running');
    expect(r.inbox.offer('a')).toEqual({ outcome: 'delivered' });
    expect(r.delivered).toEqual(['a']);
  });

  test('refuses at once, with the reason, in a state that takes no work', () => {
    const r = rig();
    r.set('disabled');
    const offer = r.inbox.offer('a');
    expect(offer).toEqual({
      outcome: 'refused',
      reason: 'inactive',
      why: 'the extension is disabled',
    });
    expect(r.refused).toEqual([{ items: ['a'], why: 'the extension is disabled' }]);
  });

  test('keeps items in order while starting and delivers them once on running', () => {
    const r = rig();
    expect(r.inbox.offer('a').outcome).toBe('queued');
    expect(r.inbox.offer('bb').outcome).toBe('queued');
    expect(r.inbox.bytes).toBe(3);
    r.set('running');
    expect(r.delivered).toEqual(['a', 'bb']);
    expect(r.inbox.size).toBe(0);
    expect(r.inbox.bytes).toBe(0);
    r.set('running');
    expect(r.delivered).toEqual(['a', 'bb']);
  });

  test('the count bound refuses one more, as full', () => {
    const r = rig({ limit: 2 });
    r.inbox.offer('a');
    r.inbox.offer('b');
    const offer = r.inbox.offer('c');
    expect(offer).toMatchObject({ outcome: 'refused', reason: 'full' });
    expect(r.inbox.size).toBe(2);
  });

  test('the byte bound refuses what would pass it, naming the setting, and frees on delivery', () => {
    const r = rig({ maxBytes: 10 });
    expect(r.inbox.offer('12345678').outcome).toBe('queued');
    const offer = r.inbox.offer('123');
    expect(offer.outcome).toBe('refused');
    if (offer.outcome !== 'refused') throw new Error('unreachable');
    expect(offer.reason).toBe('full');
    expect(offer.why).toContain('limit 10, inboundQueueBytes');
    expect(r.inbox.offer('12').outcome).toBe('queued');
    expect(r.inbox.bytes).toBe(10);
    r.set('running');
    expect(r.delivered).toEqual(['12345678', '12']);
    r.set('restarting');
    expect(r.inbox.offer('1234567890').outcome).toBe('queued');
  });

  test('a final state refuses everything waiting once, and the bytes are freed', () => {
    const r = rig({ maxBytes: 100 });
    r.inbox.offer('a');
    r.inbox.offer('b');
    r.set('failed');
    expect(r.refused).toEqual([{ items: ['a', 'b'], why: 'the extension is failed' }]);
    expect(r.inbox.bytes).toBe(0);
    r.set('starting');
    expect(r.inbox.offer('c').outcome).toBe('queued');
  });

  test('a hibernated extension queues and asks for an activation', () => {
    const r = rig();
    r.set('hibernated');
    expect(r.inbox.offer('a').outcome).toBe('queued');
    expect(r.needs()).toBe(1);
    r.inbox.needFailed('capacity');
    expect(r.refused).toEqual([{ items: ['a'], why: 'capacity' }]);
  });
});
