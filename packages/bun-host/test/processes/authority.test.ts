import { describe, expect, it } from 'vitest';
import { assertAccess, resolveUser } from '../../src/processes/authority.ts';

const operator = { extensionId: 'ext', scope: { kind: 'operator' as const } };
const alice = { extensionId: 'ext', scope: { kind: 'user' as const, userId: 'alice' } };

describe('authority', () => {
  it('resolves the user of a spawn by scope', () => {
    expect(resolveUser(operator, undefined)).toBeUndefined();
    expect(resolveUser(operator, 'bob')).toBe('bob');
    expect(resolveUser(alice, undefined)).toBe('alice');
    expect(resolveUser(alice, 'alice')).toBe('alice');
    expect(() => resolveUser(alice, 'bob')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });

  it('hides processes of other extensions and unreachable users', () => {
    const own = { extensionId: 'ext', processId: 'p', userId: 'alice' };
    expect(() => assertAccess(operator, own, 'p')).not.toThrow();
    expect(() => assertAccess(operator, own, 'p', 'alice')).not.toThrow();
    expect(() => assertAccess(alice, own, 'p')).not.toThrow();
    const notFound = expect.objectContaining({ code: 'PROCESS_NOT_FOUND' });
    expect(() => assertAccess(operator, own, 'p', 'bob')).toThrow(notFound);
    expect(() => assertAccess(operator, { ...own, extensionId: 'other' }, 'p')).toThrow(notFound);
    expect(() => assertAccess(alice, { ...own, userId: 'bob' }, 'p')).toThrow(notFound);
    expect(() => assertAccess(operator, undefined, 'p')).toThrow(notFound);
    expect(() => assertAccess(alice, own, 'p', 'bob')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });
});
