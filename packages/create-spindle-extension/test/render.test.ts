/** The template language: conditional lines (nested, with #else), placeholders, loud errors. */
import { describe, expect, it } from 'vitest';
import { render, TemplateError } from '../src/render.ts';

const context = { flags: { a: true, b: false }, values: { name: 'demo', id: 'x_1' } };

describe('render', () => {
  it('keeps or drops lines by flag, with #else, negation and nesting, in any comment style', () => {
    const text = [
      'top {{name}}',
      '// #if a',
      'a on',
      '  // #if b',
      'a and b',
      '  // #else',
      'a not b',
      '  // #endif',
      '// #endif',
      '<!-- #if !a -->',
      'not a',
      '<!-- #else -->',
      'a again ({{ id }})',
      '<!-- #endif -->',
      '# #if b',
      'b',
      '# #endif',
      'end',
    ].join('\n');
    expect(render('t', text, context)).toBe(
      ['top demo', 'a on', 'a not b', 'a again (x_1)', 'end'].join('\n'),
    );
  });

  it('an unknown flag or value, an unmatched #else or #endif and an open #if are errors', () => {
    const cases: Array<[string, string]> = [
      ['// #if c\nx\n// #endif', 't:1: unknown flag "c"'],
      ['{{nope}}', 't:1: unknown value {{nope}}'],
      ['// #else', 't:1: #else without #if'],
      ['// #if a\n// #else\n// #else\n// #endif', 't:3: #else without #if'],
      ['x\n// #endif', 't:2: #endif without #if'],
      ['// #if a\nx', 't:1: #if without #endif'],
    ];
    for (const [text, message] of cases) {
      expect(() => render('t', text, context)).toThrow(TemplateError);
      expect(() => render('t', text, context)).toThrow(`[spindle] ${message}`);
    }
  });

  it('a dropped block may hold unknown values; a line that only mentions #if is text', () => {
    expect(render('t', '// #if b\n{{nope}}\n// #endif', context)).toBe('');
    expect(render('t', 'const x = 1; // #if a', context)).toBe('const x = 1; // #if a');
  });
});
