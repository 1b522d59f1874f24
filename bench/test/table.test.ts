import { describe, expect, it } from 'vitest';
import { renderTable } from '../src/harness/table.ts';

describe('renderTable', () => {
  it('pads columns to the widest cell, rules the header and trims line ends', () => {
    const text = renderTable(
      ['a', 'bb'],
      [
        ['xxx', 'y'],
        ['z', ''],
      ],
    );
    expect(text.split('\n')).toEqual(['a    bb', '---  --', 'xxx  y', 'z']);
  });
});
