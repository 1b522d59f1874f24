import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'tsdown';
import { afterEach, describe, expect, it } from 'vitest';
import { rewriteModuleUrls } from '../build/module-urls.ts';
import { packageConfig } from '../build/package-config.ts';

describe('rewriteModuleUrls', () => {
  it('points .ts references at the built .js and reports every literal reference', () => {
    const code = [
      "const a = new URL('./child/main.ts', import.meta.url);",
      'const b = new URL("../tool.pl", import.meta.url);',
      'const c = new URL(`./` + name + `.ts`, import.meta.url);',
      "const d = new URL('https://example.invalid/x.ts');",
      'const e = new URL(',
      "  './wrapped.ts',",
      '  import.meta.url,',
      ');',
    ].join('\n');
    // A computed specifier (c) and an absolute URL (d) are not references to package files.
    const { code: out, targets } = rewriteModuleUrls(code, '/pkg/src/runtime/paths.ts');
    expect(out.split('\n')).toEqual([
      "const a = new URL('./child/main.js', import.meta.url);",
      'const b = new URL("../tool.pl", import.meta.url);',
      'const c = new URL(`./` + name + `.ts`, import.meta.url);',
      "const d = new URL('https://example.invalid/x.ts');",
      'const e = new URL(',
      "  './wrapped.js',",
      '  import.meta.url,',
      ');',
    ]);
    expect(targets).toEqual([
      { source: '/pkg/src/runtime/child/main.ts', specifier: './child/main.js' },
      { source: '/pkg/src/tool.pl', specifier: '../tool.pl' },
      { source: '/pkg/src/runtime/wrapped.ts', specifier: './wrapped.js' },
    ]);
  });
});

describe('the package build', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function fixture(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-build-'));
    dirs.push(dir);
    for (const [path, text] of Object.entries({
      'package.json': '{ "name": "fixture", "type": "module" }',
      ...files,
    })) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  const buildFixture = (dir: string) =>
    build({
      ...packageConfig(dir, { entry: ['src/index.ts'], platform: 'neutral', target: 'esnext' }),
      config: false,
      dts: false,
      logLevel: 'silent',
    });

  it('builds what a module reaches by URL next to it, as .js or as a copy', async () => {
    const dir = fixture({
      'src/index.ts': [
        "export const bootstrap = new URL('./child/main.ts', import.meta.url);",
        "export const script = new URL('./launch/tool.pl', import.meta.url);",
        "export const manifest = new URL('../package.json', import.meta.url);",
      ].join('\n'),
      'src/child/main.ts': "const who: string = 'child';\nconsole.log(who);\n",
      'src/launch/tool.pl': 'print "tool\\n";\n',
    });
    await buildFixture(dir);
    const index = readFileSync(join(dir, 'dist', 'index.js'), 'utf8');
    expect(index).toContain('new URL("./child/main.js", import.meta.url)');
    expect(index).toContain('new URL("./launch/tool.pl", import.meta.url)');
    expect(index).toContain('new URL("../package.json", import.meta.url)');
    expect(readFileSync(join(dir, 'dist', 'child', 'main.js'), 'utf8')).toContain(
      'console.log("child")',
    );
    expect(readFileSync(join(dir, 'dist', 'launch', 'tool.pl'), 'utf8')).toBe('print "tool\\n";\n');
  }, 60_000);

  it('fails when built code still names a TypeScript source by URL', async () => {
    const dir = fixture({
      'src/index.ts':
        "const name = './child/main.ts';\nexport const x = new URL(name, import.meta.url);",
      'src/child/main.ts': 'export {};',
    });
    await expect(buildFixture(dir)).rejects.toThrow(
      /index\.js still reaches the TypeScript source \.\/child\/main\.ts by URL/,
    );
  }, 60_000);

  it('fails on a file reached by URL outside the package', async () => {
    const dir = fixture({
      'src/index.ts': "export const x = new URL('../../elsewhere.txt', import.meta.url);",
    });
    await expect(buildFixture(dir)).rejects.toThrow(
      /reaches .*elsewhere\.txt by URL, outside the package/,
    );
  }, 60_000);
});
