/**
 * `pnpm release [--dry-run] [--out <dir>]`: builds every published package, packs it into
 * `<dir>` (default `.release/`, emptied first; a `--out` folder must be new or empty), checks
 * the tarballs (`pipeline.ts`) and prints
 * their sizes. Without `--dry-run` it then publishes the versions that are not on the registry
 * yet, with their git tags (`changeset publish`). Versions and changelogs come before, from
 * `pnpm changeset` and `pnpm version-packages`; see the root README.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './packages.ts';
import { type PackedPackage, pnpmCommand, prepareRelease, ReleaseCheckError } from './pipeline.ts';

/** Where the tarballs go without `--out`: a folder of this repository, emptied each run. */
const DEFAULT_OUT = resolve(REPO_ROOT, '.release');

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** A table of the tarballs: name, version, packed and unpacked size, files. */
export function sizeTable(packed: PackedPackage[]): string {
  const rows = [
    ['package', 'version', 'tarball', 'unpacked', 'files'],
    ...packed.map((p) => [
      p.name,
      p.version,
      kib(p.packedBytes),
      kib(p.unpackedBytes),
      String(p.fileCount),
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const outDir = resolve(values.out ?? DEFAULT_OUT);
  if (values.out === undefined) {
    rmSync(outDir, { recursive: true, force: true });
  } else if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    console.error(`[spindle] --out ${outDir} is not empty: give a new or empty folder`);
    return 2;
  }
  mkdirSync(outDir, { recursive: true });
  let packed: PackedPackage[];
  try {
    packed = await prepareRelease(outDir);
  } catch (error) {
    if (error instanceof ReleaseCheckError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  console.log(
    `[spindle] built, packed and checked into ${relative(process.cwd(), outDir) || '.'}:`,
  );
  console.log(sizeTable(packed));
  if (values['dry-run']) {
    console.log('[spindle] --dry-run: nothing published');
    return 0;
  }
  const [command, ...prefix] = pnpmCommand();
  execFileSync(command as string, [...prefix, 'exec', 'changeset', 'publish'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  return 0;
}

process.exitCode = await main();
