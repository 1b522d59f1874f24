/**
 * The `sandbox-exec` (Seatbelt) profile of `sandbox` mode on macOS. Seatbelt matches canonical
 * paths (`/tmp` is `/private/tmp`), so callers pass real paths; `planLaunch` resolves them.
 * The profile starts from "allow" (a deny-by-default profile needs private Apple services we
 * cannot test) and takes away: all network, every exec except Bun's own (sandbox-exec itself
 * execs Bun after applying the profile), every write outside the storage folders and a few
 * devices, and reads of user data (`/Users`, `/Volumes`, temp folders) outside the allowed set.
 */
import { SpindleError } from '@spindle/types';

/** Inputs of `sandboxExecProfile`: canonical absolute paths. */
export interface SeatbeltPolicy {
  /** The Bun binary as named and as its real path: the only programs `sandbox-exec` starts. */
  bun: string[];
  /** Readable paths below the user-data roots (runtime sources, Bun's folder, the extension). */
  readOnly: string[];
  /** Readable and writable paths (the storage folder). */
  readWrite: string[];
}

/** Roots whose contents are unreadable unless allowed. */
export const SEATBELT_PRIVATE_ROOTS: readonly string[] =
  '/Users /Volumes /private/tmp /private/var/folders /private/var/root'.split(' ');

/** Devices a child may write. */
export const SEATBELT_WRITABLE_DEVICES: readonly string[] =
  '/dev/null /dev/zero /dev/dtracehelper'.split(' ');

/** Quotes a path as an SBPL string literal. */
export function sbplString(path: string): string {
  if (!path.startsWith('/') || /[\0\n\r]/.test(path)) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `sandbox-exec path "${path}" must be absolute, one line`,
      {
        details: { path },
      },
    );
  }
  return `"${path.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** Generates the Seatbelt profile text for one child (see the module comment for the rule). */
export function sandboxExecProfile(policy: SeatbeltPolicy): string {
  const subpaths = (paths: readonly string[]) =>
    [...new Set(paths)].map((p) => `(subpath ${sbplString(p)})`).join(' ');
  const readable = [...policy.readOnly, ...policy.readWrite];
  const lines = [
    '(version 1)',
    '(allow default)',
    '(deny network*)',
    '(deny process-exec*)',
    `(allow process-exec ${[...new Set(policy.bun)].map((p) => `(literal ${sbplString(p)})`).join(' ')})`,
    '(deny file-write*)',
  ];
  const writable = [
    ...SEATBELT_WRITABLE_DEVICES.map((d) => `(literal ${sbplString(d)})`),
    ...(policy.readWrite.length > 0 ? [subpaths(policy.readWrite)] : []),
  ];
  lines.push(`(allow file-write* ${writable.join(' ')})`);
  lines.push(`(deny file-read-data ${subpaths(SEATBELT_PRIVATE_ROOTS)})`);
  if (readable.length > 0) lines.push(`(allow file-read-data ${subpaths(readable)})`);
  return `${lines.join('\n')}\n`;
}
