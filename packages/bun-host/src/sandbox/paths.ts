/** Where the runtime's own files live, for the Bun default and the sandbox's read-only set. */
import { fileURLToPath } from 'node:url';

/** Root of the repository (the pnpm workspace): four levels above this file. */
export const REPO_ROOT: string = fileURLToPath(new URL('../../../../', import.meta.url)).replace(
  /\/$/,
  '',
);

/** Workspace packages: the runtime bootstraps and everything they import by package name. */
export const REPO_PACKAGES: string = `${REPO_ROOT}/packages`;

/** Installed dependencies of the workspace (pnpm keeps the real files in `.pnpm`). */
export const REPO_NODE_MODULES: string = `${REPO_ROOT}/node_modules`;

/**
 * The Bun binary installed with the workspace. Not `node_modules/.bin/bun`: that is a pnpm
 * shell shim which runs this binary as its child without `exec`, so a signal or parent-death
 * guard aimed at the shim would miss the real Bun process.
 */
export const REPO_BUN: string = `${REPO_NODE_MODULES}/bun/bin/bun.exe`;

/** True when `child` is `parent` or lies below it (both absolute, normalised). */
export function isWithin(child: string, parent: string): boolean {
  if (parent === '/') return child.startsWith('/');
  return child === parent || child.startsWith(`${parent}/`);
}
