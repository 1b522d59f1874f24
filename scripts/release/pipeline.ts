/**
 * Build, pack and check every published package: what `pnpm release` runs before publishing
 * and what the consumer tests (`test/consumers/`) install. Packing goes through pnpm, which
 * applies each package's `publishConfig` (the built `exports` and `bin`) and rewrites
 * `workspace:` ranges to real versions; the checks then read the packed tarballs:
 * `tarball-rules.ts`, publint, and arethetypeswrong (ESM-only profile).
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { unpack } from '@publint/pack';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { REPO_ROOT, type ReleasePackage, releasePackages } from './packages.ts';
import { checkTarballs } from './tarball-rules.ts';

const run = promisify(execFile);

/** A packed package. */
export interface PackedPackage extends ReleasePackage {
  /** Absolute path of the tarball. */
  tarball: string;
  /** Size of the tarball in bytes. */
  packedBytes: number;
  /** Total size of the packed files in bytes. */
  unpackedBytes: number;
  /** Number of packed files. */
  fileCount: number;
}

/** Thrown when a packed package fails a check; `problems` lists them by package. */
export class ReleaseCheckError extends Error {
  constructor(readonly problems: { name: string; problems: string[] }[]) {
    super(
      `[spindle] release check failed:\n${problems
        .map((p) => `${p.name}:\n${p.problems.map((line) => `  - ${line}`).join('\n')}`)
        .join('\n')}`,
    );
    this.name = 'ReleaseCheckError';
  }
}

/**
 * The command that runs the repository's pnpm: `pnpm` when it is on PATH (as under
 * `pnpm <script>`), else the `packageManager` version through npx.
 */
export function pnpmCommand(): string[] {
  if (spawnSync('pnpm', ['--version'], { stdio: 'ignore' }).status === 0) return ['pnpm'];
  const { packageManager } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    packageManager: string;
  };
  return ['npx', '-y', packageManager];
}

async function pnpm(args: string[], cwd: string): Promise<string> {
  const [command, ...prefix] = pnpmCommand();
  const { stdout } = await run(command as string, [...prefix, ...args], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  return stdout;
}

/** Builds every package of `packages/` (`pnpm build`). */
export async function buildPackages(): Promise<void> {
  await pnpm(['-r', '--filter', './packages/*', 'build'], REPO_ROOT);
}

/** Packs each package into `outDir` with pnpm; the packages must be built. */
export async function packPackages(
  outDir: string,
  packages: ReleasePackage[] = releasePackages(),
): Promise<PackedPackage[]> {
  const packed: PackedPackage[] = [];
  for (const pkg of packages) {
    const out = await pnpm(['pack', '--json', '--pack-destination', outDir], pkg.dir);
    const { filename } = JSON.parse(out) as { filename: string };
    const { files } = await unpack(await readFile(filename));
    packed.push({
      ...pkg,
      tarball: filename,
      packedBytes: (await stat(filename)).size,
      unpackedBytes: files.reduce((sum, file) => sum + file.data.byteLength, 0),
      fileCount: files.length,
    });
  }
  return packed;
}

async function arethetypeswrong(tarball: string): Promise<string[]> {
  const attw = join(REPO_ROOT, 'node_modules', '.bin', 'attw');
  try {
    await run(attw, [tarball, '--profile', 'esm-only', '--format', 'table', '--no-color'], {
      timeout: 120_000,
    });
    return [];
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return [`arethetypeswrong:\n${stdout}${stderr}`];
  }
}

/** The problems of each packed package (empty lists when all is well). */
export async function checkPackages(
  packed: PackedPackage[],
): Promise<{ name: string; problems: string[] }[]> {
  const unpacked = await Promise.all(
    packed.map(async (pkg) => (await unpack(await readFile(pkg.tarball))).files),
  );
  const ruled = await checkTarballs(
    packed.map((pkg, i) => ({
      files: unpacked[i] ?? [],
      expected: { name: pkg.name, browserSafe: pkg.browserSafe },
    })),
  );
  return Promise.all(
    packed.map(async (pkg, i) => {
      const files = unpacked[i] ?? [];
      const lint = await publint({
        pack: { files },
        pkgDir: 'package',
        level: 'warning',
        strict: true,
      });
      const linted = lint.messages.map(
        (message) =>
          `publint: ${formatMessage(message, lint.pkg, { color: false }) ?? message.code}`,
      );
      return {
        name: pkg.name,
        problems: [...(ruled[i] ?? []), ...linted, ...(await arethetypeswrong(pkg.tarball))],
      };
    }),
  );
}

/**
 * Builds, packs into `outDir` and checks every published package.
 * @throws ReleaseCheckError when any tarball fails a check
 */
export async function prepareRelease(outDir: string): Promise<PackedPackage[]> {
  await buildPackages();
  const packed = await packPackages(outDir);
  const failed = (await checkPackages(packed)).filter((result) => result.problems.length > 0);
  if (failed.length > 0) throw new ReleaseCheckError(failed);
  return packed;
}
