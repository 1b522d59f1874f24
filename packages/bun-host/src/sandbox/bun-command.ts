/**
 * The command that starts Bun. On Termux the bare glibc `bun` binary cannot run directly, so
 * `LUMIVERSE_BUN_PATH` and `LUMIVERSE_BUN_METHOD` choose a wrapper (the launcher script exports
 * the method that worked during install, and every runtime and install reuses it).
 */
import { isAbsolute } from 'node:path';
import { SpindleError } from '@spindle/types';
import { defaultBunPath } from './paths.ts';

/** Ways of starting Bun (`LUMIVERSE_BUN_METHOD`). */
export type BunMethod = 'direct' | 'grun' | 'proot';

/** Every accepted `LUMIVERSE_BUN_METHOD`. */
export const BUN_METHODS: readonly BunMethod[] = ['direct', 'grun', 'proot'];

/** Termux's install prefix, used when `PREFIX` is not set. */
export const TERMUX_PREFIX = '/data/data/com.termux/files/usr';

const GLIBC_LOADERS: Record<string, string> = {
  arm64: 'ld-linux-aarch64.so.1',
  arm: 'ld-linux-armhf.so.3',
  x64: 'ld-linux-x86-64.so.2',
  ia32: 'ld-linux.so.2',
};

/**
 * The argv prefix that starts Bun (the script and its arguments follow): the binary
 * (`bunPath`), by `LUMIVERSE_BUN_METHOD` (@default `direct`): `direct` → `[bun]`; `grun` →
 * `['grun', bun]` (Termux `glibc-runner` sets up the glibc loader); `proot` → proot faking root
 * and hard links (which Bun's installer needs on Android storage) around `$PREFIX/glibc/lib`'s
 * loader for `options.arch` (@default process.arch) running the binary.
 * @throws SpindleError `INVALID_OPTIONS` for an unknown method, an empty or relative path.
 */
export function bunCommand(
  env: Record<string, string | undefined> = process.env,
  options: { arch?: string } = {},
): string[] {
  const rawMethod = env.LUMIVERSE_BUN_METHOD?.trim() || 'direct';
  if (!BUN_METHODS.includes(rawMethod as BunMethod)) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `LUMIVERSE_BUN_METHOD="${rawMethod}" is not one of ${BUN_METHODS.join(', ')}`,
      { details: { method: rawMethod } },
    );
  }
  const method = rawMethod as BunMethod;
  const bun = bunPath(env);
  switch (method) {
    case 'direct':
      return [bun];
    case 'grun':
      return ['grun', bun];
    case 'proot': {
      const prefix = env.PREFIX?.trim() || TERMUX_PREFIX;
      const arch = options.arch ?? process.arch;
      const loader = GLIBC_LOADERS[arch];
      if (!loader) {
        throw new SpindleError(
          'INVALID_OPTIONS',
          `LUMIVERSE_BUN_METHOD=proot has no glibc loader for CPU "${arch}"`,
          { details: { arch } },
        );
      }
      const glibc = `${prefix}/glibc/lib`;
      return ['proot', '--link2symlink', '-0', `${glibc}/${loader}`, '--library-path', glibc, bun];
    }
  }
}

/**
 * The Bun binary `bunCommand` starts: `LUMIVERSE_BUN_PATH`, else `process.execPath` under Bun,
 * else the `bun` package's real binary as this package resolves it (`defaultBunPath`).
 */
export function bunPath(env: Record<string, string | undefined> = process.env): string {
  const configured = env.LUMIVERSE_BUN_PATH;
  if (configured === undefined || configured.trim() === '') return defaultBunPath();
  if (!isAbsolute(configured) || configured.includes('\0')) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `LUMIVERSE_BUN_PATH must be an absolute path, got "${configured}"`,
      { details: { path: configured } },
    );
  }
  return configured;
}
