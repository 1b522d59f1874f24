import { afterEach, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSpindleError } from '@spindle/types';
import {
  constantTimeEqual,
  createDevAuthenticator,
  createTokenAuthenticator,
  loadTokenFile,
} from '../../src/server/auth.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tokenFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-auth-'));
  dirs.push(dir);
  const path = join(dir, 'tokens.json');
  writeFileSync(path, content);
  return path;
}

describe('auth', () => {
  test('constantTimeEqual compares whole strings of any length', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });

  test('createTokenAuthenticator resolves known tokens only; empty tokens never match', async () => {
    const authenticate = createTokenAuthenticator({
      tokens: {
        'tok-a-0123456789abcdef': { userId: 'alice' },
        '': { userId: 'nobody' },
        'tok-r-0123456789abcdef': { userId: 'root', isAdmin: true },
      },
    });
    expect(await authenticate('tok-a-0123456789abcdef')).toEqual({
      userId: 'alice',
      isAdmin: false,
    });
    expect(await authenticate('tok-r-0123456789abcdef')).toEqual({ userId: 'root', isAdmin: true });
    expect(await authenticate('tok-a-0123456789abcdeF')).toBeNull();
    expect(await authenticate('')).toBeNull();
  });

  test('createDevAuthenticator prints its token once and accepts only it', async () => {
    const lines: string[] = [];
    const dev = createDevAuthenticator({ print: (line) => lines.push(line) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(dev.token);
    expect(dev.token.length).toBeGreaterThanOrEqual(32);
    expect(await dev.authenticate(dev.token)).toEqual({ userId: 'dev', isAdmin: true });
    expect(await dev.authenticate(`${dev.token}x`)).toBeNull();
    expect(createDevAuthenticator().token).not.toBe(dev.token);
  });

  test('loadTokenFile reads the documented format', async () => {
    const path = tokenFile(
      JSON.stringify({
        'alice-0123456789abcdef': { userId: 'alice' },
        'root-0123456789abcdefg': { userId: 'root', isAdmin: true },
      }),
    );
    const tokens = await loadTokenFile(path);
    expect(tokens).toEqual({
      'alice-0123456789abcdef': { userId: 'alice', isAdmin: false },
      'root-0123456789abcdefg': { userId: 'root', isAdmin: true },
    });
    expect(await createTokenAuthenticator({ tokens })('root-0123456789abcdefg')).toEqual({
      userId: 'root',
      isAdmin: true,
    });
  });

  test('loadTokenFile refuses bad files with INVALID_OPTIONS naming the file', async () => {
    const bad = [
      'not json',
      '[]',
      JSON.stringify({ short: { userId: 'a' } }),
      JSON.stringify({ 'long-enough-token-1234': { userId: '' } }),
      JSON.stringify({ 'long-enough-token-1234': { userId: 'a', isAdmin: 'yes' } }),
      JSON.stringify({ 'long-enough-token-1234': null }),
    ];
    for (const content of bad) {
      const path = tokenFile(content);
      const error = await loadTokenFile(path).catch((e: unknown) => e);
      expect(isSpindleError(error, 'INVALID_OPTIONS')).toBe(true);
      expect((error as Error).message).toContain(path);
    }
    const missing = await loadTokenFile('/nonexistent/tokens.json').catch((e: unknown) => e);
    expect(isSpindleError(missing, 'INVALID_OPTIONS')).toBe(true);
  });
});
