/** Shared pieces of the sandbox tests that start real children (run by `bun test`). */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxLayer } from '@spindle/types';
import type { LaunchSettings } from '../../src/sandbox/settings.ts';
import type { SandboxCapabilities } from '../../src/sandbox/types.ts';

/** A private folder with `ext/` (read-only to the child) and `storage/` (read-write). */
export interface ChildFolders {
  base: string;
  ext: string;
  storage: string;
  settings: LaunchSettings;
  remove(): void;
}

/** Creates the folders of one child; the cache is private too. */
export function childFolders(prefix = 'spindle-sbx-'): ChildFolders {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const ext = join(base, 'ext');
  const storage = join(base, 'storage');
  mkdirSync(ext);
  mkdirSync(storage);
  return {
    base,
    ext,
    storage,
    // Root on CI: these children run as root; the runtime user has tests of its own.
    settings: {
      cacheDir: join(base, 'cache'),
      allowRootRuntimes: true,
      allowWeakerSandbox: true,
      pidsMax: 128,
    },
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
}

/** `caps` with only `layers` left (the others reported missing), for one-layer-at-a-time tests. */
export function onlyLayers(caps: SandboxCapabilities, layers: SandboxLayer[]): SandboxCapabilities {
  const keep = (layer: SandboxLayer) => layers.includes(layer);
  const missing = (layer: SandboxLayer) => (keep(layer) ? {} : { [layer]: 'left out by the test' });
  return {
    ...caps,
    bwrapPath: keep('bwrap') ? caps.bwrapPath : undefined,
    landlockAbi: keep('landlock') ? caps.landlockAbi : 0,
    seccompFilter: keep('seccomp') ? caps.seccompFilter : undefined,
    pidsCgroup: keep('pids') ? caps.pidsCgroup : undefined,
    missing: {
      ...missing('bwrap'),
      ...missing('landlock'),
      ...missing('seccomp'),
      ...missing('pids'),
    },
  };
}
