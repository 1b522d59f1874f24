/** Which package manager ran the generator, and its commands for the next steps. */

/** A package manager the generated project supports. */
export type PackageManager = 'npm' | 'pnpm' | 'bun';

/** The package managers, in the order they are checked in a user agent. */
export const PACKAGE_MANAGERS: readonly PackageManager[] = ['pnpm', 'bun', 'npm'];

/**
 * The package manager of `npm_config_user_agent` (`pnpm/10.3.0 npm/? node/v20…`, set by
 * `npm create`, `pnpm create` and `bun create`); npm when it is absent or unknown.
 */
export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split('/')[0];
  return PACKAGE_MANAGERS.find((pm) => pm === name) ?? 'npm';
}

/**
 * The commands of `pm`: install, and running a script (`npm run build`, `pnpm build`,
 * `bun run build`: `bun test` would be Bun's own test runner, not the script).
 */
export function commandsOf(pm: PackageManager): { install: string; run: string } {
  return { install: `${pm} install`, run: pm === 'pnpm' ? 'pnpm' : `${pm} run` };
}
