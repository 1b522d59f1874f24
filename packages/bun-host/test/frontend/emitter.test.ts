/** The hub's emitter keeps mitt's semantics (`emitter.ts`). */
import { describe, expect, it } from 'vitest';
import { createEmitter } from '../../src/frontend/emitter.ts';

type Events = { a: number; b: string };

describe('createEmitter', () => {
  it('calls the handlers of a type in order, then the wildcard ones', () => {
    const events = createEmitter<Events>();
    const log: string[] = [];
    events.on('*', (type, value) => log.push(`* ${String(type)} ${String(value)}`));
    events.on('a', (n) => log.push(`a1 ${n}`));
    events.on('a', (n) => log.push(`a2 ${n}`));
    events.emit('a', 1);
    events.emit('b', 'x');
    expect(log).toEqual(['a1 1', 'a2 1', '* a 1', '* b x']);
  });

  it('off removes one handler, or all of a type; unknown ones are ignored', () => {
    const events = createEmitter<Events>();
    const log: number[] = [];
    const one = (n: number) => log.push(n);
    const two = (n: number) => log.push(n * 10);
    events.on('a', one);
    events.on('a', two);
    events.off('a', () => {});
    events.off('a', one);
    events.emit('a', 1);
    events.off('a');
    events.emit('a', 2);
    events.off('b');
    expect(log).toEqual([10]);
    expect(events.all.get('a')).toEqual([]);
  });

  it('changes made during an emit take effect from the next one, as with mitt', () => {
    const events = createEmitter<Events>();
    const log: string[] = [];
    const late = () => log.push('late');
    const second = () => log.push('second');
    events.on('a', () => {
      log.push('first');
      events.on('a', late);
      events.off('a', second);
    });
    events.on('a', second);
    events.emit('a', 1);
    expect(log).toEqual(['first', 'second']);
    log.length = 0;
    events.emit('a', 2);
    // The second `late` added during this emit runs from the next one.
    expect(log).toEqual(['first', 'late']);
  });
});
