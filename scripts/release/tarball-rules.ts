/**
 * What a published tarball of this project must be, checked on the packed bytes (the files as
 * `pnpm pack` wrote them), so the check sees what npm users get:
 *
 * - only `package.json`, `README.md`, `LICENSE`, `CHANGELOG.md` and `dist/` (all four files
 *   present), no TypeScript source but declarations;
 * - a manifest without `private`, without a `workspace:`, `file:` or `link:` range, with a valid
 *   version;
 * - every `exports` subpath with `types` first and `import`, every target and `bin` present and
 *   none a `.ts` source;
 * - every `sideEffects` pattern matching a packed file (so the kept module is really kept);
 * - every package a built module imports declared in `dependencies` or `peerDependencies`;
 *   Node's and Bun's built-in modules only where `browserSafe` is false.
 *
 * Pure: `checkTarball` takes the unpacked files and returns the problems, one sentence each
 * (after `await init` of es-module-lexer, which `checkTarballs` does).
 */
import { init, parse } from 'es-module-lexer';

/** One file of an unpacked tarball (`name` as packed, e.g. `package/dist/index.js`). */
export interface TarballFile {
  name: string;
  data: Uint8Array;
}

/** What the checker needs to know of the package besides its files. */
export interface TarballExpectations {
  /** The package name the tarball must carry. */
  name: string;
  /** True for packages that run in a browser: no Node or Bun module may be imported. */
  browserSafe: boolean;
}

/** Files allowed at the top of a tarball besides `dist/`; all four are required. */
export const TOP_LEVEL_FILES = ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'] as const;

const NODE_BUILTINS = new Set([
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'console',
  'constants',
  'crypto',
  'dgram',
  'diagnostics_channel',
  'dns',
  'domain',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'inspector',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'punycode',
  'querystring',
  'readline',
  'repl',
  'stream',
  'string_decoder',
  'timers',
  'tls',
  'trace_events',
  'tty',
  'url',
  'util',
  'v8',
  'vm',
  'wasi',
  'worker_threads',
  'zlib',
]);

const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const LOCAL_RANGE = /^(workspace|file|link):/;

/**
 * Module specifiers a built module imports, statically or through `import('…')` with a literal
 * (es-module-lexer: what a bundler sees, comments and strings excluded). Needs `await init`
 * from `es-module-lexer` once before the first call.
 */
export function importSpecifiers(code: string): string[] {
  const [imports] = parse(code);
  return [...new Set(imports.flatMap((entry) => (entry.n === undefined ? [] : [entry.n])))];
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':')) {
    return undefined;
  }
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** True for Node's and Bun's built-in modules (`node:fs`, `fs`, `bun`, `bun:ffi`). */
export function isRuntimeBuiltin(specifier: string): boolean {
  return (
    specifier.startsWith('node:') ||
    specifier === 'bun' ||
    specifier.startsWith('bun:') ||
    NODE_BUILTINS.has(specifier)
  );
}

/** A `sideEffects` pattern (`*` within a segment) as a test on packed paths. */
function sideEffectsMatcher(pattern: string): (path: string) => boolean {
  const body = pattern
    .replace(/^\.\//, '')
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]*');
  const regex = pattern.includes('/') ? new RegExp(`^${body}$`) : new RegExp(`(^|/)${body}$`);
  return (path) => regex.test(path);
}

/** Every string leaf of an `exports` value with the conditions that lead to it. */
function exportLeaves(value: unknown, conditions: string[] = []): [string[], string][] {
  if (typeof value === 'string') return [[conditions, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => exportLeaves(inner, [...conditions, key]));
}

/** Checks one unpacked tarball; returns its problems (none: the tarball may be published). */
export function checkTarball(files: TarballFile[], expected: TarballExpectations): string[] {
  const problems: string[] = [];
  const root = 'package/';
  const paths = new Map<string, Uint8Array>();
  for (const file of files) {
    if (!file.name.startsWith(root)) {
      problems.push(`${file.name} is outside the tarball's package/ folder`);
      continue;
    }
    paths.set(file.name.slice(root.length), file.data);
  }
  const text = (path: string): string => new TextDecoder().decode(paths.get(path));

  for (const path of paths.keys()) {
    const topLevel = (TOP_LEVEL_FILES as readonly string[]).includes(path);
    if (!topLevel && !path.startsWith('dist/')) {
      problems.push(`${path} is packed, but only dist/ and ${TOP_LEVEL_FILES.join(', ')} may be`);
    } else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) {
      problems.push(`${path} is a TypeScript source; only built JavaScript and .d.ts are shipped`);
    }
  }
  for (const required of TOP_LEVEL_FILES) {
    if (!paths.has(required)) problems.push(`${required} is missing`);
  }
  if (!paths.has('package.json')) return problems;

  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(text('package.json')) as Record<string, unknown>;
  } catch (error) {
    problems.push(`package.json is not JSON: ${(error as Error).message}`);
    return problems;
  }
  if (manifest.name !== expected.name) {
    problems.push(`package.json names ${String(manifest.name)}, expected ${expected.name}`);
  }
  if (manifest.private === true)
    problems.push('package.json is private: npm refuses to publish it');
  if (typeof manifest.version !== 'string' || !SEMVER.test(manifest.version)) {
    problems.push(`version ${String(manifest.version)} is not a semver version`);
  }
  const declared = new Set<string>();
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    const ranges = (manifest[field] ?? {}) as Record<string, string>;
    for (const [dependency, range] of Object.entries(ranges)) {
      declared.add(dependency);
      if (LOCAL_RANGE.test(range)) {
        problems.push(`${field}.${dependency} is "${range}", which npm cannot install`);
      }
    }
  }

  const exportsField = manifest.exports;
  if (exportsField === undefined || typeof exportsField !== 'object' || exportsField === null) {
    problems.push('package.json has no exports map');
  } else {
    for (const [subpath, target] of Object.entries(exportsField)) {
      if (subpath === './package.json') continue;
      const keys = target !== null && typeof target === 'object' ? Object.keys(target) : [];
      if (keys[0] !== 'types' || !keys.includes('import')) {
        problems.push(`exports["${subpath}"] must list "types" first, then "import"`);
      }
    }
    for (const [conditions, target] of exportLeaves(exportsField)) {
      const where = `exports → ${conditions.join(' → ')}`;
      const path = target.replace(/^\.\//, '');
      if (target.endsWith('.ts') && !target.endsWith('.d.ts')) {
        problems.push(`${where} is a TypeScript source (${target})`);
      } else if (!paths.has(path)) {
        problems.push(`${where} points at ${target}, which is not in the tarball`);
      }
    }
  }
  const bin = manifest.bin;
  const bins = typeof bin === 'string' ? { [String(manifest.name)]: bin } : (bin ?? {});
  for (const [command, target] of Object.entries(bins as Record<string, string>)) {
    const path = target.replace(/^\.\//, '');
    if (path.endsWith('.ts')) problems.push(`bin ${command} is a TypeScript source (${target})`);
    else if (!paths.has(path))
      problems.push(`bin ${command} points at ${target}, which is missing`);
  }
  if (Array.isArray(manifest.sideEffects)) {
    for (const pattern of manifest.sideEffects as string[]) {
      const matches = sideEffectsMatcher(pattern);
      if (![...paths.keys()].some(matches)) {
        problems.push(`sideEffects pattern "${pattern}" matches no packed file`);
      }
    }
  }

  for (const path of paths.keys()) {
    if (!path.endsWith('.js')) continue;
    for (const specifier of importSpecifiers(text(path))) {
      if (isRuntimeBuiltin(specifier)) {
        if (expected.browserSafe) {
          problems.push(`${path} imports "${specifier}", which a browser does not have`);
        }
        continue;
      }
      const dependency = packageOf(specifier);
      if (dependency !== undefined && dependency !== expected.name && !declared.has(dependency)) {
        problems.push(`${path} imports "${specifier}", but ${dependency} is not a dependency`);
      }
    }
  }
  return problems;
}

/** `checkTarball` after the module lexer is ready. */
export async function checkTarballs(
  tarballs: { files: TarballFile[]; expected: TarballExpectations }[],
): Promise<string[][]> {
  await init;
  return tarballs.map(({ files, expected }) => checkTarball(files, expected));
}
