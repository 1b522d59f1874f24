/**
 * The one build of every published package (tsdown): ESM `.js`, `.d.ts` and source maps in
 * `dist/`, in unbundle mode so each output keeps its source's place (`src/a/b.ts` →
 * `dist/a/b.js`). Keeping the layout is what lets a module reach a sibling file by URL (a child
 * bootstrap, a worker entry) from the sources and from the built package alike; see
 * `module-urls.ts`. Dependencies are never bundled: a package's `dependencies` stay imports, as
 * do Node's and Bun's built-in modules.
 */
import { resolve } from 'node:path';
import type { UserConfig } from 'tsdown';
import { moduleUrls } from './module-urls.ts';

/** What differs between packages. */
export interface PackageBuild {
  /** Entry modules under `src/`, one per `exports` subpath (plus the bin's program). */
  entry: string[];
  /**
   * `browser` for packages that must run in a page (nothing of Node or Bun may be imported),
   * `neutral` for code that runs anywhere, `node` for the Bun host.
   */
  platform: 'browser' | 'neutral' | 'node';
  /** Syntax target of the output. */
  target: string;
  /** Extra files copied into `dist/` as they are (paths relative to the package). @default none */
  copy?: { from: string; to: string }[];
}

/** The tsdown configuration of the package in `dir`. */
export function packageConfig(dir: string, build: PackageBuild): UserConfig {
  return {
    cwd: dir,
    entry: build.entry,
    unbundle: true,
    root: 'src',
    format: 'esm',
    platform: build.platform,
    target: build.target,
    outDir: 'dist',
    clean: true,
    sourcemap: true,
    fixedExtension: false,
    hash: false,
    dts: { tsconfig: resolve(dir, 'tsconfig.json') },
    deps: { neverBundle: [/^node:/, /^bun(:|$)/] },
    plugins: [moduleUrls(resolve(dir, 'src'))],
    ...(build.copy ? { copy: build.copy } : {}),
    report: false,
    checks: { pluginTimings: false },
  };
}
