/** The one Landlock rights table and the launcher's command line (`sandbox/landlock.ts`). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FILE_RIGHTS,
  FS,
  handledAccess,
  LANDLOCK_PERL,
  landlockPrefix,
  RULE_RIGHTS,
} from '../../src/sandbox/landlock.ts';
import { childPolicy, PROC_VIEW, SANDBOX_DEVICES } from '../../src/sandbox/policy.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spindle-landlock-'));
  mkdirSync(join(dir, 'ext'));
  mkdirSync(join(dir, 'storage'));
  mkdirSync(join(dir, 'cache'));
  writeFileSync(join(dir, 'cache/bootstrap.js'), '');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('handledAccess', () => {
  it('handles every right the kernel knows, TCP from ABI 4, scopes from ABI 6', () => {
    expect(handledAccess(1)).toEqual({ fs: FS.REFER - 1, net: 0, scoped: 0 });
    expect(handledAccess(3).fs).toBe((FS.REFER - 1) | FS.REFER | FS.TRUNCATE);
    expect(handledAccess(4).net).toBe(3);
    expect(handledAccess(6)).toEqual({ fs: (FS.IOCTL_DEV << 1) - 1, net: 3, scoped: 3 });
  });
});

describe('landlockPrefix', () => {
  const policy = () =>
    childPolicy({
      script: join(dir, 'cache/bootstrap.js'),
      bun: process.execPath,
      readOnly: [join(dir, 'ext')],
      readWrite: [join(dir, 'storage')],
    });

  it('passes the numbers the host computed: prctl, handled rights, then rights:path rules', () => {
    const target = {
      abi: 6,
      prctl: 157,
      perl: '/usr/bin/perl',
      insideBwrap: true,
      systemPaths: ['/usr'],
    };
    const cmd = landlockPrefix(policy(), target);
    const handled = handledAccess(6);
    expect(cmd.slice(0, 8)).toEqual([
      '/usr/bin/perl',
      '-e',
      LANDLOCK_PERL,
      '--',
      '157',
      String(handled.fs),
      String(handled.net),
      String(handled.scoped),
    ]);
    expect(cmd.at(-1)).toBe('--');
    const rules = new Map(
      cmd.slice(8, -1).map((r) => [r.slice(r.indexOf(':') + 1), Number(r.split(':')[0])]),
    );
    expect(rules.get('/usr')).toBe(RULE_RIGHTS.read);
    expect(rules.get(join(dir, 'ext'))).toBe(RULE_RIGHTS.read);
    expect(rules.get('/proc')).toBe(RULE_RIGHTS.read);
    expect(rules.get('/tmp')).toBe(RULE_RIGHTS.write);
    expect(rules.get(join(dir, 'storage'))).toBe(RULE_RIGHTS.write);
    // Files (devices, the Bun binary) hold file rights only; execute only on Bun and its loader.
    for (const device of SANDBOX_DEVICES) expect(rules.get(device)).toBe(RULE_RIGHTS.device);
    expect(rules.get(process.execPath)).toBe(RULE_RIGHTS.execute & FILE_RIGHTS);
    const executable = [...rules].filter(([, rights]) => rights & FS.EXECUTE).map(([p]) => p);
    expect(executable).toEqual(policy().execute);
    expect(executable.some((p) => /ld-(linux|musl)/.test(p))).toBe(true);
  });

  it('outside bwrap reads a narrow view of /proc, and keeps rights the ABI cannot handle out', () => {
    const target = { abi: 1, prctl: 157, perl: 'perl', insideBwrap: false, systemPaths: [] };
    const cmd = landlockPrefix(policy(), target);
    const paths = cmd.slice(8, -1).map((r) => r.slice(r.indexOf(':') + 1));
    expect(paths).not.toContain('/proc');
    expect(paths).not.toContain('/tmp');
    for (const entry of PROC_VIEW) expect(paths).toContain(entry);
    for (const rule of cmd.slice(8, -1)) {
      expect(Number(rule.split(':')[0]) & ~handledAccess(1).fs).toBe(0);
    }
  });
});
