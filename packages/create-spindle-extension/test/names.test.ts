/** Names of a new project, derived from the folder name, and the rules they are checked by. */
import { describe, expect, it } from 'vitest';
import { EXTENSION_IDENTIFIER_PATTERN } from '../../types/src/manifest.ts';
import {
  IDENTIFIER_PATTERN,
  PACKAGE_NAME_PATTERN,
  toDisplayName,
  toIdentifier,
  toPackageName,
} from '../src/names.ts';

describe('names', () => {
  it('identifiers: lower case, underscores, a letter first, always valid', () => {
    const cases: Array<[string, string]> = [
      ['my-extension', 'my_extension'],
      ['My Cool.Ext!', 'my_cool_ext'],
      ['42things', 'ext_42things'],
      ['__x__', 'x'],
      ['日本', 'extension'],
    ];
    for (const [name, identifier] of cases) {
      expect(toIdentifier(name)).toBe(identifier);
      expect(IDENTIFIER_PATTERN.test(toIdentifier(name))).toBe(true);
    }
  });

  it('the identifier rule is the manifest rule of @spindle/types', () => {
    expect(IDENTIFIER_PATTERN.source).toBe(EXTENSION_IDENTIFIER_PATTERN.source);
  });

  it('package names: lower case, npm-safe; display names: words, capitalised', () => {
    expect(toPackageName('My Ext!')).toBe('my-ext');
    expect(toPackageName('.hidden')).toBe('hidden');
    expect(toPackageName('@@@')).toBe('spindle-extension');
    expect(PACKAGE_NAME_PATTERN.test('@scope/name')).toBe(true);
    expect(PACKAGE_NAME_PATTERN.test('Upper')).toBe(false);
    expect(toDisplayName('my-cool_ext')).toBe('My cool ext');
    expect(toDisplayName('---')).toBe('My extension');
  });
});
