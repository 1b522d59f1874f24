/**
 * The activation fields of `spindle.json` (docs/operations.md, "Activation"): `activation`,
 * `activationEvents` and `keepAlive` are typed, bounded and refused with a clear path.
 */
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../src/index.ts';
import { MAX_ACTIVATION_EVENTS } from '../src/validate/manifest.ts';

const base = {
  version: '1.0.0',
  name: 'Demo',
  identifier: 'demo_ext',
  author: 'someone',
  github: '',
  homepage: '',
  permissions: [],
};

describe('activation fields of the manifest', () => {
  it('accepts a lazy extension with activation events and keepAlive', () => {
    const manifest = {
      ...base,
      activation: 'lazy',
      activationEvents: ['CHAT_SWITCHED', 'MESSAGE_SENT'],
      keepAlive: true,
    };
    expect(validateManifest(manifest)).toEqual({ ok: true, value: manifest });
  });

  it.each([
    [{ activation: 'sometimes' }, 'activation', '"eager" | "lazy"'],
    [{ activation: true }, 'activation', '"eager" | "lazy"'],
    [{ activationEvents: 'CHAT_SWITCHED' }, 'activationEvents', ''],
    [{ activationEvents: [''] }, 'activationEvents.0', 'must not be empty'],
    [{ activationEvents: [7] }, 'activationEvents.0', ''],
    [
      { activationEvents: Array.from({ length: MAX_ACTIVATION_EVENTS + 1 }, (_, i) => `E${i}`) },
      'activationEvents',
      `at most ${MAX_ACTIVATION_EVENTS}`,
    ],
    [{ keepAlive: 'yes' }, 'keepAlive', ''],
  ])('refuses %j at %s', (extra, path, words) => {
    const result = validateManifest({ ...base, ...extra });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_MANIFEST', path } });
    if (!result.ok) expect(result.error.message).toContain(words);
  });
});
