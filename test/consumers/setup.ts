/**
 * Global setup of the consumer tests: builds, packs and checks the published packages exactly as
 * `pnpm release --dry-run` does, then installs the tarballs with npm into one fresh project in
 * a private temporary folder outside the workspace (`app/` copied there, plus a generated
 * `package.json`). Every consumer test reads that one install; the folder is removed at the
 * end. Dependencies of the packages come from the npm registry, as for any user.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { prepareRelease } from '../../scripts/release/pipeline.ts';

const run = promisify(execFile);

declare module 'vitest' {
  export interface ProvidedContext {
    /** The consumer project: `app/` with the tarballs installed. */
    consumerApp: string;
    /** Scratch folder of the tests (next to the project, removed with it). */
    consumerScratch: string;
    /** The packed tarballs, by package name (absolute paths). */
    consumerTarballs: Record<string, string>;
  }
}

/** The environment of a user's shell: none of the variables pnpm sets for scripts. */
export function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(npm_|pnpm_|PNPM_)/i.test(key) && key !== 'NODE_OPTIONS',
    ),
  );
}

/** Builds, packs, installs; provides the project's folders; returns the clean-up. */
export default async function setup(project: TestProject): Promise<() => void> {
  const root = mkdtempSync(join(tmpdir(), 'spindle-consumers-'));
  const remove = () => rmSync(root, { recursive: true, force: true });
  try {
    const tarballs = join(root, 'tarballs');
    mkdirSync(tarballs);
    const packed = await prepareRelease(tarballs);

    const app = join(root, 'app');
    cpSync(join(import.meta.dirname, 'app'), app, { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify(
        {
          name: 'spindle-consumer',
          private: true,
          type: 'module',
          dependencies: Object.fromEntries(
            packed.map((pkg) => [pkg.name, `file:../tarballs/${basename(pkg.tarball)}`]),
          ),
        },
        null,
        2,
      )}\n`,
    );
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
      { cwd: app, env: userEnv(), timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const scratch = join(root, 'scratch');
    mkdirSync(scratch);
    project.provide('consumerApp', app);
    project.provide('consumerScratch', scratch);
    project.provide(
      'consumerTarballs',
      Object.fromEntries(packed.map((pkg) => [pkg.name, pkg.tarball])),
    );
  } catch (error) {
    remove();
    throw error;
  }
  return remove;
}
