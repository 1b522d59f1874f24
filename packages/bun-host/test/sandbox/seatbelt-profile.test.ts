import { describe, expect, it } from 'vitest';
import { sandboxExecProfile } from '../../src/sandbox/seatbelt.ts';

describe('sandboxExecProfile', () => {
  const profile = sandboxExecProfile({
    bun: ['/Users/ann/.bun/bin/bun', '/Users/ann/.bun/bin/bun'],
    readOnly: ['/Users/ann/.bun/bin', '/Users/ann/spindle/packages', '/Users/ann/ext/hello'],
    readWrite: ['/Users/ann/data/storage/hello'],
  });

  it('is the exact expected profile', () => {
    expect(profile).toBe(
      [
        '(version 1)',
        '(allow default)',
        '(deny network*)',
        '(deny process-exec*)',
        '(allow process-exec (literal "/Users/ann/.bun/bin/bun"))',
        '(deny file-write*)',
        '(allow file-write* (literal "/dev/null") (literal "/dev/zero") (literal "/dev/dtracehelper") (subpath "/Users/ann/data/storage/hello"))',
        '(deny file-read-data (subpath "/Users") (subpath "/Volumes") (subpath "/private/tmp") (subpath "/private/var/folders") (subpath "/private/var/root"))',
        '(allow file-read-data (subpath "/Users/ann/.bun/bin") (subpath "/Users/ann/spindle/packages") (subpath "/Users/ann/ext/hello") (subpath "/Users/ann/data/storage/hello"))',
        '',
      ].join('\n'),
    );
  });

  it('denies network before anything is allowed back, and the only exec is Bun', () => {
    const lines = profile.split('\n');
    expect(lines.indexOf('(deny network*)')).toBeGreaterThan(lines.indexOf('(allow default)'));
    expect(profile.match(/allow process-exec/g)).toHaveLength(1);
    expect(profile).not.toMatch(/allow network/);
  });

  it('escapes quotes and backslashes and rejects relative or multi-line paths', () => {
    const odd = sandboxExecProfile({ bun: ['/b/bun'], readOnly: ['/x/"q"\\z'], readWrite: [] });
    expect(odd).toContain('(subpath "/x/\\"q\\"\\\\z")');
    expect(() => sandboxExecProfile({ bun: ['bun'], readOnly: [], readWrite: [] })).toThrow(
      /must be absolute/,
    );
    expect(() =>
      sandboxExecProfile({ bun: ['/b'], readOnly: ['/a\n(allow network*)'], readWrite: [] }),
    ).toThrow(/one line/);
  });

  it('allows both the named and the real Bun path', () => {
    const p = sandboxExecProfile({
      bun: ['/opt/homebrew/bin/bun', '/opt/homebrew/Cellar/bun/1.4.5/bin/bun'],
      readOnly: [],
      readWrite: [],
    });
    expect(p).toContain(
      '(allow process-exec (literal "/opt/homebrew/bin/bun") (literal "/opt/homebrew/Cellar/bun/1.4.5/bin/bun"))',
    );
  });

  it('without storage folders only the devices are writable', () => {
    const p = sandboxExecProfile({ bun: ['/b/bun'], readOnly: ['/b'], readWrite: [] });
    expect(p).toContain(
      '(allow file-write* (literal "/dev/null") (literal "/dev/zero") (literal "/dev/dtracehelper"))\n',
    );
  });
});
