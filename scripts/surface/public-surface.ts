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
  /** Names the entry declares in `declare global` (e.g. the global `spindle`), when any. */
  globals?: string[];
}

/** The source file each `exports` subpath of the package in `dir` points at (workspace view). */
function entries(dir: string): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports: Record<string, string | Record<string, string>>;
  };
  const found = new Map<string, string>();
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const code = typeof target === 'string' ? target : (target.default ?? target.import);
    // An entry that exists for its declarations (`globals.d.ts` next to an empty module) is
    // read from its `types` file.
    const file = code?.endsWith('.ts') ? code : typeof target === 'string' ? code : target.types;
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
    if (source === undefined || module === undefined) {
      throw new Error(`[spindle] cannot read the module ${file}`);
    }
    const values: string[] = [];
    const types: string[] = [];
    for (const symbol of checker.getExportsOfModule(module)) {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      (target.flags & ts.SymbolFlags.Value ? values : types).push(symbol.name);
    }
    const globals = globalNames(source);
    surface[subpath] = {
      values: values.sort(),
      types: types.sort(),
      ...(globals.length > 0 ? { globals } : {}),
    };
  }
  return surface;
}

/** Names declared inside the `declare global { … }` blocks of a file, sorted. */
function globalNames(source: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isModuleDeclaration(statement) || !(statement.flags & ts.NodeFlags.GlobalAugmentation))
      continue;
    const body = statement.body;
    if (body === undefined || !ts.isModuleBlock(body)) continue;
    for (const member of body.statements) {
      if (ts.isVariableStatement(member)) {
        for (const declaration of member.declarationList.declarations) {
          names.push(declaration.name.getText(source));
        }
      } else if (
        (ts.isInterfaceDeclaration(member) ||
          ts.isTypeAliasDeclaration(member) ||
          ts.isFunctionDeclaration(member) ||
          ts.isClassDeclaration(member)) &&
        member.name
      ) {
        names.push(member.name.text);
      }
    }
  }
  return names.sort();
}
