import { init } from 'es-module-lexer';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkTarball, type TarballFile } from '../release/tarball-rules.ts';

beforeAll(async () => {
  await init;
});

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

const MANIFEST = {
  name: '@spindle/example',
  version: '0.1.0',
  type: 'module',
  sideEffects: ['./*/worker-entry.*'],
  exports: {
    '.': { types: './dist/index.d.ts', import: './dist/index.js' },
    './package.json': './package.json',
  },
  bin: { example: './dist/cli/example' },
  dependencies: { valibot: '^1.5.0', '@spindle/types': '^0.1.0' },
};

/** A tarball that passes every rule, with `change` applied to its files by path. */
function tarball(
  change: { manifest?: Record<string, unknown>; files?: Record<string, string | undefined> } = {},
): TarballFile[] {
  const files: Record<string, string | undefined> = {
    'package.json': JSON.stringify({ ...MANIFEST, ...change.manifest }),
    'README.md': '# example',
    LICENSE: 'MIT',
    'CHANGELOG.md': '# changes',
    'dist/index.js': [
      "import * as v from 'valibot';",
      "import { errorMessage } from '@spindle/types/errors';",
      "export { helper } from './helper.js';",
      '// import nothing from "left-pad" (a comment, not an import)',
      'const text = "import x from \'not-a-dependency\'";',
      'export const schema = v.string();',
    ].join('\n'),
    'dist/index.d.ts': 'export declare const schema: unknown;',
    'dist/helper.js': 'export const helper = () => import("./lazy.js");',
    'dist/lazy.js': 'export {};',
    'dist/worker-entry.js': 'self.onmessage = () => {};',
    'dist/cli/example': '#!/bin/sh\n',
    ...change.files,
  };
  return Object.entries(files).flatMap(([path, text]) =>
    text === undefined ? [] : [{ name: `package/${path}`, data: encode(text) }],
  );
}

const check = (files: TarballFile[], browserSafe = true) =>
  checkTarball(files, { name: '@spindle/example', browserSafe });

describe('checkTarball', () => {
  it('passes a tarball of built files with a publishable manifest', () => {
    expect(check(tarball())).toEqual([]);
  });

  it('refuses anything outside dist/ and the four top-level files, and TypeScript sources', () => {
    expect(
      check(
        tarball({
          files: {
            'test/unit.test.js': 'export {};',
            'src/index.ts': 'export {};',
            'dist/leftover.ts': 'export {};',
          },
        }),
      ),
    ).toEqual([
      'test/unit.test.js is packed, but only dist/ and package.json, README.md, LICENSE, CHANGELOG.md may be',
      'src/index.ts is packed, but only dist/ and package.json, README.md, LICENSE, CHANGELOG.md may be',
      'dist/leftover.ts is a TypeScript source; only built JavaScript and .d.ts are shipped',
    ]);
  });

  it('requires README, LICENSE and CHANGELOG', () => {
    expect(
      check(
        tarball({
          files: { LICENSE: undefined, 'CHANGELOG.md': undefined, 'README.md': undefined },
        }),
      ),
    ).toEqual(['README.md is missing', 'LICENSE is missing', 'CHANGELOG.md is missing']);
  });

  it('refuses workspace, file and link ranges, private manifests and bad versions', () => {
    expect(
      check(
        tarball({
          manifest: {
            private: true,
            version: 'next',
            dependencies: { '@spindle/types': 'workspace:^', valibot: '^1.5.0' },
            peerDependencies: { a: 'file:../a' },
            optionalDependencies: { b: 'link:../b' },
          },
        }),
      ),
    ).toEqual([
      'package.json is private: npm refuses to publish it',
      'version next is not a semver version',
      'dependencies.@spindle/types is "workspace:^", which npm cannot install',
      'peerDependencies.a is "file:../a", which npm cannot install',
      'optionalDependencies.b is "link:../b", which npm cannot install',
    ]);
  });

  it('refuses exports without types first, pointing at sources or at missing files', () => {
    expect(
      check(
        tarball({
          manifest: {
            exports: {
              '.': { import: './dist/index.js', types: './dist/index.d.ts' },
              './errors': { types: './src/errors.ts', import: './dist/errors.js' },
            },
          },
        }),
      ),
    ).toEqual([
      'exports["."] must list "types" first, then "import"',
      'exports → ./errors → types is a TypeScript source (./src/errors.ts)',
      'exports → ./errors → import points at ./dist/errors.js, which is not in the tarball',
    ]);
  });

  it('refuses a manifest without exports, a wrong name, and JSON it cannot read', () => {
    expect(check(tarball({ manifest: { exports: undefined, name: '@other/name' } }))).toEqual([
      'package.json names @other/name, expected @spindle/example',
      'package.json has no exports map',
    ]);
    expect(check(tarball({ files: { 'package.json': '{ nope' } }))[0]).toMatch(
      /^package\.json is not JSON: /,
    );
  });

  it('refuses a bin that is a source or is missing', () => {
    expect(check(tarball({ manifest: { bin: './src/cli.ts' } }))).toEqual([
      'bin @spindle/example is a TypeScript source (./src/cli.ts)',
    ]);
    expect(check(tarball({ manifest: { bin: { a: './dist/a.js' } } }))).toEqual([
      'bin a points at ./dist/a.js, which is missing',
    ]);
  });

  it('refuses a sideEffects pattern that keeps no packed file', () => {
    expect(check(tarball({ manifest: { sideEffects: ['./*/isolation/worker-entry.*'] } }))).toEqual(
      ['sideEffects pattern "./*/isolation/worker-entry.*" matches no packed file'],
    );
  });

  it('refuses imports of undeclared packages, and of Node or Bun modules in browser packages', () => {
    const files = tarball({
      files: {
        'dist/server.js': [
          "import { readFile } from 'node:fs/promises';",
          "import path from 'path';",
          "import { dlopen } from 'bun:ffi';",
          "import { ok } from 'vitest';",
          "export { sub } from '@scope/tool/sub';",
        ].join('\n'),
      },
    });
    expect(check(files, true)).toEqual([
      'dist/server.js imports "node:fs/promises", which a browser does not have',
      'dist/server.js imports "path", which a browser does not have',
      'dist/server.js imports "bun:ffi", which a browser does not have',
      'dist/server.js imports "vitest", but vitest is not a dependency',
      'dist/server.js imports "@scope/tool/sub", but @scope/tool is not a dependency',
    ]);
    expect(check(files, false)).toEqual([
      'dist/server.js imports "vitest", but vitest is not a dependency',
      'dist/server.js imports "@scope/tool/sub", but @scope/tool is not a dependency',
    ]);
  });

  it('refuses files outside the package/ folder of the tarball', () => {
    expect(check([...tarball(), { name: 'other/x.js', data: encode('') }])).toEqual([
      "other/x.js is outside the tarball's package/ folder",
    ]);
  });
});
