/**
 * The public surface of a workspace package: for each subpath of its `exports`, the names it
 * exports, split into values (functions, constants, classes) and types (interfaces, type
 * aliases), read from the TypeScript sources with the compiler's own view of the module, so
 * re-exports (`export *`, `export { x } from`) count exactly as a consumer would see them.
 * Every published package has its surface pinned by a snapshot test
 * (`scripts/test/public-surface.test.ts`): a change to what users can import shows up in
 * review as a change of that snapshot.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** What one entry exports. */
export interface EntrySurface {
  values: string[];
  types: string[];
}

/** The source file each `exports` subpath of the package in `dir` points at (workspace view). */
function entries(dir: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: Record<string, string | Record<string, string>>;
  };
  const found = new Map<string, string>();
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const file = typeof target === 'string' ? target : (target.default ?? target.import);
    if (file === undefined || !file.endsWith('.ts')) continue;
    found.set(subpath, join(dir, file));
  }
  return found;
}

/** The surface of every entry of the package in `dir`, by `exports` subpath. */
export function publicSurface(dir: string): Record<string, EntrySurface> {
  const files = entries(dir);
  const program = ts.createProgram([...files.values()], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const surface: Record<string, EntrySurface> = {};
  for (const [subpath, file] of files) {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    if (module === undefined) throw new Error(`[spindle] cannot read the module ${file}`);
    const values: string[] = [];
    const types: string[] = [];
    for (const symbol of checker.getExportsOfModule(module)) {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      (target.flags & ts.SymbolFlags.Value ? values : types).push(symbol.name);
    }
    surface[subpath] = { values: values.sort(), types: types.sort() };
  }
  return surface;
}
