import { describe, expect, it } from 'vitest';
import { LINE_PREFIX } from '../src/harness/protocol.ts';
import { parseChildLine } from '../src/harness/supervisor.ts';

describe('parseChildLine', () => {
  it('passes unbranded output through as a log line', () => {
    expect(parseChildLine('{"type":"completed"}')).toEqual({
      kind: 'log',
      text: '{"type":"completed"}',
    });
  });
  it('accepts well-formed protocol lines', () => {
    const sampled = { type: 'sampled', side: 'figure', round: 0, values: [1.5, 2] };
    expect(parseChildLine(LINE_PREFIX + JSON.stringify(sampled))).toEqual({
      kind: 'protocol',
      line: sampled,
    });
    const done = { type: 'completed', floor: [1], figure: [] };
    expect(parseChildLine(LINE_PREFIX + JSON.stringify(done)).kind).toBe('protocol');
  });
  it('flags branded lines that are not JSON or not a known shape', () => {
    expect(parseChildLine(`${LINE_PREFIX}{oops`)).toMatchObject({
      kind: 'bad',
      reason: 'not JSON',
    });
    for (const v of [
      { type: 'sampled', side: 'middle', values: [1] },
      { type: 'completed', floor: [1, null], figure: [] },
      { type: 'shout' },
      null,
    ]) {
      expect(parseChildLine(LINE_PREFIX + JSON.stringify(v)).kind).toBe('bad');
    }
  });
});
