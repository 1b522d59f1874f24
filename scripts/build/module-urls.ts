/**
 * A Rolldown plugin for files a module reaches by URL rather than by import:
 * `new URL('./child/main.ts', import.meta.url)` (a bootstrap a child process runs, a worker's
 * entry) or `new URL('./landlock-exec.pl', import.meta.url)` (a script handed to another
 * program). The sources name TypeScript files, which the workspace runs as they are; the built
 * package has JavaScript in their place. So, in unbundle builds, where every output keeps its
 * source's place under `dist/`:
 *
 * - a reference to a `.ts` module under `src/` is rewritten to `.js`, and that module is built as
 *   an entry of its own (it is often imported by nothing);
 * - a reference to any other file under `src/` copies that file to the same place under `dist/`;
 * - a reference elsewhere in the package (its `package.json`, its folder) is kept: `dist/` sits
 *   at the depth of `src/`, so it reaches the same place;
 * - a file reference outside the package fails the build; a folder reference outside it (a
 *   guess at where the package is installed) is reported as a warning;
 * - after the build, every file referenced under `src/` must exist at the referenced place in
 *   the output, or the build fails: a package whose bootstrap is missing never reaches a tarball.
 *
 * Only literal relative specifiers are handled; a computed `new URL(…)` is left alone, and a
 * `new URL('….ts'…)` still in the output fails the build.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, relative, resolve, sep } from 'node:path';
import type { Rolldown } from 'tsdown';

type Plugin = Rolldown.Plugin;

/** `new URL('<relative>', import.meta.url)` with a literal, relative specifier. */
const MODULE_URL = /new URL\(\s*(['"])(\.{1,2}\/[^'"\n]+)\1\s*,\s*import\.meta\.url\s*,?\s*\)/g;

/** A `new URL('….ts'…)` left in built code: a reference the rewrite did not see. */
const LEFT_SOURCE_URL = /new URL\(\s*(['"`])([^'"`\n]*\.ts)\1/g;

/** One file a module reaches by URL, as paths relative to the unbundle root. */
export interface ModuleUrlReference {
  /** The referencing module's output, e.g. `runtime/paths.js`. */
  from: string;
  /** The referenced output, e.g. `runtime/child/main.js`. */
  to: string;
}

/** Rewrites one module's references; returns the new code and what it references. */
export function rewriteModuleUrls(
  code: string,
  moduleFile: string,
): { code: string; targets: { source: string; specifier: string }[] } {
  const targets: { source: string; specifier: string }[] = [];
  const rewritten = code.replace(MODULE_URL, (whole, quote: string, specifier: string) => {
    const source = resolve(dirname(moduleFile), specifier);
    if (extname(specifier) !== '.ts') {
      targets.push({ source, specifier });
      return whole;
    }
    // Same length, same lines: the source map stays exact.
    const built = `${specifier.slice(0, -'.ts'.length)}.js`;
    targets.push({ source, specifier: built });
    return whole.replace(`${quote}${specifier}${quote}`, `${quote}${built}${quote}`);
  });
  return { code: rewritten, targets };
}

const toPosix = (path: string): string => path.split(sep).join('/');
const outputOf = (root: string, source: string): string =>
  toPosix(relative(root, source)).replace(/\.ts$/, '.js');

/**
 * The plugin. `root` is the unbundle root (the package's `src`), so a source at
 * `<root>/a/b.ts` is built to `dist/a/b.js`; `pkg` is the package's folder.
 */
export function moduleUrls(root: string, pkg: string = dirname(root)): Plugin {
  const references: ModuleUrlReference[] = [];
  return {
    name: 'spindle:module-urls',
    buildStart() {
      references.length = 0;
    },
    transform: {
      filter: { id: /\.ts$/, code: 'import.meta.url' },
      handler(code, id) {
        if (id.endsWith('.d.ts')) return null;
        const { code: rewritten, targets } = rewriteModuleUrls(code, id);
        if (targets.length === 0) return null;
        for (const target of targets) {
          const to = outputOf(root, target.source);
          if (to.startsWith('../')) {
            if (!toPosix(relative(pkg, target.source)).startsWith('../')) continue;
            const what = `${id} reaches ${target.source} by URL, outside the package ${pkg}`;
            if (target.specifier.endsWith('/')) this.warn(what);
            else this.error(what);
            continue;
          }
          references.push({ from: outputOf(root, id), to });
          if (target.source.endsWith('.ts')) {
            this.emitFile({ type: 'chunk', id: target.source, preserveSignature: 'strict' });
          } else {
            this.emitFile({ type: 'asset', fileName: to, source: readFileSync(target.source) });
          }
        }
        return { code: rewritten, map: null };
      },
    },
    generateBundle(_options, bundle) {
      for (const [fileName, output] of Object.entries(bundle)) {
        if (output.type !== 'chunk') continue;
        for (const match of output.code.matchAll(LEFT_SOURCE_URL)) {
          this.error(`${fileName} still reaches the TypeScript source ${match[2]} by URL`);
        }
      }
      const missing = references.filter((r) => bundle[r.to] === undefined);
      if (missing.length > 0) {
        this.error(
          `files reached by URL are missing from the build: ${missing
            .map((r) => `${r.from} → ${r.to}`)
            .join(', ')}`,
        );
      }
    },
  };
}
