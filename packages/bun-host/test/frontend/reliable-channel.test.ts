import { describe, expect, it } from 'vitest';
import { InboundCursor, OutboundWindow } from '../../src/frontend/reliable-channel.ts';

describe('OutboundWindow', () => {
  it('numbers frames from 1 and keeps them until a cumulative ack', () => {
    const window = new OutboundWindow<{ n: number }>(4);
    expect(window.push({ n: 1 })).toEqual({ n: 1, seq: 1 });
    window.push({ n: 2 });
    window.push({ n: 3 });
    expect(window.ack(2)).toBe(true);
    expect(window.pending().map((f) => f.seq)).toEqual([3]);
    expect(window.ackedSeq).toBe(2);
  });

  it('refuses a push past capacity without using a seq', () => {
    const window = new OutboundWindow<{ n: number }>(2);
    window.push({ n: 1 });
    window.push({ n: 2 });
    expect(window.isFull).toBe(true);
    expect(window.push({ n: 3 })).toBeUndefined();
    window.ack(1);
    expect(window.push({ n: 3 })?.seq).toBe(3);
  });

  it('treats an ack beyond the last seq as an error but still drops what was sent', () => {
    const window = new OutboundWindow<{ n: number }>(4);
    window.push({ n: 1 });
    expect(window.ack(9)).toBe(false);
    expect(window.size).toBe(0);
    expect(window.ackedSeq).toBe(1);
  });

  it('ignores an older ack', () => {
    const window = new OutboundWindow<{ n: number }>(4);
    window.push({ n: 1 });
    window.push({ n: 2 });
    window.ack(2);
    window.ack(1);
    expect(window.ackedSeq).toBe(2);
    expect(window.pending(1)).toEqual([]);
  });
});

describe('InboundCursor', () => {
  it('tells next, duplicate and gap apart', () => {
    const cursor = new InboundCursor();
    expect(cursor.check(1)).toBe('next');
    cursor.advance(1);
    expect(cursor.check(1)).toBe('duplicate');
    expect(cursor.check(3)).toBe('gap');
    expect(cursor.check(2)).toBe('next');
    cursor.advance(3);
    expect(cursor.lastProcessed).toBe(1);
  });
});
