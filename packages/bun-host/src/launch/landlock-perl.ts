/**
 * The command line of the Perl Landlock launcher (`landlock-exec.pl`). The Bun launcher
 * (`landlock-exec.ts`) costs a second Bun start plus loading `bun:ffi` on every sandboxed
 * child; Perl starts in about 2 ms and its `syscall` builtin reaches Landlock directly. The
 * planner uses it when detection proved it works here and the native launcher
 * (`landlock-native.ts`, x86-64 only) is not available, and falls back to the Bun one
 * otherwise (no Perl, an architecture missing from the table below).
 */
import { fileURLToPath } from 'node:url';
import { SANDBOX_DEVICES } from './devices.ts';
import { executeSet } from './execute-set.ts';
import type { SelfSandboxPolicy } from './policy.ts';

/** The launcher script; it must be readable inside the sandbox. */
export const LANDLOCK_EXEC_PERL: string = fileURLToPath(
  new URL('./landlock-exec.pl', import.meta.url),
);

/**
 * `prctl(2)` syscall numbers by Node architecture name (the launcher sets
 * `PR_SET_NO_NEW_PRIVS` with it; the Landlock calls share one number on every architecture).
 */
export const PRCTL_SYSCALL: Readonly<Partial<Record<string, number>>> = {
  x64: 157,
  arm64: 167,
  riscv64: 167,
  loong64: 167,
  arm: 172,
  ia32: 172,
  s390x: 172,
  ppc64: 171,
};

/**
 * `perl landlock-exec.pl <prctl nr> <rules…> --` for `policy`, ready to be followed by the
 * program and its arguments (`program` is what it will exec). `undefined` on an architecture
 * without a known `prctl` number.
 */
export function perlLandlockPrefix(
  perl: string,
  policy: SelfSandboxPolicy,
  program: string,
  arch: string = process.arch,
): string[] | undefined {
  const prctl = PRCTL_SYSCALL[arch];
  if (prctl === undefined) return undefined;
  return [
    perl,
    LANDLOCK_EXEC_PERL,
    String(prctl),
    ...policy.readOnly.map((path) => `r:${path}`),
    ...policy.readWrite.map((path) => `w:${path}`),
    ...SANDBOX_DEVICES.map((path) => `d:${path}`),
    ...executeSet(program).map((path) => `x:${path}`),
    '--',
  ];
}
